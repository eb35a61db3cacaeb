"""docker-compose.yml run for real: podman as the container engine, Debian's docker-compose as the front end.

Why this pair: docker-compose 1.29 (Debian's) implements compose's `depends_on` conditions (`service_healthy`,
`service_completed_successfully`), which the file's start-up order rests on, and talks to the engine through the
Docker API, which podman serves (`podman system service`); Debian's podman-compose 1.0.3 starts services in order
but does not read those conditions. Three things stand in for what a machine with Docker Hub has, and only here:
the base images (e2e/containers/stand-ins/make), podman's settings (e2e/containers/containers.conf, read
through CONTAINERS_CONF) and the health-check timer (e2e/containers/healthcheck-timer, the job podman gives
systemd, which this sandbox lacks)."""
import json
import os
import socket
import subprocess
import time
from pathlib import Path

from stack import ARTIFACTS, Process, ROOT

CONTAINERS = ROOT / "e2e" / "containers"
CONTAINERS_CONF = CONTAINERS / "containers.conf"


def podman(*args: str, check: bool = True, timeout: float = 120, stderr: bool = False) -> str:
    """podman's standard output (and its standard error after it, with `stderr`: a container's log has both)."""
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)})
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout + (result.stderr if stderr else "")


class Engine:
    """podman's Docker API on a socket of its own, and the health-check timer beside it."""

    def __init__(self, name: str):
        self.socket = Path(f"/run/{name}/podman.sock")
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        env = {"CONTAINERS_CONF": str(CONTAINERS_CONF)}
        self.service = Process(f"{name}-podman", ["podman", "system", "service", "--time=0",
                                                  f"unix://{self.socket}"], env=env)
        self.timer = Process(f"{name}-healthcheck-timer", [str(CONTAINERS / "healthcheck-timer")], env=env)
        deadline = time.monotonic() + 30
        while not self._answers():
            if time.monotonic() > deadline or self.service.popen.poll() is not None:
                self.stop()
                raise RuntimeError("podman system service did not answer:\n" + self.service.log_text())
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(str(self.socket))
                client.sendall(b"GET /_ping HTTP/1.1\r\nHost: podman\r\nConnection: close\r\n\r\n")
                return b"200 OK" in client.recv(1024)
        except OSError:
            return False

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def stop(self) -> None:
        self.timer.stop()
        self.service.stop()


class Compose:
    """One compose project of the repository's docker-compose.yml, unchanged."""

    def __init__(self, engine: Engine, project: str):
        self.project = project
        self.env = {**os.environ, "DOCKER_HOST": engine.docker_host, "COMPOSE_PROJECT_NAME": project,
                    "CONTAINERS_CONF": str(CONTAINERS_CONF),
                    # The build goes through the engine's API (podman builds it with buildah), not a docker CLI.
                    "COMPOSE_DOCKER_CLI_BUILD": "0", "DOCKER_BUILDKIT": "0"}
        self.log = ARTIFACTS / f"{project}-compose.log"

    def run(self, *args: str, timeout: float = 600) -> str:
        with self.log.open("a") as log:
            log.write(f"\n$ docker-compose {' '.join(args)}\n")
            log.flush()
            result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), *args], cwd=ROOT,
                                    env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    timeout=timeout)
            log.write(result.stdout)
        if result.returncode != 0:
            raise RuntimeError(f"docker-compose {' '.join(args)} exited {result.returncode}:\n"
                               + result.stdout[-4000:])
        return result.stdout

    def containers(self, all_states: bool = True) -> list[dict]:
        """The project's containers: podman's JSON listing, each with its compose service name."""
        args = ["ps", "--format", "json", "--filter", f"label=com.docker.compose.project={self.project}"]
        listed = json.loads(podman(*args, *(["-a"] if all_states else [])) or "[]")
        for container in listed:
            container["service"] = (container.get("Labels") or {}).get("com.docker.compose.service")
        return listed

    def state(self, service: str) -> dict:
        """podman's inspect of the service's one container."""
        ids = [c["Id"] for c in self.containers() if c["service"] == service]
        if len(ids) != 1:
            raise RuntimeError(f"{service}: {len(ids)} containers")
        return json.loads(podman("inspect", ids[0]))[0]

    def health(self, service: str) -> str:
        state = self.state(service)["State"]
        health = state.get("Health") or state.get("Healthcheck") or {}
        return health.get("Status") or state["Status"]

    def dump(self) -> None:
        """Every container's state, health-check log and output, into artifacts/ (when start-up fails)."""
        with (ARTIFACTS / f"{self.project}-containers.log").open("w") as out:
            for container in self.containers():
                state = json.loads(podman("inspect", container["Id"]))[0]["State"]
                out.write(f"\n=== {container['service']}: {json.dumps(state, indent=1)}\n")
                out.write(podman("logs", container["Id"], check=False, stderr=True))

    def logs(self, service: str) -> str:
        ids = [c["Id"] for c in self.containers() if c["service"] == service]
        return podman("logs", ids[0], check=False, stderr=True) if ids else ""
