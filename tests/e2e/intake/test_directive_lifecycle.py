"""A directive through its whole life, and every way a directive write is refused."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from events import REVIEW_TOPIC
from events.calendar import add_months
from tests.e2e.intake.client import Intake, as_, directive_body, publish, review_opened, verdict_recorded
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

ISSUER = "sup-issuer"


async def _issue(api: Intake, **overrides: Any) -> dict[str, Any]:
    return await api.ok("/v1/directives", directive_body(**overrides), role="supervisor",
                        sub=ISSUER)


async def test_a_directive_lives_from_issue_through_a_returned_report_to_verification(
    api: Intake,
) -> None:
    issued = await _issue(api)
    did, due = issued["id"], date.fromisoformat(issued["due_date"])
    assert issued["status"] == "issued" and issued["issued_by"] == ISSUER
    assert issued["overdue"] is False and issued["days_overdue"] == 0
    assert issued["allowed_actions"] == ["acknowledge", "extend", "cancel"]
    base = f"/v1/directives/{did}"
    await api.ok(f"{base}/acknowledge", {"note": "accepted"})
    await api.ok(f"{base}/progress", {"note": "analysis started"})
    extended = await api.ok(f"{base}/extend", {
        "new_due_date": (due + timedelta(days=14)).isoformat(),
        "reason": "awaiting the justice ministry"}, role="supervisor", sub="sup-other")
    assert extended["due_date"] == (due + timedelta(days=14)).isoformat()
    assert extended["original_due_date"] == due.isoformat() and extended["extensions"] == 1
    reported = await api.ok(f"{base}/report", {"summary": "regulation revised"})
    assert reported["status"] == "reported"

    first_review = str(uuid.uuid4())
    await publish(api.system.bootstrap, REVIEW_TOPIC, [
        review_opened(first_review, did, "directive"),
        verdict_recorded(first_review, did, "returned", "directive", findings="no text")])
    returned = await eventually(lambda: api.in_status(f"/v1/directives/{did}", "returned"))
    assert returned["findings"] == "no text"
    await api.ok(f"{base}/report", {"summary": "revised regulation attached"})
    second_review = str(uuid.uuid4())
    await publish(api.system.bootstrap, REVIEW_TOPIC, [
        review_opened(second_review, did, "directive"),
        verdict_recorded(second_review, did, "approved", "directive")])
    verified = await eventually(lambda: api.in_status(f"/v1/directives/{did}", "verified"))
    assert verified["review_id"] == second_review and verified["allowed_actions"] == []

    events = (await api.get(f"/v1/streams/{did}/events", role="admin")).json()["events"]
    assert [e["event_type"] for e in events] == [
        "directive.issued", "directive.acknowledged", "directive.progress_reported",
        "directive.deadline_extended", "directive.completion_reported",
        "directive.review_started", "directive.returned", "directive.completion_reported",
        "directive.review_started", "directive.verified"]
    then = (await api.get(base, as_of=events[0]["recorded_at"])).json()
    assert then["version"] == 1 and then["status"] == "issued"


async def test_a_cancelled_directive_accepts_nothing_more(api: Intake) -> None:
    did = (await _issue(api))["id"]
    cancelled = await api.ok(f"/v1/directives/{did}/cancel", {"reason": "superseded"},
                             role="supervisor")
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "superseded"
    refused = await api.post(f"/v1/directives/{did}/acknowledge", {})
    assert refused.status_code == 409
    assert refused.json()["current_state"] == "cancelled"
    assert refused.json()["allowed_actions"] == []


async def test_an_escalated_verdict_hands_a_directive_to_the_agency(
    api: Intake,
) -> None:
    did = (await _issue(api))["id"]
    await api.ok(f"/v1/directives/{did}/acknowledge", {})
    await api.ok(f"/v1/directives/{did}/report", {"summary": "done"})
    review = str(uuid.uuid4())
    await publish(api.system.bootstrap, REVIEW_TOPIC,
                  [verdict_recorded(review, did, "escalated", "directive",
                                    findings="no measures taken")])

    async def escalated() -> Any:
        events = (await api.get(f"/v1/streams/{did}/events", role="admin")).json()["events"]
        return [e for e in events if e["event_type"] == "directive.escalated"]

    (event,) = await eventually(escalated)
    assert event["payload"]["review_id"] == review
    assert (await api.get(f"/v1/directives/{did}")).json()["status"] == "escalated"
    await api.ok(f"/v1/directives/{did}/report", {"summary": "done, with the centre"})


async def test_only_a_supervisor_other_than_the_issuer_may_extend(api: Intake) -> None:
    issued = await _issue(api)
    did, due = issued["id"], date.fromisoformat(issued["due_date"])
    body = {"new_due_date": (due + timedelta(days=7)).isoformat(), "reason": "more time"}
    by_issuer = await api.post(f"/v1/directives/{did}/extend", body, role="supervisor",
                               sub=ISSUER)
    by_operator = await api.post(f"/v1/directives/{did}/extend", body, role="operator")
    assert (by_issuer.status_code, by_operator.status_code) == (403, 403)
    assert (await api.get(f"/v1/directives/{did}")).json()["version"] == 1


@pytest.mark.parametrize(("change", "field"), [
    (lambda due: due - timedelta(days=1), "new_due_date"),
    (lambda due: due, "new_due_date"),
    (lambda due: add_months(due, 2) + timedelta(days=1), "new_due_date"),
])
async def test_an_extension_must_move_later_and_stay_within_two_months(
    api: Intake, change: Any, field: str,
) -> None:
    issued = await _issue(api)
    due = date.fromisoformat(issued["due_date"])
    response = await api.post(f"/v1/directives/{issued['id']}/extend",
                              {"new_due_date": change(due).isoformat(), "reason": "r"},
                              role="supervisor", sub="sup-other")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize(("overrides", "field"), [
    ({"due_date": (date.today() - timedelta(days=1)).isoformat()}, "due_date"),
    ({"region": "KZ-99"}, "region"),
    ({"title": ""}, "title"),
    ({"text": "t" * 10_001}, "text"),
    ({"due_date": "next week"}, "due_date"),
    ({"urgency": "high"}, "urgency"),
])
async def test_an_invalid_directive_is_refused_naming_the_field(
    api: Intake, overrides: dict[str, Any], field: str,
) -> None:
    response = await api.post("/v1/directives", directive_body(**overrides),
                              role="supervisor")
    assert response.status_code == 422, response.text
    body = response.json()
    assert field == body.get("field") or field in {e["field"] for e in body["errors"]}


async def test_directive_refusals_by_role_region_state_and_version(api: Intake) -> None:
    by_operator = await api.post("/v1/directives", directive_body(), role="operator")
    assert by_operator.status_code == 403
    did = (await _issue(api))["id"]
    base = f"{api.system.intake_url}/v1/directives/{did}"
    astana = as_("supervisor", "sup-astana", ["KZ-71"])
    assert (await api.http.get(base, headers=astana)).status_code == 404
    assert (await api.http.post(f"{base}/acknowledge", json={},
                            headers=astana)).status_code == 404
    stale = await api.post(f"/v1/directives/{did}/acknowledge", {},
                           headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    stale_body = await api.post(f"/v1/directives/{did}/acknowledge",
                                {"expected_version": 3})
    assert stale_body.status_code == 409 and stale_body.json()["current_version"] == 1
    early = await api.post(f"/v1/directives/{did}/report", {"summary": "done"})
    assert early.status_code == 409 and early.json()["current_state"] == "issued"
    empty = await api.post(f"/v1/directives/{did}/progress", {"note": " "})
    assert empty.status_code == 422
    ok = await api.post(f"/v1/directives/{did}/acknowledge", {},
                        headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'


async def test_issuing_twice_with_one_idempotency_key_creates_one_directive(
    api: Intake,
) -> None:
    key = {"Idempotency-Key": f"issue-{uuid.uuid4()}"}
    first = await api.post("/v1/directives", directive_body(), role="supervisor", headers=key)
    second = await api.post("/v1/directives", directive_body(), role="supervisor",
                            headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["location"] == f"/v1/directives/{first.json()['id']}"
    assert second.headers["idempotent-replayed"] == "true"
