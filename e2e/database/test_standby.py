"""Issue 23 with a real primary, a real streaming standby (pg_basebackup -R), two replicas and Envoy: anonymous
reads served by the standby (read from the standby's own statistics), moved to the primary when its replay
lags or it stops, and back; a caller's own writes seen at once through the other replica whatever the lag."""
import threading
import time
import uuid

import pytest
import requests

from stack import Cluster, Edge, prepare_database
from support import FRONTEND, bearer
from support.load import LoadThreads

MAX_LAG_MS, PROBE_MS = 500, 100
DATABASE = "cruddur_standby"


@pytest.fixture(scope="module")
def replicated(cognito):
    primary = Cluster("standby-primary")
    standby = edge = None
    try:
        url = prepare_database(primary, DATABASE)
        standby = Cluster("standby-standby", primary=primary)
        primary.wait_streaming("standby-standby")
        env = {**cognito.backend_env(), "CONNECTION_URL": url, "READ_CONNECTION_URL": standby.url_for(DATABASE),
               "REPLICA_MAX_LAG_MS": str(MAX_LAG_MS), "REPLICA_PROBE_MS": str(PROBE_MS), "FEED_CACHE_MS": "0"}
        edge = Edge("standby", env, FRONTEND, replicas=2, envoy_env={"EDGE_WRITE_BURST": "100000"})
        wait_standby_state(edge, "ok")
        yield edge, primary, standby
    finally:
        if edge is not None:
            edge.stop()
        for cluster in [standby, primary]:
            if cluster is not None:
                cluster.stop()


def readiness(edge, index: int = 0) -> dict:
    return requests.get(f"http://127.0.0.1:{edge.ports[index]}/api/health-check", timeout=5).json()


def wait_standby_state(edge, state: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not all(readiness(edge, index)["checks"].get("standby") == state for index in range(len(edge.ports))):
        assert time.monotonic() < deadline, [readiness(edge, index) for index in range(len(edge.ports))]
        time.sleep(0.05)


def activity_reads(cluster: Cluster) -> int:
    """How many scans of `activities` this server ran, by its own statistics (flushed at most every second, or
    after ten idle seconds)."""
    return int(cluster.psql("SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) FROM pg_stat_user_tables "
                            "WHERE relname = 'activities'", database=DATABASE).strip())


def wait_reads(cluster: Cluster, at_least: int, seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while (count := activity_reads(cluster)) < at_least:
        assert time.monotonic() < deadline, f"{count} scans, expected {at_least}"
        time.sleep(0.2)
    return count


def anonymous_homes(edge, count: int) -> None:
    session = requests.Session()
    for _ in range(count):
        assert session.get(edge.url + "/api/activities/home", timeout=5).status_code == 200


def messages(response) -> list[str]:
    assert response.status_code == 200, response.text[:200]
    return [item["message"] for item in response.json()]


def test_anonymous_reads_are_served_by_the_standby(replicated):
    edge, primary, standby = replicated
    before_standby, before_primary = activity_reads(standby), activity_reads(primary)
    anonymous_homes(edge, 200)
    wait_reads(standby, before_standby + 200)
    time.sleep(1.5)  # the primary's statistics flushed too, had it served any
    assert activity_reads(primary) - before_primary < 20


def test_a_paused_standby_loses_its_reads_and_a_caller_sees_their_write_at_once(replicated, andrew):
    edge, primary, standby = replicated
    a, b = (f"http://127.0.0.1:{port}" for port in edge.ports)
    standby.psql("SELECT pg_wal_replay_pause()")
    try:
        message = f"standby paused {uuid.uuid4()}"
        posted = requests.post(a + "/api/activities", json={"message": message, "ttl": "1-hour"},
                               headers=bearer(andrew), timeout=5)
        assert posted.status_code == 200
        acknowledged = time.monotonic()
        # The caller, through the other replica, at once: their reads go to the primary.
        assert message in messages(requests.get(b + "/api/activities/home", headers=bearer(andrew), timeout=5))
        # Anonymous readers may lag, by the bound plus one probe at most.
        while message not in messages(requests.get(b + "/api/activities/home", timeout=5)):
            assert time.monotonic() - acknowledged < 5, "anonymous reads never moved to the primary"
            time.sleep(0.01)
        moved = time.monotonic() - acknowledged
        print(f"anonymous reads moved to the primary {moved * 1000:.0f} ms after the write")
        assert moved <= (MAX_LAG_MS + PROBE_MS) / 1000 + 0.2, moved
        report = readiness(edge, 1)
        assert report["success"] and report["checks"]["standby"] == "degraded", report
        # While it lags, anonymous reads stay on the primary. Reads the standby served before the switch
        # reach its statistics up to a second later (a backend flushes its counters at most once a second).
        time.sleep(1.5)
        before = activity_reads(standby)
        anonymous_homes(edge, 50)
        assert activity_reads(standby) == before
    finally:
        standby.psql("SELECT pg_wal_replay_resume()")
    wait_standby_state(edge, "ok")
    before = activity_reads(standby)
    anonymous_homes(edge, 100)
    wait_reads(standby, before + 100)


class Load(LoadThreads):
    """Anonymous and signed-in readers and a writer (with Idempotency-Keys) through Envoy, every outcome kept."""

    def __init__(self, url: str, tokens: dict):
        super().__init__()
        self.url, self.headers = url, bearer(tokens)
        self.failures: list = []
        self.requests = 0
        self.threads = [threading.Thread(target=self.read, args=(signed_in,)) for signed_in in [False, False, True]]
        self.threads.append(threading.Thread(target=self.write))

    def record(self, outcome) -> None:
        with self.lock:
            self.requests += 1
            if outcome is not None:
                self.failures.append(outcome)

    def read(self, signed_in: bool) -> None:
        session = requests.Session()
        path = "/api/activities/home"
        while not self.stop_event.is_set():
            try:
                response = session.get(self.url + path, headers=self.headers if signed_in else {}, timeout=10)
                self.record(None if response.status_code == 200 else (path, response.status_code))
            except requests.RequestException as error:
                self.record((path, repr(error)))

    def write(self) -> None:
        session = requests.Session()
        while not self.stop_event.is_set():
            try:
                response = session.post(self.url + "/api/activities", json={"message": f"standby load {uuid.uuid4()}",
                                        "ttl": "1-hour"}, headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
                                        timeout=10)
                self.record(None if response.status_code == 200 else ("POST", response.status_code))
            except requests.RequestException as error:
                self.record(("POST", repr(error)))
            time.sleep(0.02)


def test_the_standby_stopped_fails_no_request_and_back_it_serves_again(replicated, andrew):
    edge, primary, standby = replicated
    with Load(edge.url, andrew) as load:
        time.sleep(1)
        standby.stop()
        time.sleep(2)
        stopped = readiness(edge)
        before = activity_reads(primary)
        time.sleep(1.5)
        assert activity_reads(primary) > before  # the primary serves every read now
        standby.start()
        wait_standby_state(edge, "ok")
        time.sleep(1)
    assert stopped["success"] and stopped["checks"]["standby"] == "degraded", stopped
    assert load.requests > 100
    assert load.failures == [], load.failures[:10]
    before = activity_reads(standby)
    anonymous_homes(edge, 100)
    wait_reads(standby, before + 100)


def test_each_standby_is_measured_and_used_on_its_own(cognito):
    """Two standbys in one READ_CONNECTION_URL: reads take turns over both; one paused, the other serves alone."""
    primary = Cluster("standbys-primary")
    first = second = edge = None
    try:
        prepare_database(primary, DATABASE)
        first = Cluster("standbys-first", primary=primary)
        second = Cluster("standbys-second", primary=primary)
        for name in ["standbys-first", "standbys-second"]:
            primary.wait_streaming(name)
        both = f"postgresql://postgres@127.0.0.1:{first.port},127.0.0.1:{second.port}/{DATABASE}"
        env = {**cognito.backend_env(), "CONNECTION_URL": primary.url_for(DATABASE), "READ_CONNECTION_URL": both,
               "REPLICA_MAX_LAG_MS": str(MAX_LAG_MS), "REPLICA_PROBE_MS": str(PROBE_MS), "FEED_CACHE_MS": "0"}
        edge = Edge("standbys", env, FRONTEND, replicas=1)
        wait_standby_state(edge, "ok")
        before = [activity_reads(first), activity_reads(second)]
        anonymous_homes(edge, 200)
        wait_reads(first, before[0] + 50)
        wait_reads(second, before[1] + 50)

        first.psql("SELECT pg_wal_replay_pause()")
        requests.post(edge.url + "/api/activities", json={"message": f"standbys {uuid.uuid4()}", "ttl": "1-hour"},
                      headers={"Authorization": "Bearer " + cognito.sign_in("andrew@exampro.co")["AccessToken"]},
                      timeout=5).raise_for_status()
        wait_standby_state(edge, "degraded")
        time.sleep(1.5)  # the paused standby's statistics flushed
        paused, serving = activity_reads(first), activity_reads(second)
        anonymous_homes(edge, 100)
        wait_reads(second, serving + 100)
        time.sleep(1.5)
        assert activity_reads(first) == paused
        first.psql("SELECT pg_wal_replay_resume()")
        wait_standby_state(edge, "ok")
    finally:
        if edge is not None:
            edge.stop()
        for cluster in [second, first, primary]:
            if cluster is not None:
                cluster.stop()
