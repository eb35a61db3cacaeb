"""One measurement each: a wrk scenario (with the server's and PostgreSQL's CPU per request), a replay of a
route's statements with pgbench, pgbench's own reference, the client line. Each appends JSON lines to raw."""
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import requests

from .rig import BENCH, Rig, cpu_ticks
from .scenarios import Scenario

TICK = os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, rig: Rig, out: Path, duration: int, connections: int = 64):
        self.rig, self.out, self.duration, self.connections = rig, out, duration, connections
        self.raw = out / "raw.jsonl"
        self.raw.write_text("")
        self.show = ""

    def record(self, result: dict) -> None:
        with self.raw.open("a") as raw:
            raw.write(json.dumps(result) + "\n")

    def wrk(self, scenario: Scenario, name: str | None = None, seconds: float | None = None,
            postgres_cpu: bool = False) -> dict:
        """Drives the scenario with wrk (bench/wrk/scenario.lua) and records req/s, latency, errors, and the
        target's CPU per request (the server's, or the Envoy's) and the primary's (when asked)."""
        name = name or scenario.name
        print(f"bench: {name}", flush=True)
        url = self.rig.url(scenario.target) + scenario.path.replace("{show}", self.show)
        seconds = seconds or max(1, round(self.duration * scenario.length))
        pid = self.rig.pid(scenario.target)
        before, pg_before = cpu_ticks(pid), (self.rig.postgres_ticks() if postgres_cpu else 0)
        output = self.run_wrk(scenario, url, seconds)
        line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
        if line is None:
            sys.exit(f"bench: wrk gave no result for {name}:\n{output}")
        result = {**json.loads(line.split(" ", 1)[1]), "kind": "wrk", "name": name}
        requests_done = result.get("requests")
        if requests_done:
            result["server_cpu_us_per_request"] = round((cpu_ticks(pid) - before) * 1e6 / TICK / requests_done, 1)
        if postgres_cpu and requests_done:
            ticks = self.rig.postgres_ticks() - pg_before
            result["primary_cpu_us_per_request"] = round(ticks * 1e6 / TICK / requests_done, 1)
        self.record(result)
        return result

    def warm(self, target: str, path: str, tokens: str | None = "one", seconds: int = 3) -> None:
        """Load that is not measured: pools, caches and the token cache filled first."""
        self.run_wrk(Scenario("warm-up", target, path, tokens=tokens), self.rig.url(target) + path, seconds)

    def run_wrk(self, scenario: Scenario, url: str, seconds: float) -> str:
        """wrk with bench/wrk/scenario.lua, configured for `scenario`, on `url`: its output."""
        threads = 2 if scenario.connections >= 2 else 1
        return subprocess.run(
            ["wrk", f"-t{threads}", f"-c{scenario.connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
             "-s", str(BENCH / "wrk" / "scenario.lua"), url],
            env={**os.environ, **scenario.wrk_env(self.rig)}, capture_output=True, text=True).stdout

    def replay(self, scenario: Scenario, name: str | None = None) -> None:
        """One request to the capture server to warm it, one more whose statements pgbench then replays
        (prepared, 64 clients) on the same database: the route's PostgreSQL ceiling."""
        name = name or scenario.name
        url = self.rig.url("server-capture") + scenario.path.replace("{show}", self.show)
        headers = {"Authorization": f"Bearer {self.rig.one.read_text().strip()}"}
        if scenario.body is not None:
            headers["Content-Type"] = "application/json"

        def send() -> None:
            requests.request(scenario.method, url, headers=headers, data=scenario.body, timeout=10).raise_for_status()

        send()
        time.sleep(0.3)
        offset = self.rig.pg_log.stat().st_size
        send()
        time.sleep(0.5)
        print(f"bench: replay of {name}", flush=True)
        result = subprocess.run(
            [sys.executable, str(BENCH / "replay.py"), name, str(self.rig.pg_log), str(offset), self.rig.database,
             str(self.duration), str(self.connections), str(self.out)], check=True, capture_output=True, text=True)
        with self.raw.open("a") as raw:
            raw.write(result.stdout)

    def pgbench(self) -> None:
        """The machine's reference: pgbench's single-row selects, prepared, on the same PostgreSQL."""
        print("bench: pgbench -S -M prepared", flush=True)
        self.rig.postgres.psql("CREATE DATABASE pgbench")
        url = self.rig.postgres.url_for("pgbench")
        subprocess.run(["pgbench", "-q", "-i", "-s", "10", url], check=True, capture_output=True)
        log = subprocess.run(["pgbench", "-S", "-M", "prepared", "-c", str(self.connections), "-j", "2", "-T",
                              str(self.duration), url], check=True, capture_output=True, text=True).stdout
        tps = float(re.search(r"^tps = ([\d.]+)", log, re.M).group(1))
        self.record({"kind": "pgbench", "name": "pgbench -S -M prepared", "tps": tps})

    def client_line(self) -> None:
        """SELECT 1, prepared, from 64 callers through the driver (DB_POOL_SIZE connections) and through pgbench
        (64 connections), with each one's CPU per statement (issue 22)."""
        print("bench: client line", flush=True)
        script = self.out / "select1.sql"
        script.write_text("SELECT 1;\n")
        url = self.rig.postgres.url
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        log = subprocess.run(["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(self.connections),
                              "-j", "2", "-T", str(self.duration), url], capture_output=True, text=True,
                             check=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tps = float(re.search(r"^tps = ([\d.]+)", log, re.M).group(1))
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        self.record({"kind": "client", "name": "client line: pgbench, SELECT 1", "statements_per_second": round(tps),
                     "cpu_us_per_statement": round(cpu / (tps * self.duration) * 1e6, 1)})
        driver = subprocess.run([str(self.rig.bin_dir / "cruddur-bench"), "pg", url, str(self.duration),
                                 str(self.connections), os.environ.get("DB_POOL_SIZE", "2")],
                                check=True, capture_output=True, text=True).stdout
        self.record({**json.loads(driver), "kind": "client", "name": "client line: the driver, SELECT 1"})
