"""The frontend stub in a real headless Chromium: sign in against the emulator, see the members-only
crud through Envoy, post a crud and see it appear. A screenshot is kept in artifacts/."""
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import WebDriverWait

from stack import ARTIFACTS, Edge, free_port, serve_stub
from support.frontend_stub import MEMBERS_CRUD, feed_messages, sign_in

@pytest.fixture(scope="module")
def stub(cognito):
    """The stub served over HTTP, configured for an Envoy edge that allows its origin."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    edge = Edge("browser", cognito.backend_env(), origin)
    try:
        server = serve_stub(port, edge.url, cognito, ARTIFACTS / "frontend-stub")
    except Exception:
        edge.stop()
        raise
    try:
        yield origin
    finally:
        server.stop()
        edge.stop()


def test_sign_in_see_members_crud_and_post(stub, browser):
    wait = WebDriverWait(browser, 20)
    browser.get(stub + "/index.html")
    wait.until(lambda driver: "Cloud is fun!" in feed_messages(driver))
    assert MEMBERS_CRUD not in feed_messages(browser)

    sign_in(browser, wait)
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


def texts(browser, selector: str) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((element) => element.textContent)", selector)


def test_messages_and_profile_pages(stub, browser):
    """Signed in as andrew: the seeded conversation with bayko on screen, a new message written in it, and
    andrew's own profile edited; screenshots of both pages in artifacts/."""
    wait = WebDriverWait(browser, 20)
    browser.get(stub + "/index.html")
    if not browser.find_element(By.ID, "sign-out").is_displayed():
        wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-email")))
        sign_in(browser, wait)

    browser.find_element(By.ID, "show-messages").click()
    wait.until(lambda driver: "Perfect, see you then." in texts(driver, "#groups .message"))
    # Most recent first: worf's message (30 minutes old in the seed), then the conversation with bayko.
    assert texts(browser, "#groups .message") == ["Your deployment on a Friday is without honour.",
                                                  "Perfect, see you then."]
    browser.find_elements(By.CSS_SELECTOR, "#groups .group")[1].click()
    wait.until(lambda driver: texts(driver, "#conversation .message")[:1] == [
        "Are we still on for the Cruddur demo tomorrow?"])
    message = f"Sent from Chromium {uuid.uuid4().hex[:8]}"
    browser.find_element(By.ID, "message-text").send_keys(message)
    browser.find_element(By.ID, "message-send").click()
    wait.until(lambda driver: texts(driver, "#conversation .message")[-1:] == [message])
    wait.until(lambda driver: message in texts(driver, "#groups .message"))
    assert browser.find_element(By.ID, "error").get_attribute("hidden") is not None
    browser.save_screenshot(str(ARTIFACTS / "browser-messages.png"))

    browser.find_element(By.ID, "show-profile").click()
    browser.find_element(By.ID, "profile-handle").send_keys("@andrewbrown")
    browser.find_element(By.CSS_SELECTOR, "#profile-lookup button").click()
    wait.until(conditions.visibility_of_element_located((By.ID, "profile-form")))
    bio = f"Edited in Chromium {uuid.uuid4().hex[:6]}"
    field = browser.find_element(By.ID, "profile-bio-input")
    field.clear()
    field.send_keys(bio)
    browser.find_element(By.ID, "profile-save").click()
    wait.until(lambda driver: driver.find_element(By.ID, "profile-bio").text == bio)
    browser.save_screenshot(str(ARTIFACTS / "browser-profile.png"))
    # Someone else's profile offers no edit form.
    handle = browser.find_element(By.ID, "profile-handle")
    handle.clear()
    handle.send_keys("@worf")
    browser.find_element(By.CSS_SELECTOR, "#profile-lookup button").click()
    wait.until(lambda driver: driver.find_element(By.ID, "profile-name").text == "Worf")
    assert not browser.find_element(By.ID, "profile-form").is_displayed()
