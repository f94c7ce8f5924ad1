"""intake's reception API in process against real Postgres: schedule, hold, cancel; a case
registered at a reception; refusals answer problem+json naming the field and append nothing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from events.calendar import agency_date
from services.runtime.auth import issue_token
from services.runtime.clock import SYSTEM_CLOCK
from tests.integration.intake.conftest import SECRET

pytestmark = pytest.mark.integration

AKIM = {"name": "Nurlan Seitkali", "position": "deputy akim of Alatau district"}
CASE = {"title": "Bribe asked at the akimat", "description": "Told at the reception.",
        "region": "KZ-75", "sector": "akimat_services", "source": "citizen_reception",
        "district": "Alatau", "anonymous": True}


@pytest.fixture
def http(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """intake's app in process (the package's session app)."""
    return client


def as_(role: str = "operator", regions: tuple[str, ...] = ("KZ-75",)) -> dict[str, str]:
    """A bearer header for one principal."""
    token = issue_token(f"{role}-1", role, list(regions), secret=SECRET)
    return {"Authorization": f"Bearer {token}"}


def today() -> date:
    return agency_date(SYSTEM_CLOCK.now())


def reception(**overrides: Any) -> dict[str, Any]:
    """A POST /v1/receptions body for today in Almaty's Alatau district."""
    return {"region": "KZ-75", "district": "Alatau", "scheduled_on": today().isoformat(),
            "place": "Alatau district akimat, hall 2", "officials": [AKIM], **overrides}


async def _schedule(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    role_regions = overrides.pop("caller", ("operator", ("KZ-75",)))
    answer = await http.post("/v1/receptions", json=reception(**overrides),
                             headers=as_(*role_regions))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _hold(http: httpx.AsyncClient, reception_id: str, attendance: int = 23
                ) -> httpx.Response:
    return await http.post(f"/v1/receptions/{reception_id}/hold", headers=as_(), json={
        "held_on": today().isoformat(), "officials_present": [AKIM], "attendance": attendance})


async def _event_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM intake.events"))
    finally:
        await conn.close()


async def test_a_reception_is_scheduled_held_and_a_case_registered_there_names_it(
        http: httpx.AsyncClient) -> None:
    scheduled = await _schedule(http)
    assert (scheduled["status"], scheduled["allowed_actions"]) == ("scheduled", ["hold", "cancel"])
    held = await _hold(http, scheduled["id"], attendance=41)
    assert held.status_code == 200, held.text
    assert (held.json()["status"], held.json()["attendance"]) == ("held", 41)
    case = await http.post("/v1/cases", headers=as_(),
                           json={**CASE, "reception_id": scheduled["id"]})
    assert case.status_code == 201, case.text
    assert case.json()["reception_id"] == scheduled["id"]
    events = await http.get(f"/v1/streams/{case.json()['id']}/events", headers=as_("admin", ("*",)))
    (registered,) = events.json()["events"]
    assert registered["schema_version"] == 2
    assert registered["payload"]["reception_id"] == scheduled["id"]


async def test_a_case_may_be_registered_at_a_reception_being_held_today(
        http: httpx.AsyncClient) -> None:
    scheduled = await _schedule(http)
    case = await http.post("/v1/cases", headers=as_(),
                           json={**CASE, "reception_id": scheduled["id"]})
    assert case.status_code == 201, case.text


async def test_a_case_naming_a_missing_foreign_future_or_cancelled_reception_is_refused_and_nothing_is_appended(  # noqa: E501
        http: httpx.AsyncClient, migrated_database_url: str) -> None:
    foreign = await _schedule(http, region="KZ-71", caller=("admin", ("*",)))
    future = await _schedule(http, scheduled_on=(today() + timedelta(days=2)).isoformat())
    cancelled = await _schedule(http)
    assert (await http.post(f"/v1/receptions/{cancelled['id']}/cancel", headers=as_(),
                            json={"reason": "hall closed"})).status_code == 200
    before = await _event_count(migrated_database_url)
    for reception_id in ("no-such-reception", foreign["id"], future["id"], cancelled["id"]):
        refused = await http.post("/v1/cases", headers=as_(),
                                  json={**CASE, "reception_id": reception_id})
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["field"] == "reception_id"
    assert await _event_count(migrated_database_url) == before


async def test_bad_reception_commands_are_refused_naming_the_field_and_change_nothing(
        http: httpx.AsyncClient, migrated_database_url: str) -> None:
    scheduled = await _schedule(http, scheduled_on=(today() + timedelta(days=1)).isoformat())
    other_directive = await http.post("/v1/directives", headers=as_("supervisor", ("KZ-71",)),
                                      json=_directive(region="KZ-71"))
    assert other_directive.status_code == 201, other_directive.text
    before = await _event_count(migrated_database_url)
    refusals = [
        (reception(scheduled_on=(today() - timedelta(days=60)).isoformat()), "scheduled_on"),
        (reception(directive_id=other_directive.json()["id"]), "directive_id"),
        (reception(directive_id="no-such-directive"), "directive_id"),
        (reception(officials=[]), "officials"),
        (reception(district="Alatau\x00"), "district"),
    ]
    for body, field in refusals:
        refused = await http.post("/v1/receptions", headers=as_(), json=body)
        assert (refused.status_code, refused.json().get("field")) == (422, field), refused.text
    early = await _hold(http, scheduled["id"])  # held before its day
    assert (early.status_code, early.json()["field"]) == (422, "held_on")
    negative = await http.post(f"/v1/receptions/{scheduled['id']}/hold", headers=as_(), json={
        "held_on": today().isoformat(), "officials_present": [AKIM], "attendance": -1})
    assert (negative.status_code, negative.json()["field"]) == (422, "attendance")
    assert await _event_count(migrated_database_url) == before


async def test_receptions_are_region_isolated_and_written_by_office_roles_only(
        http: httpx.AsyncClient) -> None:
    scheduled = await _schedule(http)
    elsewhere = as_("operator", ("KZ-71",))
    assert (await http.get(f"/v1/receptions/{scheduled['id']}", headers=elsewhere)
            ).status_code == 404
    assert (await http.post(f"/v1/receptions/{scheduled['id']}/cancel", headers=elsewhere,
                            json={"reason": "x"})).status_code == 404
    assert (await http.post("/v1/receptions", headers=as_("monitor"), json=reception())
            ).status_code == 403
    assert (await http.get(f"/v1/receptions/{scheduled['id']}", headers=as_("monitor"))
            ).status_code == 200
    held = await _hold(http, scheduled["id"])
    assert held.status_code == 200
    again = await http.post(f"/v1/receptions/{scheduled['id']}/cancel", headers=as_(),
                            json={"reason": "too late"})
    assert (again.status_code, again.json()["current_state"]) == (409, "held")


def _directive(**overrides: Any) -> dict[str, Any]:
    return {"title": "Hold citizen receptions in every district",
            "text": "Hold receptions with the akims and report.",
            "issuing_authority": "Anti-Corruption Agency", "addressee_body": "Akimat of Almaty",
            "region": "KZ-75", "due_date": (today() + timedelta(days=30)).isoformat(),
            **overrides}


async def test_a_directives_progress_counts_the_held_receptions_that_name_it(
        http: httpx.AsyncClient) -> None:
    issued = await http.post("/v1/directives", headers=as_("supervisor"),
                             json=_directive(receptions_required=2))
    assert issued.status_code == 201, issued.text
    directive_id = issued.json()["id"]
    assert (issued.json()["receptions_required"], issued.json()["receptions_held"]) == (2, 0)
    first = await _schedule(http, directive_id=directive_id)
    await _schedule(http, directive_id=directive_id)  # scheduled, not held: does not count
    assert (await _hold(http, first["id"])).status_code == 200
    view = (await http.get(f"/v1/directives/{directive_id}", headers=as_())).json()
    assert (view["receptions_required"], view["receptions_held"]) == (2, 1)
    too_many = await http.post("/v1/directives", headers=as_("supervisor"),
                               json=_directive(receptions_required=-1))
    assert (too_many.status_code, too_many.json()["field"]) == (422, "receptions_required")


async def test_receptions_are_listed_by_district_and_day_within_the_callers_regions(
        http: httpx.AsyncClient) -> None:
    district = f"District {uuid.uuid4().hex[:8]}"
    later = (today() + timedelta(days=5)).isoformat()
    first = await _schedule(http, district=district)
    second = await _schedule(http, district=district, scheduled_on=later)
    await _schedule(http, district=district, region="KZ-71", caller=("admin", ("*",)))
    page = await http.get("/v1/receptions", headers=as_(), params={"district": district})
    assert page.status_code == 200, page.text
    assert [r["id"] for r in page.json()["items"]] == [first["id"], second["id"]]
    assert page.json()["total"] == 2
    everywhere = await http.get("/v1/receptions", headers=as_("admin", ("*",)),
                                params={"district": district, "from": later})
    assert [r["region"] for r in everywhere.json()["items"]] == ["KZ-75"]
    assert everywhere.json()["items"][0]["id"] == second["id"]
    backwards = await http.get("/v1/receptions", headers=as_(),
                               params={"from": later, "to": today().isoformat()})
    assert (backwards.status_code, backwards.json()["field"]) == (422, "to")
