"""intake's clock commands over HTTP on real Postgres: every refusal is problem+json naming the
field and appends nothing; the accepted ones move the case as the rules say."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.calendar import agency_date
from events.case_clocks import appeal_due, extension_limit, forward_due, notice_due
from services.runtime.auth import issue_token
from tests.integration.intake.conftest import SECRET

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def _auth(role: str, sub: str = "user-1", regions: tuple[str, ...] = ("KZ-75",)
          ) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(sub, role, list(regions), secret=SECRET)}"}


OPERATOR, SUPERVISOR = _auth("operator", "op-1"), _auth("supervisor", "sup-1")


@pytest.fixture
def http(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """intake's app in process (the package's session app)."""
    return client


async def _register(http: httpx.AsyncClient, anonymous: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Bribe for a school place", "description": "A fee was asked for enrolment.",
        "region": "KZ-75", "sector": "education", "source": "hotline", "anonymous": anonymous}
    if not anonymous:
        body["reporter"] = {"name": "Aigerim", "phone": "+7 701 555 0101"}
    created = await http.post("/v1/cases", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _refused(http: httpx.AsyncClient, case: dict[str, Any], path: str,
                   body: dict[str, Any], status: int, field: str | None = None,
                   headers: dict[str, str] = SUPERVISOR) -> dict[str, Any]:
    """POST a write that must be refused; returns the problem after checking nothing moved."""
    answer = await http.post(f"/v1/cases/{case['id']}/{path}", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = answer.json()
    if field is not None:
        assert problem.get("field") == field, problem
    after = (await http.get(f"/v1/cases/{case['id']}", headers=OPERATOR)).json()
    assert after["version"] == case["version"] and after["status"] == case["status"]
    return problem


def _registered_on(case: dict[str, Any]) -> date:

    return agency_date(datetime.fromisoformat(case["registered_at"]))


async def test_extension_refusals_name_the_field_and_change_nothing(
        http: httpx.AsyncClient) -> None:
    case = await _register(http)
    registered_on = _registered_on(case)
    assert date.fromisoformat(case["due_date"]) == appeal_due(registered_on)
    limit = extension_limit(registered_on)
    reason = "awaiting the education department's opinion"
    await _refused(http, case, "extend-consideration",
                   {"new_due_date": limit.isoformat(), "reason": reason}, 403,
                   headers=OPERATOR)
    await _refused(http, case, "extend-consideration",
                   {"new_due_date": (limit + timedelta(days=1)).isoformat(), "reason": reason},
                   422, "new_due_date")
    await _refused(http, case, "extend-consideration",
                   {"new_due_date": case["due_date"], "reason": reason}, 422, "new_due_date")
    await _refused(http, case, "extend-consideration",
                   {"new_due_date": limit.isoformat(), "reason": ""}, 422, "reason")
    await _refused(http, case, "extend-consideration",
                   {"new_due_date": limit.isoformat(), "reason": reason, "notify": True},
                   422, "notify")
    await _refused(http, case, "notify-reporter",
                   {"channel": "phone", "notified_on": case["registered_at"][:10]}, 409,
                   headers=OPERATOR)  # no extension, so no notice is owed
    withdrawn = await http.post(f"/v1/cases/{case['id']}/withdraw", json={"reason": "gone"},
                                headers=SUPERVISOR)
    await _refused(http, withdrawn.json(), "extend-consideration",
                   {"new_due_date": limit.isoformat(), "reason": reason}, 409)


async def test_an_extension_moves_the_due_date_and_owes_the_reporter_a_notice(
        http: httpx.AsyncClient) -> None:
    case = await _register(http)
    registered_on, today = _registered_on(case), _registered_on(case)
    limit = extension_limit(registered_on)
    stale = {**SUPERVISOR, "If-Match": f'"{case["version"] + 5}"'}
    body = {"new_due_date": limit.isoformat(), "reason": "awaiting an inspection"}
    await _refused(http, case, "extend-consideration", body, 412, headers=stale)
    key = {**SUPERVISOR, "Idempotency-Key": f"extend-{uuid.uuid4()}",
           "If-Match": f'"{case["version"]}"'}
    first = await http.post(f"/v1/cases/{case['id']}/extend-consideration", json=body,
                            headers=key)
    again = await http.post(f"/v1/cases/{case['id']}/extend-consideration", json=body,
                            headers=key)
    assert first.status_code == again.status_code == 200, first.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    extended = first.json()
    assert extended["version"] == case["version"] + 1  # appended once
    assert (extended["due_date"], extended["extensions"]) == (limit.isoformat(), 1)
    assert extended["notice_due_date"] == notice_due(today).isoformat()
    assert "notify-reporter" in extended["allowed_actions"]

    await _refused(http, extended, "notify-reporter",
                   {"channel": "not_possible", "notified_on": today.isoformat()}, 422,
                   "channel", headers=OPERATOR)
    await _refused(http, extended, "notify-reporter",
                   {"channel": "phone", "notified_on": (today + timedelta(days=1)).isoformat()},
                   422, "notified_on", headers=OPERATOR)
    told = await http.post(f"/v1/cases/{case['id']}/notify-reporter", headers=OPERATOR,
                           json={"channel": "phone", "notified_on": today.isoformat()})
    assert told.status_code == 200, told.text
    assert (told.json()["notified_on"], told.json()["notice_channel"]) == (
        today.isoformat(), "phone")
    await _refused(http, told.json(), "notify-reporter",
                   {"channel": "email", "notified_on": today.isoformat()}, 409,
                   headers=OPERATOR)


async def test_an_anonymous_case_records_at_once_that_notice_is_not_possible(
        http: httpx.AsyncClient) -> None:
    case = await _register(http, anonymous=True)
    limit = extension_limit(_registered_on(case))
    answer = await http.post(f"/v1/cases/{case['id']}/extend-consideration", headers=SUPERVISOR,
                             json={"new_due_date": limit.isoformat(), "reason": "an opinion"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["version"] == case["version"] + 2
    assert view["notice_channel"] == "not_possible" and "notify-reporter" not in view[
        "allowed_actions"]


async def test_forwarding_refusals_name_the_field_and_a_forward_ends_the_case(
        http: httpx.AsyncClient) -> None:
    case = await _register(http)
    reason = "the school is Astana's"
    await _refused(http, case, "forward", {"target_kind": "region", "target_region": "KZ-75",
                                           "reason": reason}, 422, "target_region",
                   headers=OPERATOR)
    await _refused(http, case, "forward", {"target_kind": "body", "reason": reason}, 422,
                   "target_body", headers=OPERATOR)
    await _refused(http, case, "forward", {"target_kind": "ministry", "reason": reason}, 422,
                   "target_kind", headers=OPERATOR)
    await _refused(http, case, "forward", {"target_kind": "region", "target_region": "KZ-71",
                                           "reason": reason}, 403, headers=_auth("monitor"))
    marked = await http.post(f"/v1/cases/{case['id']}/misdirected", json={"reason": reason},
                             headers=OPERATOR)
    assert marked.status_code == 200, marked.text
    due = forward_due(_registered_on(case)).isoformat()
    assert marked.json()["forward_due_date"] == due
    await _refused(http, marked.json(), "misdirected", {"reason": "again"}, 409,
                   headers=OPERATOR)
    forwarded = await http.post(f"/v1/cases/{case['id']}/forward", headers=OPERATOR,
                                json={"target_kind": "region", "target_region": "KZ-71",
                                      "reason": reason})
    assert forwarded.status_code == 200, forwarded.text
    view = forwarded.json()
    assert (view["status"], view["forwarded_to"], view["forward_due_date"]) == (
        "forwarded", "KZ-71", due)
    await _refused(http, view, "extend-consideration",
                   {"new_due_date": extension_limit(_registered_on(case)).isoformat(),
                    "reason": "too late"}, 409)
