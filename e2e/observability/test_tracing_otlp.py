"""Issue 13, traces: with an OTLP endpoint set, spans leave through swift-otel's OTLP/HTTP exporter and reach a
receiver that decodes them with OpenTelemetry's own protobuf definitions; the edge's trace continues in them,
SIGTERM sends the spans still batched, and a collector that is down costs requests nothing."""
import json
import secrets
import time

import pytest
import requests

from stack import free_port, prepare_database, start_backend
from support.otlp_collector import OTLPCollector


@pytest.fixture
def collector():
    receiver = OTLPCollector()
    yield receiver
    receiver.stop()


def traced_backend(name, cognito, postgres, endpoint, **env):
    url = prepare_database(postgres, f"cruddur_{name.replace('-', '_')}")
    return start_backend(name, {
        **cognito.backend_env(), "CONNECTION_URL": url, "LOG_FORMAT": "json", "LOG_LEVEL": "info",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", **env})


def log_entries(process) -> list[dict]:
    return [json.loads(line) for line in process.log_text().splitlines() if line.startswith("{")]


def test_the_callers_trace_reaches_an_otlp_collector_as_a_server_span_with_its_children(
        cognito, postgres, andrew, collector):
    process, backend = traced_backend("backend-otlp", cognito, postgres, collector.url)
    try:
        trace, parent = secrets.token_hex(16), secrets.token_hex(8)
        response = requests.get(backend + "/api/activities/notifications",
                                headers={"traceparent": f"00-{trace}-{parent}-01",
                                         "Authorization": f"Bearer {andrew['AccessToken']}"}, timeout=10)
        assert response.status_code == 200
        spans = collector.wait_for_trace(trace, parent)
        roots = [span for span in spans if span["parent_span_id"] == parent]
        assert len(roots) == 1, spans
        root = roots[0]
        assert root["service"] == "cruddur-backend"
        assert root["kind"] == "SPAN_KIND_SERVER" and root["name"] == "/api/activities/notifications"
        assert root["attributes"]["http.route"] == "/api/activities/notifications"
        assert root["attributes"]["http.response.status_code"] == 200
        assert root["attributes"]["http.request.method"] == "GET"
        children = [span for span in spans if span["parent_span_id"] == root["span_id"]]
        names = {span["name"] for span in children}
        assert "token verify" in names, names  # a fresh process: the token cache misses
        database = [span for span in children if span["name"].startswith("db ")]
        assert database and all(span["kind"] == "SPAN_KIND_CLIENT" for span in database), children
        assert all(0 < span["duration_ns"] <= root["duration_ns"] for span in children)
        # The access log line names the same trace, and with a collector no span is written to the log.
        entries = log_entries(process)
        access = [e for e in entries if e["message"] == "request" and e.get("route") == "/api/activities/notifications"]
        assert access and access[-1]["trace_id"] == trace
        assert not [e for e in entries if e["message"] == "span"]
        # Without a traceparent the backend starts a trace: its access log line names the trace exported.
        requests.get(backend + "/api/activities/home", headers={"X-Request-Id": "otlp-untraced"}, timeout=5)
        time.sleep(0.3)
        line = next(e for e in log_entries(process) if e.get("request_id") == "otlp-untraced")
        started = [span for span in collector.wait_for_trace(line["trace_id"]) if span["parent_span_id"] == ""]
        assert [span["name"] for span in started] == ["/api/activities/home"]
    finally:
        process.stop()
    assert process.popen.returncode == 0


def test_sigterm_sends_the_spans_still_waiting_in_the_batch(cognito, postgres, collector):
    # A minute's batch delay: nothing is sent on the timer during this test, only at shutdown.
    process, backend = traced_backend("backend-otlp-flush", cognito, postgres, collector.url,
                                      OTEL_BSP_SCHEDULE_DELAY="60000")
    trace = secrets.token_hex(16)
    try:
        assert requests.get(backend + "/api/activities/home",
                            headers={"traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"}, timeout=5).ok
        time.sleep(0.5)
        assert collector.trace(trace) == []
    finally:
        process.stop()
    assert process.popen.returncode == 0
    assert {span["name"] for span in collector.trace(trace)} == {"/api/activities/home", "db home_feed"}


def test_a_collector_that_is_down_costs_requests_nothing_and_shutdown_stays_bounded(cognito, postgres):
    closed = f"http://127.0.0.1:{free_port()}"
    process, backend = traced_backend("backend-otlp-down", cognito, postgres, closed,
                                      OTEL_EXPORTER_OTLP_TIMEOUT="1000", SHUTDOWN_TIMEOUT_SECONDS="5")
    try:
        started = time.monotonic()
        for _ in range(50):
            assert requests.get(backend + "/api/activities/home", timeout=5).status_code == 200
        assert time.monotonic() - started < 10
        assert process.popen.poll() is None
    finally:
        stopping = time.monotonic()
        process.stop()
    assert time.monotonic() - stopping < 8 and process.popen.returncode == 0
