"""Every console page in a real browser: accessible, small, escaped, scoped, in three languages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from tests.e2e.console.browser import (
    PAGE_BUDGET,
    ConsoleBrowser,
    csrf_token_of,
    describe,
    signed_in_client,
)
from tests.e2e.review.test_review_loop import CASE, REGION
from tests.support.system import RunningSystem, auth, token
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCRIPT_TITLE = "<script>alert(1)</script>"
DUE = (date.today() + timedelta(days=30)).isoformat()


class Scene:
    """A case with a hostile title and a reporter, and a directive, made for these tests."""

    def __init__(self, case_id: str, directive_id: str, canary: str, tag: str) -> None:
        self.case_id, self.directive_id, self.canary, self.tag = case_id, directive_id, canary, tag


@pytest.fixture(scope="module")
async def scene(system: RunningSystem) -> Scene:
    """Made through intake's API, then waited for in reporting's registers."""
    tag = uuid.uuid4().hex[:8]
    canary = f"Canary{tag}"
    operator = auth("operator", [REGION], f"op-{tag}")
    async with httpx.AsyncClient(timeout=10) as client:
        created = await client.post(f"{system.intake_url}/v1/cases", headers=operator, json={
            **CASE, "title": SCRIPT_TITLE, "district": f"Medeu {tag}",
            "reporter": {"name": canary, "phone": "+7 701 555 0199", "email": f"{canary}@example.kz"}})
        assert created.status_code == 201, created.text
        issued = await client.post(f"{system.intake_url}/v1/directives", headers=auth(
            "supervisor", [REGION], f"sup-{tag}"), json={
            "title": f"Publish the kindergarten queue {tag}", "text": "Publish it online.",
            "issuing_authority": "Agency", "addressee_body": f"Education department {tag}",
            "region": REGION, "due_date": DUE})
        assert issued.status_code == 201, issued.text

        async def in_registers() -> bool:
            cases = await client.get(f"{system.reporting_url}/v1/cases", headers=auth(),
                                     params={"district": f"Medeu {tag}"})
            directives = await client.get(f"{system.reporting_url}/v1/directives", headers=auth(),
                                          params={"addressee": f"Education department {tag}"})
            return bool(cases.json()["items"]) and bool(directives.json()["items"])

        await eventually(in_registers, what="the scene in reporting's registers")
    return Scene(created.json()["id"], issued.json()["id"], canary, tag)


def pages(scene: Scene) -> dict[str, str]:
    """Every page a person reaches, by screenshot name."""
    today = date.today().isoformat()
    return {
        "reviews": f"/reviews?region={REGION}",
        "case": f"/cases/{scene.case_id}",
        "case_as_of": f"/cases/{scene.case_id}?as_of={today}T23:59",
        "cases": f"/cases?region={REGION}",
        "directives": f"/directives?addressee=Education+department+{scene.tag}",
        "results": f"/results?region={REGION}",
        "my_work": "/my-work",
    }


def test_every_page_has_no_serious_accessibility_violation_and_is_screenshotted(
    system: RunningSystem, browser: ConsoleBrowser, scene: Scene,
) -> None:
    browser.driver.delete_all_cookies()
    browser.open("/login")
    assert browser.axe_violations() == [], describe(browser.axe_violations())
    browser.screenshot("login")
    browser.sign_in(token("monitor", [REGION], f"mon-{scene.tag}"))
    for name, path in pages(scene).items():
        browser.open(path)
        violations = browser.axe_violations()
        assert violations == [], f"{path}:\n{describe(violations)}"
        browser.screenshot(name)


def test_every_page_stays_within_100_kb(system: RunningSystem, scene: Scene) -> None:
    with signed_in_client(system.urls["console"], token("monitor", [REGION], "sizer")) as client:
        for path in ["/login", *pages(scene).values()]:
            page = client.get(path)
            assert page.status_code == 200, (path, page.text[:500])
            assert len(page.content) <= PAGE_BUDGET, (path, len(page.content))


def test_a_case_titled_with_a_script_tag_shows_as_text_and_runs_nothing(
    browser: ConsoleBrowser, scene: Scene,
) -> None:
    browser.sign_in(token("monitor", [REGION], f"mon-{scene.tag}"))
    for path in (f"/cases/{scene.case_id}", f"/cases?district=Medeu+{scene.tag}"):
        browser.open(path)
        with pytest.raises(NoAlertPresentException):
            browser.driver.switch_to.alert.text  # noqa: B018 - reading it is the probe
        assert SCRIPT_TITLE in browser.text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in browser.driver.page_source
        assert not browser.driver.find_elements(By.XPATH, "//script")


def test_no_reporter_contact_appears_on_any_page_or_export(
    system: RunningSystem, scene: Scene,
) -> None:
    with signed_in_client(system.urls["console"], token("admin", ["*"], "pii-check")) as client:
        for path in [*pages(scene).values(), f"/exports/cases.csv?region={REGION}"]:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text[:300])
            body = answer.text
            for secret in (scene.canary, "555 0199", "example.kz"):
                assert secret not in body, (path, secret)


def test_another_regions_monitor_gets_404_for_the_case_and_nothing_in_the_register(
    system: RunningSystem, scene: Scene,
) -> None:
    with signed_in_client(system.urls["console"], token("monitor", ["KZ-71"], "far")) as client:
        assert client.get(f"/cases/{scene.case_id}").status_code == 404
        register = client.get(f"/cases?district=Medeu+{scene.tag}")
        assert register.status_code == 200 and scene.case_id not in register.text


def test_a_form_without_this_browsers_csrf_token_is_refused_and_changes_nothing(
    system: RunningSystem, browser: ConsoleBrowser, scene: Scene,
) -> None:
    console = system.urls["console"]
    stranger = httpx.post(f"{console}/login", data={"token": token(), "next": "/"})
    assert stranger.status_code == 403 and "casetrack_session" not in stranger.headers.get(
        "set-cookie", "")
    with signed_in_client(console, token("monitor", [REGION], f"mon-{scene.tag}")) as client:
        before = client.get("/reviews").text
        forged = client.post("/language", data={"lang": "kk", "next": "/reviews",
                                                "csrf_token": "0" * 64})
        assert forged.status_code == 403 and "casetrack_lang" not in forged.headers.get(
            "set-cookie", "")
        other_browser = httpx.get(f"{console}/login")
        replayed = client.post("/language", data={"lang": "kk", "next": "/reviews",
                                                  "csrf_token": csrf_token_of(other_browser.text)})
        assert replayed.status_code == 403
        assert '<html lang="ru">' in before and '<html lang="ru">' in client.get("/reviews").text

    browser.sign_in(token("monitor", [REGION], f"mon-{scene.tag}"))
    browser.open("/reviews")
    browser.driver.execute_script(
        "document.querySelector('form.lang input[name=csrf_token]').value = 'forged';")
    browser.follow(browser.by_id("lang-apply"))
    assert "The form has expired" in browser.text()
    browser.screenshot("csrf_refused")


def test_the_chosen_language_is_remembered_with_region_names_in_it(
    browser: ConsoleBrowser, scene: Scene,
) -> None:
    browser.sign_in(token("monitor", [REGION], f"mon-{scene.tag}"))
    expected: dict[str, Any] = {"ru": ("Очередь проверок", "Алматы", "Абайская область"),
                                "kk": ("Тексеру кезегі", "Алматы", "Абай облысы"),
                                "en": ("Review queue", "Almaty", "Abai Region")}
    for lang, (queue, city, region) in expected.items():
        browser.open(f"/cases?region={REGION}")
        browser.driver.find_element(By.CSS_SELECTOR, f"#lang-select option[value='{lang}']").click()
        browser.follow(browser.by_id("lang-apply"))
        browser.open(f"/cases?region={REGION}")  # a fresh load: the choice is remembered
        assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        assert queue in browser.text()
        assert city in browser.by_id("register").text
        assert region in browser.by_id("f-region").text
        browser.screenshot(f"cases_{lang}")
