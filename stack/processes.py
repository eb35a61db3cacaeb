"""Child processes with their output in a log file, free ports, and waiting for a URL to answer."""
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# Where logs and data go unless a caller says otherwise (bin/dev says .dev/).
ARTIFACTS = Path(os.environ.get("CRUDDUR_ARTIFACTS", ROOT / "artifacts"))


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 30, process: subprocess.Popen | None = None,
              status: int | None = None) -> None:
    """Until `url` answers at all (any status), or with `status` if given; fails early when `process`, which
    should serve it, exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            answer = requests.get(url, timeout=1)
            if status is None or answer.status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer{'' if status is None else f' {status}'} within {seconds}s")


class Process:
    """A child process whose output goes to `logs/<name>.log`; its environment is ours with `env` on top and
    the variables in `unset` removed."""

    def __init__(self, name: str, args: list[str], env: dict | None = None, cwd: Path = ROOT,
                 logs: Path | None = None, unset: list[str] = ()):
        logs = logs or ARTIFACTS
        logs.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = logs / f"{name}.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        environment = {**os.environ, **(env or {})}
        for name in unset:
            environment.pop(name, None)
        self.popen = subprocess.Popen(args, env=environment, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)

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


def start(name: str, args: list[str], ready: str, env: dict | None = None, logs: Path | None = None) -> Process:
    """A child process (``Process``) once `ready` answers; stopped again when it does not."""
    process = Process(name, args, env=env, logs=logs)
    try:
        wait_http(ready, process=process.popen)
    except Exception:
        process.stop()
        raise
    return process
