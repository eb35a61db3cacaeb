"""docker-compose.yml describes the same stack as bin/dev, and bin/dev brings it up without Docker."""
import os
import signal
import socket
import subprocess
import time

import requests
import yaml

from stack import ARTIFACTS, ROOT, cognito_bootstrap, free_port


MEMBERS_CRUD = "My dear brother, it the humans that are the problem"


def test_the_compose_file_validates_and_has_health_checks():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    replicas = ["backend-1", "backend-2"]
    assert {"db", "db-standby", "migrate", *replicas, "cognito", "cognito-bootstrap", "envoy", "frontend"} \
        <= set(services)
    for name in ["db", "db-standby", *replicas, "cognito", "envoy", "frontend"]:
        assert "healthcheck" in services[name], name
    for name in replicas:
        assert services[name]["healthcheck"]["test"][-1] == "healthcheck"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services["envoy"]["depends_on"][name]["condition"] == "service_healthy"
        assert "ports" not in services[name], "a replica is reached through Envoy only"
        assert "@db-standby:5432/" in services[name]["environment"]["READ_CONNECTION_URL"]
        assert services[name]["environment"]["CONNECTION_URL"].count(":5432") == 2, "writes follow a promotion"
    assert services["db-standby"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["envoy"]["environment"]["BACKENDS"] == "backend-1:4567,backend-2:4567"


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_bin_dev_brings_the_whole_stack_up_and_ctrl_c_stops_it():
    ports = {name: free_port() for name in ["API", "ENVOY", "ENVOY_ADMIN", "COGNITO", "FRONTEND", "PROMETHEUS"]}
    while not port_is_free(ports["API"] + 1):  # the second replica listens on API + 1
        ports["API"] = free_port()
    env = {**os.environ, "DEV_STATE_DIR": str(ARTIFACTS / "dev-stack")}
    env.update({f"DEV_{name}_PORT": str(port) for name, port in ports.items()})
    log = open(ARTIFACTS / "bin-dev.log", "w", encoding="utf-8")
    dev = subprocess.Popen([str(ROOT / "bin" / "dev")], env=env, stdout=log, stderr=subprocess.STDOUT,
                           cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops everything" not in (ARTIFACTS / "bin-dev.log").read_text():
            assert dev.poll() is None, (ARTIFACTS / "bin-dev.log").read_text()
            assert time.monotonic() < deadline, "bin/dev did not come up"
            time.sleep(0.5)
        banner = (ARTIFACTS / "bin-dev.log").read_text()
        assert "andrew@exampro.co" in banner
        envoy = f"http://127.0.0.1:{ports['ENVOY']}"
        frontend = f"http://127.0.0.1:{ports['FRONTEND']}"
        config = requests.get(frontend + "/config.json", timeout=5).json()
        assert config["apiBase"] == envoy
        for replica in [ports["API"], ports["API"] + 1]:
            ready = requests.get(f"http://127.0.0.1:{replica}/api/health-check", timeout=5).json()
            assert ready["checks"] == {"database": "ok", "jwks": "ok", "server": "ok"}
        assert "2 replica(s)" in banner
        deadline = time.monotonic() + 20
        while True:  # Prometheus discovers its static targets within a moment of starting
            targets = requests.get(f"http://127.0.0.1:{ports['PROMETHEUS']}/api/v1/targets", timeout=5).json()
            if len(targets["data"]["activeTargets"]) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert len(targets["data"]["activeTargets"]) == 3, targets  # two replicas and the edge
        idp = cognito_bootstrap.client(config["cognitoEndpoint"], config["region"])
        tokens = cognito_bootstrap.sign_in(idp, config["clientId"], "worf@example.com")
        home = requests.get(
            envoy + "/api/activities/home", headers={"Authorization": f"Bearer {tokens['AccessToken']}"}, timeout=5
        )
        assert home.status_code == 200
        assert MEMBERS_CRUD in [item["message"] for item in home.json()]
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGINT)
        try:
            dev.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            raise AssertionError("bin/dev did not stop within 30 s of Ctrl-C")
        log.close()
    for port in [*ports.values(), ports["API"] + 1]:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            raise AssertionError(f"port {port} still answers after Ctrl-C")
        except requests.ConnectionError:
            pass
