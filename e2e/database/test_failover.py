"""Issue 23's failover, with a real primary and a real synchronous standby (pg_basebackup -R,
synchronous_standby_names), two replicas whose CONNECTION_URL lists both servers, and Envoy: under signed-in
writes with Idempotency-Keys and reads, `kill -9` of the primary and `pg_ctl promote` of the standby. Writes
resume on their own, every acknowledged write is on the new primary exactly once, no request outlives the
deadline, and GETs fail only while no server accepts them."""
import signal
import threading
import time
import uuid

import requests

from stack import Cluster, Edge, prepare_database
from support import FRONTEND, bearer
from support.load import LoadThreads

DATABASE = "cruddur_failover"
DEADLINE = 3  # the store's bound on one call


class Load(LoadThreads):
    """Writers that retry each crud with its key until acknowledged, and readers (anonymous and signed in), all
    through Envoy; every request's outcome and duration kept."""

    join_seconds = DEADLINE + 10

    def __init__(self, url: str, tokens: dict, writers: int = 4):
        super().__init__()
        self.url, self.headers = url, bearer(tokens)
        self.outcomes: list[tuple[str, float, float, object]] = []  # (kind, started, ended, status or error)
        self.acknowledged: list[str] = []
        self.threads = [threading.Thread(target=self.write) for _ in range(writers)]
        self.threads += [threading.Thread(target=self.read, args=(kind,)) for kind in ["anonymous", "signed_in"]]

    def record(self, kind: str, started: float, outcome) -> None:
        with self.lock:
            self.outcomes.append((kind, started, time.monotonic(), outcome))

    def read(self, kind: str) -> None:
        session = requests.Session()
        headers = self.headers if kind == "signed_in" else {}
        while not self.stop_event.is_set():
            started = time.monotonic()
            try:
                response = session.get(self.url + "/api/activities/home", headers=headers, timeout=DEADLINE + 7)
                self.record(kind, started, response.status_code)
            except requests.RequestException as error:
                self.record(kind, started, repr(error))
                session = requests.Session()
            time.sleep(0.01)

    def write(self) -> None:
        session = requests.Session()
        while not self.stop_event.is_set():
            message, key = f"failover {uuid.uuid4()}", str(uuid.uuid4())
            while not self.stop_event.is_set():
                started = time.monotonic()
                try:
                    response = session.post(self.url + "/api/activities", json={"message": message, "ttl": "1-day"},
                                            headers={**self.headers, "Idempotency-Key": key}, timeout=DEADLINE + 7)
                    self.record("write", started, response.status_code)
                    if response.status_code == 200:
                        with self.lock:
                            self.acknowledged.append(message)
                        break
                except requests.RequestException as error:
                    self.record("write", started, repr(error))
                    session = requests.Session()
                time.sleep(0.05)


def test_kill_9_of_the_primary_and_promotion_of_its_synchronous_standby(cognito, andrew):
    primary = Cluster("failover-primary")
    standby = edge = None
    try:
        prepare_database(primary, DATABASE)
        standby = Cluster("failover-standby", primary=primary)
        primary.wait_streaming("failover-standby")
        primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        primary.psql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 10
        while primary.psql("SELECT sync_state FROM pg_stat_replication").strip() != "sync":
            assert time.monotonic() < deadline, "the standby never became synchronous"
            time.sleep(0.1)
        both = f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}/{DATABASE}"
        env = {**cognito.backend_env(), "CONNECTION_URL": both, "READ_CONNECTION_URL": standby.url_for(DATABASE),
               "DRAIN_SECONDS": "1", "SHUTDOWN_TIMEOUT_SECONDS": "5"}
        edge = Edge("failover", env, FRONTEND, replicas=2, envoy_env={"EDGE_WRITE_BURST": "100000"})

        with Load(edge.url, andrew) as load:
            time.sleep(2)
            primary.kill()
            killed = time.monotonic()
            time.sleep(2)
            standby.promote()
            promoted = time.monotonic()
            time.sleep(5)

        writes = [o for o in load.outcomes if o[0] == "write"]
        resumed = [ended for _, started, ended, status in writes if status == 200 and started >= promoted]
        assert resumed, "no write succeeded after the promotion"
        first_after = min(resumed) - promoted
        longest = max(ended - started for _, started, ended, _ in load.outcomes)
        failed_gets = {kind: [(round(started - killed, 2), status) for k, started, _, status in load.outcomes
                              if k == kind and status != 200] for kind in ["anonymous", "signed_in"]}
        statuses = {str(status) for _, _, _, status in load.outcomes}
        print(f"failover: {len(load.acknowledged)} writes acknowledged, first after promotion in {first_after:.2f} s,"
              f" longest request {longest:.2f} s, failed GETs {({k: len(v) for k, v in failed_gets.items()})},"
              f" statuses {sorted(statuses)}")
        assert first_after <= 5, first_after
        assert longest <= DEADLINE + 2, longest
        assert statuses <= {"200", "503"}, statuses
        # Anonymous reads stay on the standby while no primary accepts anything; signed-in reads need the
        # primary, so they fail only between the kill and the promotion.
        assert failed_gets["anonymous"] == [], failed_gets["anonymous"][:10]
        assert all(-0.5 <= at <= promoted - killed + 1.5 for at, _ in failed_gets["signed_in"]), failed_gets

        rows = standby.psql("SELECT message, count(*) FROM activities WHERE message LIKE 'failover %' GROUP BY 1",
                            database=DATABASE)
        stored = dict(line.rsplit("|", 1) for line in rows.splitlines())
        assert load.acknowledged
        wrong = {m: stored.get(m, "0") for m in load.acknowledged if stored.get(m) != "1"}
        assert wrong == {}, f"acknowledged cruds stored other than once on the new primary: {wrong}"
        assert all(count == "1" for count in stored.values())

        # Cache invalidation listens on the new primary: a crud posted through one replica is on the other's
        # cached home at once.
        a, b = (f"http://127.0.0.1:{port}" for port in edge.ports)
        assert requests.get(b + "/api/activities/home", headers=bearer(andrew), timeout=5).status_code == 200
        message = f"after failover {uuid.uuid4()}"
        posted = requests.post(a + "/api/activities", json={"message": message, "ttl": "1-hour"},
                               headers=bearer(andrew), timeout=5)
        assert posted.status_code == 200
        shown = time.monotonic()
        while message not in [i["message"] for i in
                              requests.get(b + "/api/activities/home", headers=bearer(andrew), timeout=5).json()]:
            assert time.monotonic() - shown < 2, "the other replica's cache was not invalidated"
            time.sleep(0.01)

        for process in edge.replicas:
            process.popen.send_signal(signal.SIGTERM)
            assert process.popen.wait(timeout=15) == 0, process.log_text()[-2000:]
    finally:
        if edge is not None:
            edge.stop()
        for cluster in [standby, primary]:
            if cluster is not None:
                cluster.stop("immediate")
