"""Issue 15 with the real Cognito emulator, real PostgreSQL and real Envoy: two users who just signed up
write to each other through the edge and each reads the other's messages; a third reads nothing."""
import uuid

import pytest
import requests

from stack import Edge, prepare_database
from support import FRONTEND


@pytest.fixture(scope="module")
def edge(cognito, postgres):
    url = prepare_database(postgres, "cruddur_messages")
    edge = Edge("messages", {**cognito.backend_env(), "CONNECTION_URL": url}, FRONTEND, replicas=2)
    try:
        yield edge
    finally:
        edge.stop()


def signed_up(cognito, name: str) -> dict:
    suffix = uuid.uuid4().hex[:8]
    tokens = cognito.sign_up(f"{name}-{suffix}@example.com", name.capitalize(), f"{name}{suffix}")
    return {"Authorization": f"Bearer {tokens['AccessToken']}", "Origin": FRONTEND}


def test_two_new_users_exchange_messages_through_the_edge(edge, cognito):
    kira, odo, quark = (signed_up(cognito, name) for name in ["kira", "odo", "quark"])
    odo_profile = requests.put(edge.url + "/api/profile/update", json={"display_name": "Odo", "bio": "Constable"},
                               headers=odo, timeout=5)
    assert odo_profile.status_code == 200, odo_profile.text
    odo_handle = odo_profile.json()["handle"]

    first = requests.post(edge.url + "/api/messages", json={"message": "Constable, a word.", "handle": odo_handle},
                          headers={**kira, "Idempotency-Key": str(uuid.uuid4())}, timeout=5)
    assert first.status_code == 200, first.text
    assert first.headers["Access-Control-Allow-Origin"] == FRONTEND
    group = first.json()["message_group_uuid"]
    reply = requests.post(edge.url + "/api/messages", json={"message": "Major.", "message_group_uuid": group},
                          headers=odo, timeout=5)
    assert reply.status_code == 200, reply.text

    for reader, other in [(kira, odo_handle), (odo, first.json()["handle"])]:
        groups = requests.get(edge.url + "/api/message_groups", headers=reader, timeout=5)
        assert groups.status_code == 200
        assert [(g["uuid"], g["handle"], g["message"]) for g in groups.json()] == [(group, other, "Major.")]
        conversation = requests.get(edge.url + f"/api/messages/{group}", headers=reader, timeout=5)
        assert [m["message"] for m in conversation.json()] == ["Constable, a word.", "Major."]

    assert requests.get(edge.url + f"/api/messages/{group}", headers=quark, timeout=5).status_code == 404
    intrusion = requests.post(edge.url + "/api/messages", json={"message": "Hew-mon!", "message_group_uuid": group},
                              headers=quark, timeout=5)
    assert intrusion.status_code == 404
    assert requests.get(edge.url + "/api/message_groups", headers=quark, timeout=5).json() == []


def test_messages_are_stopped_at_the_edge_without_a_token(edge):
    def reached():
        return [r for r in edge.all_backend_requests() if "/messag" in r.get("path", "")]

    before = reached()
    for method, path in [("GET", "/api/message_groups"), ("GET", f"/api/messages/{uuid.uuid4()}"),
                         ("POST", "/api/messages")]:
        for headers in [{}, {"Authorization": "Bearer not.a.token"}]:
            response = requests.request(method, edge.url + path, json={"message": "x", "handle": "worf"},
                                        headers=headers, timeout=5)
            assert response.status_code == 401, (method, path, response.text)
    assert reached() == before
