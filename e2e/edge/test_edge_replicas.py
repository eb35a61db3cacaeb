"""Issue 10 with real Envoy, real PostgreSQL and two real replicas: what the edge strips and normalises,
a replica killed or restarted under load, and read-your-writes across replicas."""
import signal
import threading
import time
import uuid

import pytest
import requests

from stack import Edge, prepare_database
from support import FRONTEND, bearer
from support.load import LoadThreads


@pytest.fixture(scope="module")
def replicated(cognito, postgres):
    url = prepare_database(postgres, "cruddur_replicas")
    env = {**cognito.backend_env(), "CONNECTION_URL": url, "DRAIN_SECONDS": "2"}
    # The load below posts as fast as the replicas answer, as one user: with creates 2-3x faster on the libpq
    # driver that passed the edge's 200 writes/s (a 429 each time; a fresh-clone run failed on five). Here the
    # question is restarts and kills, so this Envoy's write limit is lifted. (No test exercises that limit.)
    edge = Edge("replicas", env, FRONTEND, replicas=2, envoy_env={"EDGE_WRITE_BURST": "100000"})
    try:
        yield edge
    finally:
        edge.stop()


def served(edge, path):
    return [r for r in edge.all_backend_requests() if r.get("path") == path]


def marks(edge) -> list[int]:
    return [len(edge.backend_requests(index)) for index in range(len(edge.replicas))]


def since(edge, mark: list[int]) -> list[dict]:
    """Requests the replicas served since `mark`, less Envoy's own health checks."""
    return [r for index, start in enumerate(mark) for r in edge.backend_requests(index)[start:]
            if r.get("path") != "/api/health-check"]


def test_a_forged_x_current_user_never_reaches_a_backend(replicated, andrew):
    forged = '{"sub":"sub-admin","username":"admin"}'
    marker = "/api/activities/search"
    for headers in [{"x-current-user": forged}, {"X-Current-User": forged, "Authorization": "Bearer not.a.token"}]:
        response = requests.get(replicated.url + marker, params={"term": str(uuid.uuid4())}, headers=headers,
                                timeout=5)
        assert response.status_code == 200
    signed_in = requests.get(replicated.url + marker, params={"term": "x"},
                             headers={**bearer(andrew), "x-current-user": forged}, timeout=5)
    assert signed_in.status_code == 200
    subs = {r.get("edge_sub") for r in served(replicated, marker)}
    assert "sub-admin" not in subs
    assert subs - {None}, "the check's own x-current-user should still arrive for a signed-in caller"
    underscored = requests.get(replicated.url + "/api/activities/home", headers={"x_current_user": forged},
                               timeout=5)
    assert underscored.status_code == 400


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api//activities/notifications", 401),
    ("GET", "/api/activities/notifications/", 401),
    ("GET", "/api/activities/./notifications", 401),
    ("GET", "/api/activities/home/../notifications", 401),
    ("GET", "/api/%61ctivities/notifications", 401),
    ("POST", "/api/activities/", 401),
    ("POST", "/api//activities", 401),
    ("GET", "/api/activities%2Fnotifications", 400),
    ("GET", "/api/activities%2fnotifications", 400),
])
def test_path_variants_of_protected_routes_are_stopped_at_the_edge(replicated, method, path, status):
    before = marks(replicated)
    response = requests.request(method, replicated.url + path, timeout=5)
    assert response.status_code == status, (path, response.text)
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    time.sleep(0.1)
    api_requests = [r for r in since(replicated, before) if r.get("path", "").startswith("/api")]
    assert api_requests == [], f"{path} reached a backend: {api_requests}"


@pytest.mark.parametrize("method,path,status", [("GET", "/api/nothing/here", 404), ("DELETE", "/api/activities/home", 405)])
def test_paths_that_name_no_route_are_answered_as_the_backend_would(replicated, method, path, status):
    response = requests.request(method, replicated.url + path, timeout=5)
    assert response.status_code == status and response.json()["error"]["code"] in {"not_found", "method_not_allowed"}


def test_the_path_the_edge_judges_is_the_path_the_backend_serves(replicated):
    for path, normalised in [("/api//activities//home/", "/api/activities/home/"),
                             ("/api/activities/./home", "/api/activities/home"),
                             ("/api/x/../users/@worf/short", "/api/users/@worf/short")]:
        before = marks(replicated)
        response = requests.get(replicated.url + path, timeout=5)
        assert response.status_code == 200, path
        time.sleep(0.1)
        serving = [r["path"] for r in since(replicated, before) if r.get("path", "").startswith("/api")]
        assert serving == [normalised], (path, serving)


class Load(LoadThreads):
    """GETs of home and POSTs with an Idempotency-Key through the edge, from a few threads, counting
    failures; a POST that fails is retried with the same key until acknowledged."""

    def __init__(self, url: str, tokens: dict, threads: int = 6):
        super().__init__()
        self.url, self.headers = url, bearer(tokens)
        self.get_failures, self.post_failures, self.gets = [], [], 0
        self.acknowledged: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, number: int):
        session = requests.Session()
        while not self.stop_event.is_set():
            if number % 3:
                try:
                    response = session.get(self.url + "/api/activities/home", headers=self.headers, timeout=10)
                    with self.lock:
                        self.gets += 1
                        if response.status_code != 200:
                            self.get_failures.append((response.status_code, response.text[:120]))
                except requests.RequestException as error:
                    with self.lock:
                        self.get_failures.append(repr(error))
                continue
            message, key = f"replica load {uuid.uuid4()}", str(uuid.uuid4())
            while not self.stop_event.is_set():
                try:
                    response = session.post(self.url + "/api/activities", json={"message": message, "ttl": "1-day"},
                                            headers={**self.headers, "Idempotency-Key": key}, timeout=10)
                    if response.status_code == 200:
                        with self.lock:
                            self.acknowledged.append(message)
                        break
                    with self.lock:
                        self.post_failures.append(response.status_code)
                except requests.RequestException as error:
                    with self.lock:
                        self.post_failures.append(repr(error))
                time.sleep(0.05)


def stored_once(postgres, messages):
    rows = postgres.psql("SELECT message, count(*) FROM activities WHERE message LIKE 'replica load %' GROUP BY 1",
                         database="cruddur_replicas")
    counts = dict(line.rsplit("|", 1) for line in rows.splitlines())
    assert messages and all(counts.get(message) == "1" for message in messages)
    assert all(count == "1" for count in counts.values())


def test_kill_9_of_a_replica_under_load_fails_no_get(replicated, andrew, postgres):
    try:
        with Load(replicated.url, andrew) as load:
            time.sleep(1.5)
            replicated.replicas[1].popen.send_signal(signal.SIGKILL)
            replicated.replicas[1].popen.wait()
            time.sleep(3)
    finally:  # the replica comes back whatever happened, so the next tests start from two
        replicated.replicas[1].stop()
        replicated.restart_replica(1)
        replicated.wait_healthy(2)
    assert load.gets > 50
    assert load.get_failures == []
    stored_once(postgres, load.acknowledged)


def test_a_rolling_restart_fails_no_request(replicated, andrew, postgres):
    replicated.wait_healthy(2)
    with Load(replicated.url, andrew) as load:
        time.sleep(1)
        for index in range(2):
            process = replicated.replicas[index]
            process.popen.send_signal(signal.SIGTERM)
            assert process.popen.wait(timeout=20) == 0
            process.stop()
            replicated.restart_replica(index)
            replicated.wait_healthy(2)
        time.sleep(1)
    assert load.gets > 50
    assert load.get_failures == [] and load.post_failures == []
    stored_once(postgres, load.acknowledged)


def test_a_crud_posted_through_one_replica_is_on_home_through_the_other_within_100_ms(replicated, andrew):
    a, b = (f"http://127.0.0.1:{port}" for port in replicated.ports)
    assert requests.get(b + "/api/activities/home", timeout=5).status_code == 200  # B's feed cache is warm
    message = f"read your writes {uuid.uuid4()}"
    posted = requests.post(a + "/api/activities", json={"message": message, "ttl": "1-hour"}, headers=bearer(andrew),
                           timeout=5)
    assert posted.status_code == 200
    acknowledged = time.monotonic()
    while message not in [item["message"] for item in requests.get(b + "/api/activities/home", timeout=5).json()]:
        assert time.monotonic() - acknowledged < 2, "never showed on the other replica"
        time.sleep(0.005)
    elapsed = time.monotonic() - acknowledged
    assert elapsed <= 0.1, elapsed


def test_a_body_over_the_limit_is_refused_at_the_edge(replicated, andrew):
    before = marks(replicated)
    response = requests.post(replicated.url + "/api/activities", data=b"x" * (64 * 1024 + 1),
                             headers={**bearer(andrew), "Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    time.sleep(0.1)
    assert [r for r in since(replicated, before) if r.get("path", "").startswith("/api")] == []


def test_edge_timeouts_and_header_limits_are_configured(tmp_path):
    """What cannot be timed in a test is at least present in the rendered configuration."""
    import os
    import subprocess
    from stack import ROOT
    rendered = subprocess.run([str(ROOT / "envoy" / "render")], capture_output=True, text=True, check=True,
                              env={**os.environ, "AWS_COGNITO_USER_POOL_ID": "us-east-1_X",
                                   "AWS_COGNITO_USER_POOL_CLIENT_ID": "c"}).stdout
    for setting in ["request_headers_timeout: 10s", "stream_idle_timeout: 30s", "max_request_headers_kb: 16",
                    "headers_with_underscores_action: REJECT_REQUEST", "path_with_escaped_slashes_action: REJECT_REQUEST",
                    "max_request_bytes: 65536", "per_try_timeout: 5s"]:
        assert setting in rendered, setting
    (tmp_path / "envoy.yaml").write_text(rendered)
    checked = subprocess.run(["envoy", "--mode", "validate", "-c", str(tmp_path / "envoy.yaml")], text=True,
                             capture_output=True)
    assert checked.returncode == 0, checked.stderr[-2000:]
