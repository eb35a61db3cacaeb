"""Issue 9's categories tried as an outsider would, against the real binary on both stores with the real
Cognito emulator: no 5xx, no other user's account, no wait past the stated bounds."""
import subprocess
import time
import uuid

import requests

from stack import backend_binary, start_backend
from support.slow_http import DripServer

FEEDS = ["/api/activities/home", "/api/activities/@worf", "/api/activities/search?term=a"]


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['AccessToken']}"}


def test_an_unverified_email_never_takes_over_a_seeded_account(backend, cognito):
    # bayko is seeded and unclaimed; an attacker signs up with bayko's address and handle, unverified.
    email = "bayko@exampro.co"
    try:
        tokens = cognito.sign_up(email, "Not Bayko", "bayko")
    except cognito.idp.exceptions.UsernameExistsException:
        tokens = cognito.sign_in(email)
    cognito.idp.admin_update_user_attributes(
        UserPoolId=cognito.pool_id, Username=email, UserAttributes=[{"Name": "email_verified", "Value": "false"}]
    )
    attributes = {a["Name"]: a["Value"] for a in cognito.idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert attributes["email_verified"] == "false"
    posted = requests.post(
        backend + "/api/activities", json={"message": f"I am bayko {uuid.uuid4()}", "ttl": "1-hour"},
        headers=bearer(tokens), timeout=10,
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["handle"] != "bayko"
    assert posted.json()["handle"].startswith("bayko_")
    notifications = requests.get(backend + "/api/activities/notifications", headers=bearer(tokens), timeout=10)
    assert notifications.status_code == 200
    # Replies to the real bayko's cruds stay bayko's.
    assert all(item["handle"] != "bayko" for item in notifications.json())


def test_extreme_cursors_and_long_scalar_messages_are_4xx(backend, andrew):
    for before in ["-9223372036854775808_", "9223372036854775807_", "-62135596800000001_", "10000-01-01T00:00:00Z",
                   "2026-02-29T00:00:00Z", "1e308", "NaN_", "1_" + "f" * 36]:
        for feed in FEEDS:
            response = requests.get(backend + feed, params={"before": before}, timeout=10)
            assert response.status_code == 422, (feed, before, response.status_code)
    for before in ["-62135596800000000_", "253402300799999999_", "0000-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59",
                   "2000-01-15T01:27:27.353+21:38"]:
        assert requests.get(backend + FEEDS[0], params={"before": before}, timeout=10).status_code == 200
    headers = bearer(andrew)
    at_the_bound = "e\u0301\u0302\u0303" * 280  # 280 characters, 1,120 scalars
    ok = requests.post(backend + "/api/activities", json={"message": at_the_bound, "ttl": "1-hour"}, headers=headers,
                       timeout=10)
    assert ok.status_code == 200, ok.text
    assert ok.json()["message"] == at_the_bound
    for hostile in ["e\u0301\u0302\u0303\u0304" * 280, "a" + "\u200d" * 5000, "\U0001F468\u200d" * 600]:
        response = requests.post(backend + "/api/activities", json={"message": hostile, "ttl": "1-hour"},
                                 headers=headers, timeout=10)
        assert response.status_code == 422, response.text
        assert "message_exceed_max_chars" in response.text
    reply = requests.post(backend + f"/api/activities/{ok.json()['uuid']}/reply",
                          json={"message": "o\u0308\u0309\u030a" * 1024}, headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text


def test_idempotency_keys_on_the_wire(backend, andrew):
    headers = {**bearer(andrew), "Idempotency-Key": str(uuid.uuid4())}
    body = {"message": f"once {uuid.uuid4()}", "ttl": "1-hour"}
    first = requests.post(backend + "/api/activities", json=body, headers=headers, timeout=10)
    second = requests.post(backend + "/api/activities", json=body, headers=headers, timeout=10)
    assert first.status_code == second.status_code == 200
    assert first.json()["uuid"] == second.json()["uuid"]
    found = requests.get(backend + "/api/activities/search", params={"term": body["message"]}, timeout=10).json()
    assert len(found) == 1
    reused = requests.post(backend + "/api/activities", json={**body, "message": "other"}, headers=headers, timeout=10)
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"
    bad = requests.post(backend + "/api/activities", json=body, headers={**headers, "Idempotency-Key": "x" * 300},
                        timeout=10)
    assert bad.status_code == 400


def test_the_write_rate_limit_answers_429(cognito, andrew):
    process, url = start_backend("backend-ratelimit", {**cognito.backend_env(), "WRITE_RATE_PER_MINUTE": "5"})
    try:
        statuses = []
        for index in range(8):
            response = requests.post(url + "/api/activities", json={"message": f"flood {index}", "ttl": "1-hour"},
                                     headers=bearer(andrew), timeout=10)
            statuses.append(response.status_code)
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3, statuses
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"]["code"] == "rate_limited"
    finally:
        process.stop()


def test_a_dripping_key_server_cannot_hold_signed_in_requests(andrew, cognito):
    drip = DripServer()
    env = {**cognito.backend_env(), "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": drip.url}
    process, url = start_backend("backend-drip-jwks", env)
    try:
        started = time.monotonic()
        response = requests.get(url + "/api/activities/notifications", headers=bearer(andrew), timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 401, response.text
        assert elapsed < 7, elapsed  # the fetch's one 5 s deadline, head and body
        anonymous = requests.get(url + "/api/activities/home", timeout=5)
        assert anonymous.status_code == 200
        # A replica that never loaded a key set is not ready: every signed-in request would fail there.
        ready = requests.get(url + "/api/health-check", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["jwks"] == "down"
    finally:
        process.stop()
        drip.stop()


def test_a_dripping_get_user_cannot_hold_provisioning(cognito):
    drip = DripServer(passthrough_get=cognito.endpoint, drip_get=False)
    env = {**cognito.backend_env(), "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": drip.url}
    process, url = start_backend("backend-drip-getuser", env)
    try:
        tokens = cognito.sign_up(f"drip-{uuid.uuid4().hex[:8]}@example.com", "Drip", f"drip{uuid.uuid4().hex[:6]}")
        started = time.monotonic()
        response = requests.get(url + "/api/activities/notifications", headers=bearer(tokens), timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert elapsed < 7, elapsed
        assert drip.requests >= 1
    finally:
        process.stop()
        drip.stop()


def run_cli(args, env, cwd="/"):
    return subprocess.run([backend_binary(), *args], env={"PATH": "/usr/bin:/bin", **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_migrations_and_seed_travel_inside_the_binary(postgres, tmp_path):
    postgres.psql("CREATE DATABASE cruddur_anywhere")
    env = {"CONNECTION_URL": postgres.url_for("cruddur_anywhere"), "LOG_LEVEL": "warning"}
    migrate = run_cli(["migrate"], env, cwd=str(tmp_path))
    assert migrate.returncode == 0, migrate.stderr
    assert "applied 0001" in migrate.stdout
    seed = run_cli(["seed"], env, cwd=str(tmp_path))
    assert seed.returncode == 0, seed.stderr
    assert postgres.psql("SELECT count(*) FROM users", database="cruddur_anywhere").strip() == "6"
    for variable, value in [("MIGRATIONS_DIR", "/nonexistent/migrations"), ("SEED_FILE", "/nonexistent/seed.json")]:
        result = run_cli(["migrate"], {**env, variable: value}, cwd=str(tmp_path))
        assert result.returncode == 2, result
        assert variable in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_cognito_over_plain_http_needs_loopback_or_a_flag(cognito):
    env = {**cognito.backend_env(), "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://cognito.internal:9229"}
    refused = run_cli(["serve"], env)
    assert refused.returncode == 2 and "https" in refused.stderr, refused
