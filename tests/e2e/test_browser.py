"""The frontend stub in a real headless Chromium: sign in against the emulator, see the members-only
crud through Envoy, post a crud and see it appear. A screenshot is kept in artifacts/."""
import json
import shutil
import sys
import uuid

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import WebDriverWait

from processes import ARTIFACTS, ROOT, Process, free_port, wait_http
from stack import Edge

MEMBERS_CRUD = "My dear brother, it the humans that are the problem"


@pytest.fixture(scope="module")
def stub(cognito):
    """The stub served over HTTP, configured for an Envoy edge that allows its origin."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    edge = Edge("browser", cognito.backend_env(), origin)
    site = ARTIFACTS / "frontend-stub"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(ROOT / "frontend-stub", site)
    (site / "config.json").write_text(json.dumps({
        "apiBase": edge.url, "region": cognito.region, "userPoolId": cognito.pool_id,
        "clientId": cognito.client_id, "cognitoEndpoint": cognito.endpoint,
    }))
    server = Process("frontend-stub", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                       "--directory", str(site)])
    try:
        wait_http(origin + "/index.html", process=server.popen)
        yield origin
    finally:
        server.stop()
        edge.stop()


@pytest.fixture(scope="module")
def browser():
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


def feed_messages(browser) -> list[str]:
    # Read in one script call: the feed re-renders, and element handles would go stale in between.
    return browser.execute_script(
        "return [...document.querySelectorAll('#feed .message')].map((element) => element.textContent)"
    )


def test_sign_in_see_members_crud_and_post(stub, browser):
    wait = WebDriverWait(browser, 20)
    browser.get(stub + "/index.html")
    wait.until(lambda driver: "Cloud is fun!" in feed_messages(driver))
    assert MEMBERS_CRUD not in feed_messages(browser)

    browser.find_element(By.ID, "sign-in-email").send_keys("andrew@exampro.co")
    browser.find_element(By.ID, "sign-in-password").send_keys("Cruddur-demo-1!")
    browser.find_element(By.ID, "sign-in").click()
    wait.until(lambda driver: MEMBERS_CRUD in feed_messages(driver))
    assert "signed in as andrew@exampro.co" in browser.find_element(By.ID, "who").text

    message = f"Hello from Chromium {uuid.uuid4().hex[:8]}"
    browser.find_element(By.ID, "crud-message").send_keys(message)
    browser.find_element(By.ID, "crud-submit").click()
    wait.until(lambda driver: feed_messages(driver)[:1] == [message])
    assert browser.find_element(By.ID, "error").get_attribute("hidden") is not None
    browser.save_screenshot(str(ARTIFACTS / "browser-home.png"))

    browser.find_element(By.ID, "sign-out").click()
    wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-form")))
    wait.until(lambda driver: MEMBERS_CRUD not in feed_messages(driver) and message in feed_messages(driver))
