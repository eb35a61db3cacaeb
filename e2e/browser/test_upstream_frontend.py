"""The bootcamp's own React frontend (omenking/aws-bootcamp-cruddur-2023, frontend-react-js, weeks 8 and
later) is the real client: this replays its pages' calls as they send them (lib/Requests.js: JSON bodies,
`Authorization: Bearer <Cognito access token>`, through the edge) and checks every field its components
read. Each check is one (page, call, what it reads); the count is printed for the closing note."""
import uuid

import pytest
import requests

from stack import Edge, prepare_database
from support import FRONTEND

ACTIVITY = ["uuid", "display_name", "handle", "message", "created_at", "expires_at", "replies_count",
            "reposts_count", "likes_count", "reply_to_activity_uuid"]  # ActivityContent, ActivityActionReply, …
PROFILE = ["display_name", "handle", "bio", "cruds_count", "cognito_user_uuid"]  # ProfileHeading, EditProfileButton
GROUP = ["uuid", "display_name", "handle", "message", "created_at"]  # MessageGroupItem
MESSAGE = ["uuid", "display_name", "handle", "message", "created_at"]  # MessageItem
SHORT = ["uuid", "handle", "display_name"]  # MessageGroupNewPage


@pytest.fixture(scope="module")
def edge(cognito, postgres):
    url = prepare_database(postgres, "cruddur_upstream")
    edge = Edge("upstream", {**cognito.backend_env(), "CONNECTION_URL": url}, FRONTEND)
    try:
        yield edge
    finally:
        edge.stop()


def has(item, fields):
    return isinstance(item, dict) and all(field in item for field in fields)


def test_the_upstream_frontend_works_unchanged(edge, cognito, andrew):
    api = edge.url
    auth = {"Authorization": f"Bearer {andrew['AccessToken']}", "Origin": FRONTEND,
            "Content-Type": "application/json"}
    suffix = uuid.uuid4().hex[:8]
    friend_tokens = cognito.sign_up(f"ezri-{suffix}@example.com", "Ezri", f"ezri{suffix}")
    friend = {**auth, "Authorization": f"Bearer {friend_tokens['AccessToken']}"}
    checks: list[tuple[str, bool]] = []

    def check(name, ok):
        checks.append((name, bool(ok)))

    home = requests.get(api + "/api/activities/home", headers=auth, timeout=5)
    check("HomeFeedPage GET home: array of activities", home.status_code == 200 and all(has(a, ACTIVITY) for a in home.json()))
    check("HomeFeedPage: replies embedded", all(isinstance(a.get("replies"), list) for a in home.json()))
    notifications = requests.get(api + "/api/activities/notifications", headers=auth, timeout=5)
    check("NotificationsFeedPage GET notifications", notifications.status_code == 200
          and all(has(a, ACTIVITY) for a in notifications.json()))
    posted = requests.post(api + "/api/activities", json={"message": f"upstream {suffix}",
                                                          "ttl": "7-days"}, headers=auth, timeout=5)
    check("ActivityForm POST activities", posted.status_code == 200 and has(posted.json(), ACTIVITY))
    crud = posted.json()
    invalid = requests.post(api + "/api/activities", json={"message": "", "ttl": ""}, headers=auth, timeout=5)
    check("ActivityForm FormErrors: 422 is a bare array of codes", invalid.status_code == 422
          and invalid.json() == ["message_blank", "ttl_blank"])
    reply = requests.post(api + f"/api/activities/{crud['uuid']}/reply",
                          json={"activity_uuid": crud["uuid"], "message": "upstream reply"}, headers=friend, timeout=5)
    check("ReplyForm POST reply", reply.status_code == 200 and has(reply.json(), ACTIVITY)
          and reply.json()["reply_to_activity_uuid"] == crud["uuid"])
    handle = crud["handle"]
    user_page = requests.get(api + f"/api/activities/@{handle}", headers=auth, timeout=5)
    body = user_page.json() if user_page.status_code == 200 else {}
    check("UserFeedPage GET user feed: {profile, activities}", isinstance(body, dict) and "profile" in body
          and "activities" in body)
    check("ProfileHeading reads the profile", has(body.get("profile"), PROFILE))
    check("EditProfileButton: cognito_user_uuid is the signed-in sub",
          body.get("profile", {}).get("cognito_user_uuid") == claims_sub(andrew["AccessToken"]))
    check("UserFeedPage ActivityFeed", all(has(a, ACTIVITY) for a in body.get("activities", [None])))
    show = requests.get(api + f"/api/activities/@{handle}/status/{crud['uuid']}", timeout=5)
    shown = show.json() if show.status_code == 200 else {}
    check("ActivityShowPage GET status: activity", has(shown.get("activity"), ACTIVITY))
    check("ActivityShowPage: replies", [r.get("message") for r in shown.get("replies", [])] == ["upstream reply"])
    profile_update = requests.put(api + "/api/profile/update", json={"bio": "Upstream bio", "display_name": "Andrew Brown"},
                                  headers=auth, timeout=5)
    check("ProfileForm PUT profile/update", profile_update.status_code == 200
          and profile_update.json().get("bio") == "Upstream bio")
    profile_errors = requests.put(api + "/api/profile/update", json={"bio": "", "display_name": ""}, headers=auth,
                                  timeout=5)
    check("ProfileForm FormErrors", profile_errors.status_code == 422 and profile_errors.json() == ["display_name_blank"])
    short = requests.get(api + "/api/users/@andrewbrown/short", headers=friend, timeout=5)
    check("MessageGroupNewPage GET users short", short.status_code == 200 and has(short.json(), SHORT))
    new_group = requests.post(api + "/api/messages", json={"message": "upstream dm", "handle": handle}, headers=friend,
                              timeout=5)
    check("MessageForm POST messages with handle", new_group.status_code == 200 and has(new_group.json(), MESSAGE)
          and "message_group_uuid" in new_group.json())
    group_uuid = new_group.json().get("message_group_uuid")
    answer = requests.post(api + "/api/messages", json={"message": "upstream answer", "message_group_uuid": group_uuid},
                           headers=auth, timeout=5)
    check("MessageForm POST messages with message_group_uuid", answer.status_code == 200
          and has(answer.json(), MESSAGE))
    groups = requests.get(api + "/api/message_groups", headers=auth, timeout=5)
    check("MessageGroupsPage GET message_groups", groups.status_code == 200 and all(has(g, GROUP) for g in groups.json())
          and any(g["uuid"] == group_uuid and g["message"] == "upstream answer" for g in groups.json()))
    messages = requests.get(api + f"/api/messages/{group_uuid}", headers=auth, timeout=5)
    check("MessageGroupPage GET messages", messages.status_code == 200
          and [m["message"] for m in messages.json()] == ["upstream dm", "upstream answer"]
          and all(has(m, MESSAGE) for m in messages.json()))
    preflight = requests.options(api + "/api/profile/update", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type"}, timeout=5)
    check("CORS allows the PUT", "PUT" in preflight.headers.get("Access-Control-Allow-Methods", ""))
    search = requests.get(api + "/api/activities/search", params={"term": suffix}, headers=auth, timeout=5)
    check("Search", search.status_code == 200 and [a["uuid"] for a in search.json()] == [crud["uuid"]])

    passed = sum(ok for _, ok in checks)
    print(f"upstream frontend checks: {passed} of {len(checks)} pass")
    assert [name for name, ok in checks if not ok] == []


def claims_sub(token: str) -> str:
    import base64
    import json
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
