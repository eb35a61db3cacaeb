"""Start and stop the real processes the end-to-end suites drive: moto, the backend, Envoy."""
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CRUDDUR_ARTIFACTS", ROOT / "artifacts"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


class Process:
    """A child process whose output goes to a log file under artifacts/."""

    def __init__(self, name: str, args: list[str], env: dict | None = None, cwd: Path = ROOT):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"{name}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.popen = subprocess.Popen(
            args, env={**os.environ, **(env or {})}, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT
        )

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


def backend_binary() -> str:
    binary = os.environ.get("CRUDDUR_BIN", str(ROOT / ".build" / "debug" / "cruddur"))
    if not Path(binary).exists():
        raise FileNotFoundError(f"{binary} is missing: run `swift build` first (bin/test does)")
    return binary


def release_binary() -> str:
    """The optimised build, for the suites that hold the server to a latency bound under load."""
    binary = os.environ.get("CRUDDUR_RELEASE_BIN", str(ROOT / ".build" / "release" / "cruddur"))
    if not Path(binary).exists():
        raise FileNotFoundError(f"{binary} is missing: run `swift build -c release --product cruddur` (bin/test does)")
    return binary


def start_backend(name: str, env: dict, port: int | None = None, binary: str | None = None) -> tuple[Process, str]:
    port = port or free_port()
    process = Process(
        name,
        [binary or backend_binary()],
        # No drain period and no write limit unless a suite asks: suites stop backends often and post a lot.
        env={"HOST": "127.0.0.1", "PORT": str(port), "DRAIN_SECONDS": "0", "WRITE_RATE_PER_MINUTE": "0", **env},
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/api/health", process=process.popen)
    return process, url
