"""The backend against the real Cognito emulator: real sign-in, real tokens, real JWKS."""
import uuid

import requests

MEMBERS_CRUD = "My dear brother, it the humans that are the problem"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def messages(response) -> list[str]:
    return [item["message"] for item in response.json()]


def test_readiness_reports_the_key_set(backend):
    response = requests.get(backend + "/api/health-check", timeout=5)
    assert response.status_code == 200
    assert response.json()["checks"]["jwks"] == "ok"


def test_home_with_the_access_token_shows_members_only_cruds(backend, andrew):
    anonymous = requests.get(backend + "/api/activities/home", timeout=5)
    assert anonymous.status_code == 200
    assert MEMBERS_CRUD not in messages(anonymous)
    signed_in = requests.get(backend + "/api/activities/home", headers=bearer(andrew["AccessToken"]), timeout=5)
    assert signed_in.status_code == 200
    assert "WWW-Authenticate" not in signed_in.headers
    assert MEMBERS_CRUD in messages(signed_in)


def test_the_id_token_is_refused(backend, andrew):
    home = requests.get(backend + "/api/activities/home", headers=bearer(andrew["IdToken"]), timeout=5)
    assert home.status_code == 200
    assert MEMBERS_CRUD not in messages(home)
    assert 'error="invalid_token"' in home.headers["WWW-Authenticate"]
    assert "not an access token" in home.headers["WWW-Authenticate"]
    create = requests.post(
        backend + "/api/activities",
        headers=bearer(andrew["IdToken"]),
        json={"message": "with an id token", "ttl": "1-day"},
        timeout=5,
    )
    assert create.status_code == 401


def test_creating_a_crud_with_the_access_token(backend, andrew):
    message = f"Posted through the emulator {uuid.uuid4()}"
    create = requests.post(
        backend + "/api/activities",
        headers=bearer(andrew["AccessToken"]),
        json={"message": message, "ttl": "1-day"},
        timeout=5,
    )
    assert create.status_code == 200, create.text
    crud = create.json()
    # andrew@exampro.co claims the unclaimed seeded andrewbrown (same handle and email).
    assert crud["handle"] == "andrewbrown"
    assert crud["display_name"] == "Andrew Brown"
    home = requests.get(backend + "/api/activities/home", timeout=5)
    assert home.json()[0]["uuid"] == crud["uuid"]


def test_a_new_user_is_provisioned_and_a_taken_handle_gets_a_suffix(backend, cognito):
    tokens = cognito.sign_up(f"imposter-{uuid.uuid4().hex[:8]}@example.com", "Not Worf", "worf")
    create = requests.post(
        backend + "/api/activities",
        headers=bearer(tokens["AccessToken"]),
        json={"message": "Today is a good day to die.", "ttl": "1-hour"},
        timeout=5,
    )
    assert create.status_code == 200, create.text
    assert create.json()["handle"].startswith("worf_")
    assert create.json()["display_name"] == "Not Worf"
    again = requests.get(backend + "/api/activities/notifications", headers=bearer(tokens["AccessToken"]), timeout=5)
    assert again.status_code == 200


def test_a_token_for_another_pool_is_refused(backend, cognito):
    idp = cognito.idp
    other = idp.create_user_pool(PoolName="other", UsernameAttributes=["email"])["UserPool"]["Id"]
    app = idp.create_user_pool_client(
        UserPoolId=other, ClientName="other", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=app, Username="other@example.com", Password="Other-pass-1!")
    idp.admin_confirm_sign_up(UserPoolId=other, Username="other@example.com")
    tokens = idp.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "other@example.com", "PASSWORD": "Other-pass-1!"},
    )["AuthenticationResult"]
    response = requests.get(
        backend + "/api/activities/notifications", headers=bearer(tokens["AccessToken"]), timeout=5
    )
    assert response.status_code == 401
    assert "wrong issuer" in response.headers["WWW-Authenticate"]
