"""The cruddur command line: zero-configuration start, bad configuration, and healthcheck."""
import subprocess

import requests

from stack import ROOT, backend_binary, free_port, start_backend


def test_zero_configuration_serves_the_demo_store_from_memory():
    process, url = start_backend("backend-zero-config", {})
    try:
        home = requests.get(url + "/api/activities/home", timeout=5)
        assert home.status_code == 200
        assert any(item["handle"] == "andrewbrown" for item in home.json())
        ready = requests.get(url + "/api/health-check", timeout=5).json()
        assert ready["checks"] == {"database": "memory", "jwks": "disabled", "server": "ok"}
        protected = requests.get(url + "/api/activities/notifications", timeout=5)
        assert protected.status_code == 401
        log = process.log_text()
        assert "data lives in memory" in log
        assert "sign-in is disabled" in log
    finally:
        process.stop()


def test_a_bad_value_stops_start_up_with_one_sentence_and_exit_2():
    for name, value in [("PORT", "abc"), ("AWS_COGNITO_USER_POOL_ID", "not a pool"), ("LOG_LEVEL", "chatty")]:
        result = subprocess.run(
            [backend_binary()], env={name: value}, capture_output=True, text=True, timeout=30, cwd=ROOT
        )
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0], result.stderr


def test_healthcheck_command(backend):
    port = backend.rsplit(":", 1)[1]
    ok = subprocess.run(
        [backend_binary(), "healthcheck"], env={"PORT": port}, capture_output=True, text=True, timeout=30
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    down = subprocess.run(
        [backend_binary(), "healthcheck", f"http://127.0.0.1:{free_port()}/api/health-check"],
        capture_output=True, text=True, timeout=30,
    )
    assert down.returncode == 1
