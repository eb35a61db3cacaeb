"""Session fixtures: a real Cognito emulator (moto's server mode) with a pool, a PostgreSQL cluster, the real
backend on each store, and a real headless Chromium. What starts them is the stack package (repository root)."""
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from stack import Cluster, Emulator, prepare_database, start_backend
from support import FRONTEND


@pytest.fixture(scope="session")
def cognito():
    emulator = Emulator()
    try:
        yield emulator.cognito
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of the suites' own, on a free port."""
    cluster = Cluster("postgres-e2e")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module", params=["memory", "postgres"])
def backend(request, cognito):
    """The backend on each store, verifying the emulator's tokens; each module has its own, with a database of
    its own, so what one suite writes (the contract suite posts and edits profiles) is not another's start."""
    env = {**cognito.backend_env(), "FRONTEND_URL": FRONTEND}
    module = request.module.__name__.rsplit(".", 1)[-1]
    if request.param == "postgres":
        env["CONNECTION_URL"] = prepare_database(request.getfixturevalue("postgres"), f"cruddur_{module}")
    process, url = start_backend(f"backend-{module}-{request.param}", env)
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
