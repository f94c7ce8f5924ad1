"""The review loop walked through the console in a real browser, as a monitor would."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.console.browser import ConsoleBrowser
from tests.e2e.review.test_review_loop import REGION, RESOLUTION, Loop
from tests.support.system import token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
HIGH_RISK = {"risk": "high", "category": "bribery", "note": "Parents interviewed"}
"""How the operator triages and notes the cases a monitor then reviews."""


def open_review_of(browser: ConsoleBrowser, case_id: str, shot: str | None = None) -> None:
    """Find the case's review in the queue (waiting for review to open it) and open it."""
    browser.open(f"/reviews?status=open&region={REGION}")
    row = f"tr[data-subject='{case_id}']"
    browser.wait_for(lambda: bool(browser.driver.find_elements(By.CSS_SELECTOR, row)),
                     what=f"an open review of {case_id} in the queue")
    if shot:
        browser.screenshot(shot)
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, f"{row} a.button"))


def case_status_is(browser: ConsoleBrowser, case_id: str, status: str) -> None:
    """Wait until the case page shows a status (intake applies verdicts asynchronously)."""
    browser.open(f"/cases/{case_id}")
    browser.wait_for(lambda: browser.by_id("case-status").get_attribute("data-status") == status,
                     what=f"case {case_id} {status}")


async def test_a_monitor_claims_returns_with_findings_then_approves_and_the_case_closes(
    loop: Loop, browser: ConsoleBrowser,
) -> None:
    case_id = await loop.resolved_case("Kickback for a kindergarten place", **HIGH_RISK)

    browser.sign_in(token("monitor", [REGION], loop.monitor_sub))
    open_review_of(browser, case_id, shot="review_queue")
    browser.screenshot("review_open")
    browser.follow(browser.by_id("claim"))
    assert "You have claimed this review." in browser.by_id("notice").text
    browser.by_id("verdict-returned").click()
    browser.by_id("findings").send_keys("No evidence the queue was restored.")
    browser.by_id("flag-insufficient_evidence").click()
    browser.by_id("flag-incomplete_measures").click()
    browser.follow(browser.by_id("record-verdict"))
    assert "Your verdict is recorded." in browser.by_id("notice").text
    assert browser.by_id("review-status").get_attribute("data-status") == "decided"
    assert "Insufficient evidence, Incomplete measures" in browser.text()

    case_status_is(browser, case_id, "reopened")
    assert "No evidence the queue was restored." in browser.text()

    await loop.case_command(case_id, "resolve", RESOLUTION)
    open_review_of(browser, case_id)
    browser.by_id("verdict-approved").click()
    browser.follow(browser.by_id("record-verdict"))
    assert "Your verdict is recorded." in browser.by_id("notice").text

    case_status_is(browser, case_id, "closed")
    browser.wait_for(lambda: bool(browser.driver.find_elements(
        By.CSS_SELECTOR, "#timeline tr[data-event='case.closed']")),
        what="case.closed in the timeline")
    events = [row.get_attribute("data-event") for row in
              browser.driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")]
    verdicts = [e for e in events if e == "review.verdict_recorded"]
    assert len(verdicts) == 2 and events.index("case.reopened") < events.index("case.closed")
    assert loop.monitor_sub in browser.by_id("timeline").text
    assert browser.by_id("badge").get_attribute("data-state") == "partial", browser.text()
    browser.follow(browser.by_id("verify-owners"))
    assert browser.by_id("badge").get_attribute("data-state") == "verified", browser.text()
    assert browser.by_id("badge-checkpoint").get_attribute("data-state") == "included"
    browser.screenshot("case_closed")

    history = (await loop.client.get(f"{loop.system.reporting_url}/v1/cases/{case_id}/history",
                                     headers=loop.monitor)).json()["events"]
    reopened_at = next(e["recorded_at"] for e in history if e["event_type"] == "case.reopened")
    browser.open(f"/cases/{case_id}?as_of={quote(reopened_at)}")
    assert browser.by_id("case-status").get_attribute("data-status") == "reopened"
    then = [row.get_attribute("data-event") for row in
            browser.driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")]
    assert "case.reopened" in then and "case.closed" not in then
    assert then.count("review.verdict_recorded") == 1  # the return, not yet the approval


async def test_the_resolver_signed_in_as_a_monitor_sees_the_four_eyes_refusal_and_nothing_changes(
    loop: Loop, browser: ConsoleBrowser,
) -> None:
    case_id = await loop.resolved_case("Four-eyes check", **HIGH_RISK)
    review = await loop.review_after(case_id, None)

    browser.sign_in(token("monitor", [REGION], loop.operator_sub))
    open_review_of(browser, case_id)
    browser.follow(browser.by_id("claim"))
    refusal = browser.by_id("refusal")
    assert refusal.get_attribute("data-kind") == "four_eyes"
    assert "Refused: the four-eyes rule." in refusal.text
    browser.screenshot("review_four_eyes_refused")

    after = await loop.client.get(f"{loop.review_url}/v1/reviews/{review['id']}",
                                  headers=loop.monitor)
    assert after.json()["status"] == "open" and after.json()["version"] == review["version"]
