#!/usr/bin/env python3
"""PostgreSQL's own limit for one route: replays, with pgbench, exactly the statements the route sent.

    bench/replay.py NAME LOG OFFSET URL DURATION CLIENTS OUT_DIR

LOG is PostgreSQL's jsonlog; the statements are the `execute` records after byte OFFSET of the role
`bench_capture` (which has `log_statement = 'all'`), each with its parameters as PostgreSQL logged them. Each
becomes a pgbench command with its `$n` written as pgbench variables cast to the type the value has (uuid,
timestamptz, bigint, text[], text), run prepared (`-M prepared`) at CLIENTS clients for DURATION seconds: the
same statements, the same values, each its own transaction as the route's unit is. One change: the new crud's
uuid of `InsertActivity` ($4) is `gen_random_uuid()`, so the replay inserts as the route does instead of
conflicting. Prints one JSON line for bench/report.py."""
import json
import re
import subprocess
import sys
from pathlib import Path

PARAMETER = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')")
TYPES = [
    (re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"), "uuid"),
    (re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d)?$"), "timestamptz"),
    (re.compile(r"^-?\d+$"), "bigint"),
    (re.compile(r"^\{.*\}$"), "text[]"),
    (re.compile(r"^\\x[0-9a-f]*$"), "bytea"),
]


def statements(log: Path, offset: int):
    with log.open("rb") as file:
        file.seek(offset)
        for line in file:
            record = json.loads(line)
            message = record.get("message", "")
            if record.get("user") == "bench_capture" and message.startswith("execute "):
                name, sql = message[len("execute "):].split(": ", 1)
                values = {int(n): (None if whole == "NULL" else text.replace("''", "'"))
                          for n, whole, text in PARAMETER.findall(record.get("detail", ""))}
                yield name, sql, values


def script(captured) -> tuple[str, list[str]]:
    commands, defines = [], []
    for index, (name, sql, values) in enumerate(captured):
        def bind(match):
            n = int(match.group(1))
            value = values[n]
            if name == "InsertActivity" and n == 4:
                return "gen_random_uuid()"
            if value is None:
                return "NULL"
            kind = next((kind for pattern, kind in TYPES if pattern.match(value)), "text")
            variable = f"s{index}p{n}"
            defines.extend(["-D", f"{variable}={value}"])
            return f":{variable}::{kind}"
        # pgbench reads a command to its semicolon, on one line unless continued.
        text = re.sub(r"\$(\d+)(?!\d)", bind, sql)
        commands.append(" ".join(text.split()) + ";")
    return "\n".join(commands) + "\n", defines


def main() -> int:
    name, log, offset, url, duration, clients, out = sys.argv[1:8]
    captured = list(statements(Path(log), int(offset)))
    if not captured:
        print(f"replay: no statements captured for {name}", file=sys.stderr)
        return 1
    text, defines = script(captured)
    path = Path(out) / ("replay-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".sql")
    path.write_text(text)
    run = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", clients, "-j", "2", "-T", duration, "-f", str(path),
                          *defines, url], capture_output=True, text=True)
    tps = re.search(r"^tps = ([\d.]+)", run.stdout, re.M)
    if run.returncode != 0 or not tps:
        print(f"replay: pgbench failed for {name}:\n{run.stdout}{run.stderr}", file=sys.stderr)
        return 1
    print(json.dumps({"kind": "replay", "name": f"replay: {name}", "tps": float(tps.group(1)),
                      "statements": len(captured), "script": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
