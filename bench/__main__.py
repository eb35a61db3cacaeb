"""The benchmark driver (bench/run builds the release binaries, then runs this): starts the rig, runs the
scenarios of scenarios.py and the procedures of steps.py in order, and reports (bench/report.py)."""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from stack import ROOT

from . import steps
from .measure import Bench
from .rig import BENCH, Rig, rss_mib
from .scenarios import EDGE_HOME, EDGES, HOME, MIXED, SERVERS, Scenario

LIVENESS = Scenario("liveness", "server", "/api/health", tokens=None)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description="Benchmarks the hot paths side by side.")
    parser.add_argument("--bin-dir", type=Path, required=True, help="the release build's binaries")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--large", action="store_true", help="also at 1M activities")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--soak", action="store_true", help="only liveness and 5 minutes of the mixed load")
    mode.add_argument("--observability", action="store_true", help="only liveness and the price of metrics, logs")
    mode.add_argument("--standby", action="store_true", help="only liveness and the database tier of issue 23")
    mode.add_argument("--ceilings", action="store_true",
                      help="only liveness and the ceilings: a bare Hummingbird route, a bare Envoy")
    mode.add_argument("--edge-instructions", action="store_true",
                      help="only liveness and Envoy's instructions per request, edge part by edge part (callgrind)")
    args = parser.parse_args()

    out = Path(os.environ.get("BENCH_OUT", ROOT / "artifacts" / "bench"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rig = Rig(out, args.bin_dir)
    bench = Bench(rig, out, args.duration)
    bench.ceiling_seconds = int(os.environ.get("CEILING_SECONDS", 5))
    try:
        rig.start_database()
        rig.start_keys()
        only = args.soak or args.observability or args.standby or args.ceilings or args.edge_instructions
        servers = ["server", "server-no-cache"] if args.standby else ["server"] if only else list(SERVERS)
        if args.observability:
            servers += [server for _, server in steps.OBSERVED]
        if args.ceilings:
            servers += ["server-defaults", "server-quiet"]
        for name in servers:
            rig.serve(name, SERVERS[name])
        if not only:
            # The capture server: no feed cache, connected as the role whose statements PostgreSQL logs, so
            # that bench/replay.py replays exactly what each route sends.
            rig.serve("server-capture", {"FEED_CACHE_MS": "0",
                                         "CONNECTION_URL": rig.database.replace("postgres@", "bench_capture@")})
        if args.edge_instructions:
            rig.edge("envoy-jwt", ["server"], EDGES["envoy-jwt"][1])
        if not only or args.ceilings:
            rig.serve_bare("bare-hummingbird")
            for name, (backends, settings) in EDGES.items():
                if not args.ceilings or name in ("envoy-1", "envoy-jwt"):
                    rig.edge(name, backends, settings)
            rig.bare_edge("envoy-bare", "server")

        bench.warm("server", "/api/activities/home")
        bench.wrk(LIVENESS)
        if args.standby:
            steps.standby(bench)
        elif args.soak:
            steps.soak(bench, int(os.environ.get("SOAK_SECONDS", 300)))
        elif args.observability:
            steps.observability(bench, int(os.environ.get("OBS_ROUNDS", 7)), int(os.environ.get("OBS_SECONDS", 3)))
        elif args.ceilings:
            steps.ceilings(bench, int(os.environ.get("CEILING_ROUNDS", 3)))
            steps.edge_parts(bench, int(os.environ.get("CEILING_ROUNDS", 3)))
        elif args.edge_instructions:
            steps.edge_instructions(bench)
        else:
            everything(bench, args.large)
        bench.record({"kind": "rss", "name": "server rss", "mib": rss_mib(rig.pid("server"))})
        if not only:
            print("bench: verifier micro-benchmarks", flush=True)
            micro = subprocess.run([str(args.bin_dir / "cruddur-bench")], check=True, capture_output=True,
                                   text=True).stdout
            bench.record({"kind": "micro", "name": "micro", "results": json.loads(micro)})
        bench.record({"kind": "machine", "name": "machine", "cpus": os.cpu_count(), "platform": platform.platform(),
                      "duration_s": args.duration, "connections": bench.connections})
    finally:
        rig.stop()
    print()
    return subprocess.run([sys.executable, str(BENCH / "report.py"), str(bench.raw), str(out / "bench.json")]).returncode


def everything(bench: Bench, large: bool) -> None:
    bench.show = bench.rig.sql("SELECT md5('bench-1')::uuid")
    steps.ceilings(bench)
    for scenario in HOME:
        bench.wrk(scenario)
    steps.observability(bench, int(os.environ.get("OBS_ROUNDS", 7)), int(os.environ.get("OBS_SECONDS", 3)))
    steps.read_routes(bench)
    bench.wrk(MIXED)
    steps.create(bench)
    for scenario in EDGE_HOME:
        bench.wrk(scenario)
    bench.pgbench()
    bench.client_line()
    steps.messages(bench)
    if large:
        steps.large(bench)


if __name__ == "__main__":
    sys.exit(main())
