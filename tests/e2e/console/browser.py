"""A real headless Chromium from the OS packages, driven by Selenium; nothing downloaded here."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("CASETRACK_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CASETRACK_CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = REPO / ".var" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "console"
PAGE_BUDGET = 100 * 1024  # bytes of HTML per page, the slow-connection budget
BLOCKING_IMPACTS = ("serious", "critical")


def missing_tools() -> list[str]:
    """What the browser tests need and this machine lacks (`make browser` installs it)."""
    return [str(path) for path in (CHROMIUM, CHROMEDRIVER, AXE) if not path.is_file()]


def require_browser() -> None:
    """Fail in CI, skip elsewhere, when the browser or axe-core is not installed."""
    missing = missing_tools()
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)}: run `make browser`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def start_chromium() -> WebDriver:
    """Headless Chromium via the OS chromedriver (the explicit path keeps Selenium Manager out)."""
    os.environ["SE_OFFLINE"] = "true"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--lang=en-US", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    return driver


class ConsoleBrowser:
    """The console as a person uses it: pages, forms, screenshots, and an axe check."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver, self.base_url = driver, base_url
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, path: str) -> None:
        """Load a console page."""
        self.driver.get(self.base_url + path)

    def sign_in(self, token: str) -> None:
        """Sign in through the form, as a person pasting a token would."""
        self.driver.delete_all_cookies()
        self.open("/login")
        self.driver.find_element(By.ID, "token").send_keys(token)
        self.follow(self.driver.find_element(By.ID, "sign-in"))

    def text(self) -> str:
        """The visible text of the page."""
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def by_id(self, element_id: str) -> Any:
        """One element by id."""
        return self.driver.find_element(By.ID, element_id)

    def follow(self, element: Any) -> None:
        """Click a submit button or link and wait until the next page replaced this one (reading
        right after a click could otherwise find the old page's elements, then lose them)."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_: object) -> bool:
            try:
                old.is_enabled()
            except WebDriverException:  # stale, or "does not belong to the document": gone
                return True
            return False

        WebDriverWait(self.driver, 30).until(replaced)

    def screenshot(self, name: str) -> Path:
        """Save the whole page as test-artifacts/console/<name>.png."""
        path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]', '_', name.lower())}.png"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1280, 1000)
        return path

    def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the current page."""
        self.driver.execute_script(AXE.read_text())
        self.driver.set_script_timeout(30)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
            " description: String(e), nodes: []}]));")
        return [v for v in result if v.get("impact") in BLOCKING_IMPACTS]

    def wait_for(self, predicate: Any, within: float = 30.0, what: str = "the page") -> None:
        """Reload until the page satisfies `predicate` (for what other services do meanwhile)."""
        deadline = time.monotonic() + within
        while True:
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.text()[:2000]}")
            time.sleep(0.3)
            self.driver.refresh()


def describe(violations: list[dict[str, Any]]) -> str:
    """axe violations as a readable list for an assertion message."""
    return "\n".join(f"{v['impact']} {v['id']}: {v.get('description', '')} "
                     f"{[n.get('target') for n in v.get('nodes', [])][:5]}" for v in violations)


@contextlib.contextmanager
def signed_in_client(base_url: str, token: str) -> Iterator[httpx.Client]:
    """A plain HTTP client holding a console session (for byte sizes and forged requests)."""
    with httpx.Client(base_url=base_url, timeout=15, follow_redirects=False) as client:
        page = client.get("/login")
        answer = client.post("/login", data={"token": token, "next": "/",
                                             "csrf_token": csrf_token_of(page.text)})
        assert answer.status_code == 303, answer.text
        yield client


def csrf_token_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)
