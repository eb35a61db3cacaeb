"""Real Envoy in front of the running backend: CORS at the edge, ext_authz through the backend's check."""
import json
import uuid

import pytest
import requests

from conftest import FRONTEND
from stack import Edge


@pytest.fixture(scope="module")
def edge(cognito):
    edge = Edge("edge", cognito.backend_env(), FRONTEND)
    try:
        yield edge
    finally:
        edge.stop()


def test_a_preflight_from_the_frontend_passes_without_a_token(edge):
    envoy = edge.url
    response = requests.options(
        envoy + "/api/activities",
        headers={"Origin": FRONTEND, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    other = requests.options(
        envoy + "/api/activities",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_valid_token_reaches_the_backend_with_x_current_user(edge, andrew):
    envoy = edge.url
    message = f"through the edge {uuid.uuid4()}"
    response = requests.post(
        envoy + "/api/activities",
        headers={"Authorization": f"Bearer {andrew['AccessToken']}", "Origin": FRONTEND},
        json={"message": message, "ttl": "1-hour"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.json()["message"] == message
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    served = [r for r in edge.backend_requests() if r.get("path") == "/api/activities" and r.get("method") == "POST"]
    assert served, "the backend never saw the request"
    assert served[-1].get("edge_sub"), "x-current-user did not arrive with the claims"


def test_an_invalid_token_is_stopped_at_the_edge(edge):
    envoy = edge.url
    before = [r for r in edge.backend_requests() if r.get("path") == "/api/activities"]
    response = requests.post(
        envoy + "/api/activities",
        headers={"Authorization": "Bearer not.a.token", "Content-Type": "application/json"},
        data=json.dumps({"message": "forged", "ttl": "1-hour"}),
        timeout=5,
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.json()["error"]["code"] == "invalid_token"
    anonymous = requests.get(envoy + "/api/activities/notifications", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="cruddur"'
    after = edge.backend_requests()
    assert [r for r in after if r.get("path") == "/api/activities"] == before, "the forged request reached the backend"
    assert [r for r in after if r.get("path") == "/api/activities/notifications"] == []
    assert any(r.get("path") == "/ext_authz/api/activities" for r in after), "ext_authz was not consulted"


def test_public_routes_work_without_a_token(edge):
    envoy = edge.url
    response = requests.get(envoy + "/api/activities/home", timeout=5)
    assert response.status_code == 200
    assert any(item["handle"] == "andrewbrown" for item in response.json())
    assert requests.get(envoy + "/nothing", timeout=5).status_code == 404
