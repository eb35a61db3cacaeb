"""Issue 13: metrics that move by the right amounts, JSON logs that parse line by line, one request id from
Envoy's access log to the replica's, and a real Prometheus scraping a replica and the edge."""
import json
import time
import uuid

import pytest
import requests

from stack import Cluster, Edge, free_port, prepare_database, start_backend, start_prometheus
from support import FRONTEND

TRACE = "0af7651916cd43dd8448eb211c80319c"


def scrape(url: str) -> dict:
    """Every sample of /metrics, keyed by its name and labels as written."""
    response = requests.get(url + "/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def total(samples: dict, name: str, **labels) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(value for key, value in samples.items()
               if (key == name or key.startswith(name + "{")) and all(w in key for w in wanted))


@pytest.fixture(scope="module")
def observed(cognito):
    cluster = Cluster("postgres-observed")
    url = prepare_database(cluster, "cruddur_observed")
    process, backend = start_backend("backend-observed", {
        **cognito.backend_env(), "CONNECTION_URL": url, "LOG_FORMAT": "json", "LOG_LEVEL": "info",
        "FEED_CACHE_MS": "60000"})
    try:
        yield process, backend, cluster
    finally:
        process.stop()
        cluster.stop()


def test_counters_move_by_the_right_amounts(observed, andrew):
    process, backend, cluster = observed
    token = andrew["AccessToken"]
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    requests.get(backend + "/api/activities/home", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    before = scrape(backend)
    for _ in range(3):
        assert requests.get(backend + "/api/activities/home", timeout=5).status_code == 200
    refused = requests.get(backend + "/api/activities/notifications", headers={"Authorization": f"Bearer {tampered}"},
                           timeout=5)
    assert refused.status_code == 401
    assert requests.get(backend + "/api/activities/notifications", headers={"Authorization": "Bearer a.b"},
                        timeout=5).status_code == 401
    for _ in range(2):
        requests.get(backend + "/api/activities/home", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    after = scrape(backend)

    def delta(name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)

    assert delta("http_server_request_duration_count", http_route="/api/activities/home", http_response_status_code="200") == 5
    assert delta("http_server_request_duration_count", http_route="/api/activities/notifications",
                 http_response_status_code="401") == 2
    assert delta("cruddur_token_verifications_total", outcome="bad_signature") == 1
    assert delta("cruddur_token_verifications_total", outcome="malformed") == 1
    assert delta("cruddur_token_verifications_total", outcome="cached") == 2
    assert delta("cruddur_feed_cache_requests_total", result="hit") >= 4
    assert total(after, "cruddur_jwks_fetches_total", result="ok") >= 1
    assert total(after, "cruddur_jwks_last_success_timestamp_seconds") > time.time() - 3600
    assert total(after, "http_server_request_duration_count", http_route="/api/activities/home") >= 5

    # A database outage: the 503 bumps the database error count and the breaker shows it.
    cluster.stop("immediate")
    try:
        outage = requests.get(backend + "/api/users/@worf/short", timeout=10)
        assert outage.status_code == 503
        time.sleep(0.5)
        down = scrape(backend)
        assert total(down, "cruddur_db_call_errors_total", statement="user_by_handle") \
            - total(after, "cruddur_db_call_errors_total", statement="user_by_handle") >= 1
        assert total(down, "cruddur_db_breaker_state") == 2
        assert delta_503(after, down) >= 1
    finally:
        cluster.start()
    deadline = time.monotonic() + 10
    while requests.get(backend + "/api/users/@worf/short", timeout=5).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert total(scrape(backend), "cruddur_db_breaker_state") == 0


def delta_503(before: dict, after: dict) -> float:
    return total(after, "http_server_request_duration_count", http_response_status_code="503") \
        - total(before, "http_server_request_duration_count", http_response_status_code="503")


def test_json_logs_parse_line_by_line_with_one_request_and_trace_id(observed):
    process, backend, _ = observed
    request_id = f"obs-{uuid.uuid4()}"
    response = requests.get(backend + "/api/activities/home",
                            headers={"X-Request-Id": request_id, "traceparent": f"00-{TRACE}-b7ad6b7169203331-01"},
                            timeout=5)
    assert response.headers["X-Request-Id"] == request_id
    time.sleep(0.2)
    lines = [line for line in process.log_text().splitlines() if line.strip()]
    assert len(lines) > 10
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "message", "label"} <= set(entry) for entry in parsed)
    access = [entry for entry in parsed if entry.get("request_id") == request_id and entry["message"] == "request"]
    assert len(access) == 1, access
    line = access[0]
    assert line["level"] == "info" and line["route"] == "/api/activities/home" and line["status"] == "200"
    assert line["trace_id"] == TRACE and float(line["duration_ms"]) > 0 and int(line["bytes"]) > 0
    assert not any("eyJ" in text for text in lines), "a token reached the log"


def test_warning_level_silences_the_access_log(cognito):
    process, backend = start_backend("backend-quiet", {**cognito.backend_env(), "LOG_LEVEL": "warning",
                                                        "LOG_FORMAT": "json"})
    try:
        for _ in range(3):
            requests.get(backend + "/api/activities/home", timeout=5)
        time.sleep(0.2)
        assert not [line for line in process.log_text().splitlines() if '"message":"request"' in line]
    finally:
        process.stop()


def test_one_request_id_from_envoys_access_log_to_the_replicas_line(cognito):
    edge = Edge("observed-edge", {**cognito.backend_env(), "LOG_FORMAT": "json"}, FRONTEND)
    try:
        response = requests.get(edge.url + "/api/activities/home", timeout=5)
        assert response.status_code == 200
        request_id = response.headers["X-Request-Id"]
        time.sleep(1.5)  # Envoy flushes its access log on a timer
        envoy_lines = [json.loads(line) for line in edge.envoy.log_text().splitlines() if line.startswith("{")]
        assert any(entry["request_id"] == request_id and entry["path"] == "/api/activities/home"
                   for entry in envoy_lines), envoy_lines[-3:]
        backend_lines = [json.loads(line) for line in edge.backend.log_text().splitlines() if line.startswith("{")]
        assert any(entry.get("request_id") == request_id and entry["message"] == "request" for entry in backend_lines)
    finally:
        edge.stop()


def test_a_real_prometheus_scrapes_a_replica_and_the_edge(cognito, tmp_path):
    edge = Edge("prometheus-edge", cognito.backend_env(), FRONTEND)
    prometheus = None
    try:
        port = free_port()
        prometheus = start_prometheus(port, edge.ports[:1], edge.admin_port, tmp_path, interval="1s")
        deadline = time.monotonic() + 30
        query = f"http://127.0.0.1:{port}/api/v1/query"
        while True:
            for _ in range(20):
                requests.get(edge.url + "/api/activities/home", timeout=5)
            rate = requests.get(query, params={"query": 'sum(rate(http_server_request_duration_count{http_route="/api/activities/home"}[5s]))'},
                                timeout=5).json()["data"]["result"]
            envoy = requests.get(query, params={"query": "sum(envoy_http_downstream_rq_total)"}, timeout=5).json()
            if rate and float(rate[0]["value"][1]) > 0 and envoy["data"]["result"]:
                break
            assert time.monotonic() < deadline, (rate, envoy)
            time.sleep(1)
        up = requests.get(query, params={"query": "up"}, timeout=5).json()["data"]["result"]
        assert {series["metric"]["job"]: series["value"][1] for series in up} == {"cruddur": "1", "envoy": "1"}
    finally:
        if prometheus is not None:
            prometheus.stop()
        edge.stop()


def test_a_traceparent_continues_in_spans_for_the_request_its_token_and_its_database_call(cognito, postgres, andrew):
    url = prepare_database(postgres, "cruddur_traced")
    process, backend = start_backend("backend-traced", {
        **cognito.backend_env(), "CONNECTION_URL": url, "LOG_FORMAT": "json", "LOG_LEVEL": "debug"})
    try:
        parent = "b7ad6b7169203331"
        response = requests.get(backend + "/api/activities/notifications",
                                headers={"traceparent": f"00-{TRACE}-{parent}-01",
                                         "Authorization": f"Bearer {andrew['AccessToken']}"}, timeout=10)
        assert response.status_code == 200
        time.sleep(0.3)
        entries = [json.loads(line) for line in process.log_text().splitlines() if line.startswith("{")]
        spans = [entry for entry in entries if entry["message"] == "span" and entry.get("trace_id") == TRACE]
        roots = [span for span in spans if span.get("parent_span_id") == parent]
        assert len(roots) == 1, spans
        root = roots[0]["span_id"]
        names = {span["span"] for span in spans if span.get("parent_span_id") == root}
        assert "token verify" in names, names  # a fresh process: a cache miss
        assert any(name.startswith("db ") for name in names), names
        access = [entry for entry in entries if entry["message"] == "request"
                  and entry.get("route") == "/api/activities/notifications"]
        assert access and access[-1]["trace_id"] == TRACE
        # Without a traceparent the request starts a trace, and its access log line carries that trace.
        requests.get(backend + "/api/activities/home", headers={"X-Request-Id": "untraced-1"}, timeout=5)
        time.sleep(0.3)
        entries = [json.loads(line) for line in process.log_text().splitlines() if line.startswith("{")]
        line = next(e for e in entries if e.get("request_id") == "untraced-1" and e["message"] == "request")
        assert any(e["message"] == "span" and e.get("trace_id") == line["trace_id"] for e in entries)
    finally:
        process.stop()
