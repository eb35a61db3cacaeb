"""Reading and driving the frontend stub's page in Chromium (the browser suite and the compose test)."""
from selenium.webdriver.common.by import By

from stack.cognito_bootstrap import DEMO_PASSWORD

# A crud of the seed that only signed-in callers see.
MEMBERS_CRUD = "My dear brother, it the humans that are the problem"


def feed_messages(browser) -> list[str]:
    # Read in one script call: the feed re-renders, and element handles would go stale in between.
    return browser.execute_script(
        "return [...document.querySelectorAll('#feed .message')].map((element) => element.textContent)"
    )


def sign_in(browser, wait, email: str = "andrew@exampro.co") -> None:
    """Signs in through the stub's form (against the emulator) and waits for the members-only crud."""
    browser.find_element(By.ID, "sign-in-email").send_keys(email)
    browser.find_element(By.ID, "sign-in-password").send_keys(DEMO_PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(lambda driver: MEMBERS_CRUD in feed_messages(driver))
