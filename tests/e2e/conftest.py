"""Session fixtures: a real Cognito emulator (moto's server mode) with a pool, and the real backend."""
import sys
from dataclasses import dataclass

import pytest

import shutil
import subprocess

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from postgres import Cluster
from processes import ROOT, Process, backend_binary, free_port, start_backend, wait_http

sys.path.insert(0, str(ROOT / "tools"))
import cognito_bootstrap  # noqa: E402

FRONTEND = "http://localhost:3000"


@dataclass
class Cognito:
    endpoint: str
    region: str
    pool_id: str
    client_id: str

    @property
    def idp(self):
        return cognito_bootstrap.client(self.endpoint, self.region)

    def sign_in(self, email: str, password: str = cognito_bootstrap.DEMO_PASSWORD) -> dict:
        return cognito_bootstrap.sign_in(self.idp, self.client_id, email, password)

    def sign_up(self, email: str, name: str, preferred_username: str) -> dict:
        user = {"email": email, "name": name, "preferred_username": preferred_username}
        cognito_bootstrap.sign_up(self.idp, self.pool_id, self.client_id, user)
        return self.sign_in(email)

    def backend_env(self) -> dict:
        return {
            "AWS_DEFAULT_REGION": self.region,
            "AWS_COGNITO_USER_POOL_ID": self.pool_id,
            "AWS_COGNITO_USER_POOL_CLIENT_ID": self.client_id,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": self.endpoint,
        }


@pytest.fixture(scope="session")
def cognito():
    port = free_port()
    moto = Process("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)])
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_http(endpoint + "/moto-api/", process=moto.popen)
        info = cognito_bootstrap.bootstrap(endpoint, "us-east-1")
        yield Cognito(endpoint, info["region"], info["userPoolId"], info["clientId"])
    finally:
        moto.stop()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of the suites' own, on a free port."""
    cluster = Cluster("postgres-e2e")
    try:
        yield cluster
    finally:
        cluster.stop()


def prepare_database(cluster: Cluster, name: str) -> str:
    """A new database with the migrations and the seed applied by the cruddur binary itself."""
    cluster.psql(f"CREATE DATABASE {name}")
    url = cluster.url_for(name)
    for command in ["migrate", "seed"]:
        subprocess.run(
            [backend_binary(), command], env={"CONNECTION_URL": url, "LOG_LEVEL": "warning"}, cwd=ROOT,
            check=True, capture_output=True, timeout=60,
        )
    return url


@pytest.fixture(scope="session", params=["memory", "postgres"])
def backend(request, cognito):
    """The backend on each store, verifying the emulator's tokens."""
    env = {**cognito.backend_env(), "FRONTEND_URL": FRONTEND}
    if request.param == "postgres":
        env["CONNECTION_URL"] = prepare_database(request.getfixturevalue("postgres"), "cruddur_e2e")
    process, url = start_backend(f"backend-{request.param}", env)
    try:
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="session")
def andrew(cognito) -> dict:
    return cognito.sign_in("andrew@exampro.co")


def pytest_sessionfinish(session, exitstatus):
    """A skipped suite is a hole, not a pass: any skip fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        reporter.write_line("error: some tests were skipped; every suite must run", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium (Debian's), through its driver."""
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400"]:
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise FileNotFoundError("chromium is missing: bin/setup installs Debian's chromium")
    options.binary_location = binary
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()
