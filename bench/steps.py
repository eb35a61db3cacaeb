"""The procedures of a run that are more than one wrk scenario: rounds read as paired ratios, a profile, data
grown between scenarios, the soak, and the database tier of issue 23 (standby, synchronous commit, expiry)."""
import json
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from functools import partial

import requests

from .measure import Bench
from .rig import BENCH, rss_mib
from .scenarios import CEILINGS, CREATE, LARGE, OBSERVED, READ_ROUTES, Scenario


def turned_rounds(bench: Bench, scenarios: list[Scenario], rounds: int, seconds: int, warm_seconds: int) -> None:
    """Each scenario warmed, then `rounds` rounds of every scenario once, recorded as `<name> #<round>`, the order
    turned by one each round, so that a slow second of this shared machine does not land on one of them every
    time: bench/report.py reads the median over rounds of the ratios within each round."""
    for scenario in scenarios:
        bench.warm(scenario.target, scenario.path, tokens=scenario.tokens, seconds=warm_seconds)
    for number in range(1, rounds + 1):
        for scenario in scenarios[number % len(scenarios):] + scenarios[:number % len(scenarios)]:
            bench.wrk(scenario, name=f"{scenario.name} #{number}", seconds=seconds)


def ceilings(bench: Bench, rounds: int = 3) -> None:
    """Our liveness route against a bare Hummingbird route, our edge against a bare Envoy."""
    turned_rounds(bench, CEILINGS, rounds, bench.ceiling_seconds, warm_seconds=2)


def edge_parts(bench: Bench, rounds: int = 3) -> None:
    """The jwt_authn edge with one part removed at a time (scenarios.EDGE_PARTS), beside the whole edge and the
    bare Envoy, on the liveness route: what each part of the edge costs."""
    from .scenarios import EDGE_PARTS
    targets = [("whole", "envoy-jwt"), ("bare", "envoy-bare")]
    for part, change in EDGE_PARTS.items():
        name = "envoy-jwt-" + part.replace(" ", "-").replace(",", "")
        bench.rig.edge_variant(name, "envoy-jwt", change)
        targets.append((part, name))
    scenarios = [Scenario(f"edge part: {part}", target, "/api/health", tokens=None) for part, target in targets]
    turned_rounds(bench, scenarios, rounds, bench.ceiling_seconds, warm_seconds=1)


def edge_instructions(bench: Bench) -> None:
    """Envoy's instructions per request (bench/instructions.py): the jwt_authn edge and the bare Envoy on the
    liveness route (open), the home feed anonymous (public) and signed in; then the edge with one part taken out
    at a time (scenarios.EDGE_PARTS) on the liveness route. Each figure is one count; one part's cost is the
    difference from the whole edge's."""
    from .instructions import per_request
    from .scenarios import EDGE_PARTS
    signed_in = {"Authorization": "Bearer " + bench.rig.one.read_text().strip()}
    whole, bare = partial(bench.rig.edge_config, "envoy-jwt", None), partial(bench.rig.bare_config, "server")
    counts = {}
    for label, path, headers in [("liveness", "/api/health", {}), ("home anonymous", "/api/activities/home", {}),
                                 ("home signed in", "/api/activities/home", signed_in)]:
        for edge, config in [("the whole edge", whole), ("a bare Envoy", bare)]:
            counts[edge, label] = per_request(f"instructions-{len(counts)}", config, bench.out, path, headers)
            print(f"bench: {edge}, {label}: {counts[edge, label]:.0f} instructions per request", flush=True)
        ratio = counts["the whole edge", label] / counts["a bare Envoy", label]
        bench.record({"kind": "instructions", "name": f"Envoy instructions per request, {label}: edge / bare",
                      "value": f"{counts['the whole edge', label]:.0f} / {counts['a bare Envoy', label]:.0f}"
                               f" = {ratio:.3f}"})
    for part, change in EDGE_PARTS.items():
        count = per_request(f"instructions-{len(counts)}", partial(bench.rig.edge_config, "envoy-jwt", change),
                            bench.out, "/api/health", {})
        counts[part, "liveness"] = count
        saved = counts["the whole edge", "liveness"] - count
        print(f"bench: edge part: {part}: {count:.0f} instructions per request", flush=True)
        bench.record({"kind": "instructions", "name": f"Envoy instructions per request, liveness, edge with {part}",
                      "value": f"{count:.0f} ({saved:+.0f} against the whole edge)"})


def observability(bench: Bench, rounds: int, seconds: int) -> None:
    """Run to run, one server's req/s moves by 20% on this shared machine, within a run by less over seconds:
    the price of metrics and logs is the median over short rounds of each one's ratio to the server without
    metrics in the same round, never from one pair. Then the same price read from one server: the share of its
    CPU samples in metrics and logging code (bench/observability-share.py)."""
    scenarios = [Scenario(f"home signed in, {label}", server, "/api/activities/home") for label, server in OBSERVED]
    turned_rounds(bench, scenarios, rounds, seconds, warm_seconds=2)
    if shutil.which("perf") is None:
        return
    profile = bench.out / "observed.perf"
    pid = bench.rig.pid("server-observed")
    recorder = subprocess.Popen(["perf", "record", "-q", "-F", "999", "-g", "-p", str(pid), "-o", str(profile),
                                 "--", "sleep", str(bench.duration)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    bench.wrk(Scenario("home signed in, metrics + JSON access log, profiled", "server-observed",
                       "/api/activities/home"))
    recorder.wait()
    share = subprocess.run([sys.executable, str(BENCH / "observability-share.py"), str(profile)], check=True,
                           capture_output=True, text=True).stdout
    bench.record({**json.loads(share), "kind": "share", "name": "observability share"})


def read_routes(bench: Bench) -> None:
    for scenario in READ_ROUTES:
        bench.wrk(scenario)
        bench.replay(scenario)
    bench.replay(Scenario("home signed in, no feed cache", "server", "/api/activities/home"))


def create(bench: Bench) -> None:
    bench.wrk(CREATE)
    bench.replay(CREATE)


def messages(bench: Bench) -> None:
    """The bench user's conversation list and a long conversation, at 1k and at 100k messages."""
    group = bench.rig.sql("SELECT md5('bench-group-0')::uuid")
    for size in [1000, 100000]:
        bench.rig.sql_file("messages.sql", start=int(bench.rig.sql("SELECT count(*) FROM messages")) + 1, end=size)
        label = f"{size // 1000}k messages"
        bench.wrk(Scenario(f"message groups, {label}", "server", "/api/message_groups"))
        bench.wrk(Scenario(f"a conversation, {label}", "server", f"/api/messages/{group}"))


def large(bench: Bench) -> None:
    """The 1M-row table is the 10k one plus older rows: the cruds "create a crud" added (5-6k, newer than any
    other, none with "cloud") go first, or the 1M figures would measure them too: search for "cloud" walks past
    each of them (docs/performance.md), 8.4x its 10k p50 in the run that kept them. The load leaves 90k dead
    rows (the replies' counts), so autovacuum would run through the first 1M-row scenarios: vacuum and
    checkpoint first, so they measure the table."""
    rig = bench.rig
    rig.sql("DELETE FROM activities WHERE message = 'A benchmark crud'")
    print("bench: growing the table to 1M activities", flush=True)
    rig.sql_file("data.sql", start=9001, end=909000)
    rig.sql("VACUUM ANALYZE activities")
    rig.sql("CHECKPOINT")
    print(f"bench: {rig.sql('SELECT count(*) FROM activities')} activities", flush=True)
    for scenario in [*LARGE, *READ_ROUTES]:
        name = scenario.name if scenario in LARGE else f"{scenario.name}, 1M rows"
        bench.wrk(replace(scenario, replay=False), name=name)


def soak(bench: Bench, seconds: int) -> None:
    """The mixed load at 256 connections for `seconds`, the server's RSS every 30 s."""
    from .scenarios import MIXED
    pid = bench.rig.pid("server")
    print(f"bench: soak, mixed load at 256 connections for {seconds} s, RSS every 30 s", flush=True)

    def sample(second: int) -> None:
        mib = rss_mib(pid)
        bench.record({"kind": "rss_sample", "name": f"rss at {second} s", "second": second, "mib": mib})
        print(f"bench: soak at {second} s, server RSS {mib} MiB", flush=True)

    sample(0)
    load = threading.Thread(target=bench.wrk, args=(MIXED,),
                            kwargs={"name": "soak: mixed signed-in load, 256 connections", "seconds": seconds})
    load.start()
    for second in range(30, seconds + 1, 30):
        time.sleep(30)
        sample(second)
    load.join()


def standby(bench: Bench) -> None:
    """Issue 23's database tier: a streaming standby of the bench database serving anonymous home (req/s, and the
    primary's CPU per request with and without it), its replay lag under the create load, the price of
    synchronous commit on create, and the create p99 while the expiry job deletes 100k expired cruds against the
    same server's with the job idle."""
    from stack import Cluster
    rig = bench.rig
    print("bench: a streaming standby of the bench database", flush=True)
    # As durable as the primary: synchronous commit waits for the standby's flush, which is what it costs.
    copy = Cluster("postgres-standby", primary=rig.postgres, under=bench.out, durable=True)
    rig.standby = copy
    reads = rig.serve("server-standby", {"FEED_CACHE_MS": "0", "READ_CONNECTION_URL": copy.url_for("cruddur_bench"),
                                         "REPLICA_PROBE_MS": "100"})
    while '"standby":"ok"' not in requests.get(reads + "/api/health-check", timeout=2).text:
        time.sleep(0.1)

    # Anonymous home without the feed cache, served by the standby and by the primary, in turns; the primary's
    # CPU per request from its processes' counters (PostgreSQL's, not the server's, which runs on both).
    bench.warm("server-standby", "/api/activities/home", tokens=None, seconds=2)
    for number in [1, 2, 3]:
        for where, server in [("primary", "server-no-cache"), ("standby", "server-standby")]:
            bench.wrk(Scenario("", server, "/api/activities/home", tokens=None),
                      name=f"anonymous home, no feed cache, on the {where} #{number}", postgres_cpu=True)

    # The standby's replay lag under the create load, as the server measures it (its metric, every 100 ms) and
    # as PostgreSQL does (pg_stat_replication.replay_lag on the primary).
    samples, stop = [], threading.Event()

    def sample_lag() -> None:
        while not stop.is_set():
            text = requests.get(reads + "/metrics", timeout=2).text
            server = next((line.rsplit(" ", 1)[1] for line in text.splitlines()
                           if line.startswith("cruddur_standby_replay_lag_seconds{")), None)
            postgres = rig.postgres.psql("SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication")
            if server is not None and postgres.strip():
                samples.append((float(server), float(postgres.strip())))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample_lag)
    sampler.start()
    writes = replace(CREATE, target="server-standby", replay=False)
    bench.wrk(writes, name="create a crud, asynchronous standby, lag sampled")
    stop.set()
    sampler.join()
    for index, source in enumerate(["the server's measurement", "pg_stat_replication.replay_lag"]):
        values = sorted(sample[index] for sample in samples)
        percentile = (lambda p: round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 2)) \
            if values else (lambda p: None)
        bench.record({"kind": "lag", "name": f"replay lag under create, {source}", "samples": len(values),
                      "p50_ms": percentile(0.5), "p99_ms": percentile(0.99)})

    # The price of synchronous commit: create with the standby synchronous and asynchronous, in turns.
    for number in [1, 2]:
        for mode in ["synchronous", "asynchronous"]:
            names = '"postgres-standby"' if mode == "synchronous" else ""
            rig.postgres.psql(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
            rig.postgres.psql("SELECT pg_reload_conf()")
            time.sleep(0.5)
            bench.wrk(writes, name=f"create a crud, {mode} standby #{number}")
    rig.postgres.psql("ALTER SYSTEM SET synchronous_standby_names = ''")
    rig.postgres.psql("SELECT pg_reload_conf()")
    expiry(bench)


EXPIRED = """
WITH parents AS (
  INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at)
  SELECT gen_random_uuid(), (SELECT uuid FROM users ORDER BY handle LIMIT 1), 'expired ' || g,
         now() - interval '2 hours', now() - interval '3 hours'
  FROM generate_series(1, 90000) g RETURNING uuid, user_uuid)
INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at, reply_to_activity_uuid, reply_to_user_uuid)
SELECT gen_random_uuid(), user_uuid, 'expired reply', now() - interval '2 hours', now() - interval '150 minutes',
       uuid, user_uuid FROM parents LIMIT 10000"""


def expiry(bench: Bench) -> None:
    """The expiry job under the create load: one server with the job every second, creating while it has nothing
    to delete, then right after 100k expired cruds (a tenth of them replies) are inserted; three times."""
    rig = bench.rig
    rig.serve("server-expiry", {"EXPIRY_PURGE_SECONDS": "1", "EXPIRY_GRACE_SECONDS": "0"})
    writes = replace(CREATE, target="server-expiry", replay=False)
    times = []
    for number in [1, 2, 3]:
        bench.wrk(writes, name=f"create a crud, expiry job idle #{number}", seconds=6)
        rig.sql(EXPIRED)
        inserted = time.monotonic()
        bench.wrk(writes, name=f"create a crud, expiry job deleting 100k #{number}", seconds=6)
        while rig.sql("SELECT count(*) FROM activities WHERE expires_at < now()") != "0":
            time.sleep(0.2)
        times.append(round(time.monotonic() - inserted, 1))
    for number, seconds in enumerate(times, start=1):
        bench.record({"kind": "expiry", "name": f"expiry job: 100k expired cruds gone after (s) #{number}",
                      "value": seconds})
