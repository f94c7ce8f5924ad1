"""A case through its whole life over HTTP and Kafka: every step recorded, replayable, attributable."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from events import INTAKE_TOPIC, REVIEW_TOPIC, EventEnvelope, verify_chain
from services.intake.domain.case import fold
from services.intake.handlers import case_view
from tests.e2e.intake.client import Intake, publish, review_opened, verdict_recorded
from tests.support.kafka import read_topic
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


async def _stream(api: Intake, stream_id: str) -> list[EventEnvelope]:
    response = await api.get(f"/v1/streams/{stream_id}/events", role="admin")
    assert response.status_code == 200, response.text
    return [EventEnvelope.model_validate(e) for e in response.json()["events"]]


async def test_a_case_lives_from_registration_through_review_to_closure(
    api: Intake,
) -> None:
    case = await api.register()
    cid = case["id"]
    assert case["allowed_actions"] == ["triage", "duplicate-of", "withdraw",
                                       "flag-for-review", "extend-consideration",
                                       "misdirected", "forward"]
    triaged = await api.ok(f"/v1/cases/{cid}/triage", {
        "risk_level": "low", "category": "extortion", "notes": "second report on this desk"})
    assert triaged["risk_level"] == "low" and triaged["status"] in ("triaged", "assigned")
    noted = await api.ok(f"/v1/cases/{cid}/notes", {
        "note": "requested the plot file", "evidence_refs": ["doc://kz75/plot-file.pdf"]})
    assert noted["status"] == "in_progress"
    assert noted["progress"][0]["evidence_refs"] == ["doc://kz75/plot-file.pdf"]
    resolved = await api.ok(f"/v1/cases/{cid}/resolve", {
        "outcome": "referred_to_law_enforcement", "summary": "file passed to the police",
        "measures_taken": ["referred", "desk rotated"]})
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == "operator-1"

    review_id = str(uuid.uuid4())
    verdict = verdict_recorded(review_id, cid, "approved")
    await publish(api.system.bootstrap, REVIEW_TOPIC, [review_opened(review_id, cid), verdict])
    closed = await eventually(lambda: api.in_status(f"/v1/cases/{cid}", "closed"))
    assert closed["review_id"] == review_id and closed["allowed_actions"] == [
        "reopen", "flag-for-review"]

    envelopes = await _stream(api, cid)
    assert verify_chain(envelopes).ok
    reported = (await api.get(f"/v1/cases/{cid}")).json()
    if reported["version"] != envelopes[-1].version:  # another service appended meanwhile
        envelopes = await _stream(api, cid)
    assert case_view(fold(cid, envelopes)).model_dump(mode="json") == reported
    by_type = {e.event_type: e for e in envelopes}
    triage_actor = by_type["case.triaged"].actor
    assert (triage_actor.id, triage_actor.role, triage_actor.region) == (
        "operator-1", "operator", "KZ-75")
    assert by_type["case.closed"].causation_id == str(verdict.event_id)
    assert by_type["case.closed"].correlation_id == verdict.correlation_id


async def test_a_returned_verdict_reopens_the_case_and_a_supervisor_can_reopen_by_hand(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    await api.ok(f"/v1/cases/{cid}/triage", {"risk_level": "medium", "category": "gifts"})
    await api.ok(f"/v1/cases/{cid}/notes", {"note": "interviewed staff"})
    await api.ok(f"/v1/cases/{cid}/resolve", {"outcome": "not_confirmed", "summary": "none"})
    review_id = str(uuid.uuid4())
    await publish(api.system.bootstrap, REVIEW_TOPIC, [
        review_opened(review_id, cid),
        verdict_recorded(review_id, cid, "returned", findings="no interview notes")])
    reopened = await eventually(lambda: api.in_status(f"/v1/cases/{cid}", "reopened"))
    assert reopened["findings"] == "no interview notes" and reopened["reopen_count"] == 1
    await api.ok(f"/v1/cases/{cid}/notes", {"note": "notes attached"})
    await api.ok(f"/v1/cases/{cid}/resolve", {"outcome": "confirmed", "summary": "found"})
    again = await api.ok(f"/v1/cases/{cid}/reopen", {"reason": "new evidence"},
                         role="supervisor")
    assert again["status"] == "reopened" and again["reopen_count"] == 2


async def test_the_state_as_of_an_instant_is_the_state_recorded_then(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    await api.ok(f"/v1/cases/{cid}/triage", {"risk_level": "high", "category": "land"})
    first = (await _stream(api, cid))[0]
    then = (await api.get(f"/v1/cases/{cid}", as_of=first.recorded_at.isoformat())).json()
    assert then["version"] == 1 and then["status"] == "registered"
    assert then["risk_level"] is None
    before = await api.get(f"/v1/cases/{cid}", as_of="2020-01-01T00:00:00Z")
    assert before.status_code == 404
    naive = await api.get(f"/v1/cases/{cid}", as_of=datetime(2030, 1, 1).isoformat())
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"


async def test_a_duplicate_is_linked_both_ways_and_both_histories_are_kept(
    api: Intake,
) -> None:
    original = (await api.register())["id"]
    duplicate = (await api.register(title="Same bribe, reported again"))["id"]
    marked = await api.ok(f"/v1/cases/{duplicate}/duplicate-of",
                          {"original_case_id": original})
    assert marked["status"] == "duplicate" and marked["duplicate_of"] == original
    linked = (await api.get(f"/v1/cases/{original}")).json()
    assert duplicate in linked["duplicates"] and linked["status"] != "duplicate"
    duplicate_types = [e.event_type for e in await _stream(api, duplicate)]
    assert duplicate_types[0] == "case.registered" and "case.marked_duplicate" in duplicate_types
    original_types = [e.event_type for e in await _stream(api, original)]
    assert original_types[0] == "case.registered" and "case.duplicate_linked" in original_types
    again = await api.post(f"/v1/cases/{duplicate}/triage",
                           {"risk_level": "low", "category": "x"})
    assert again.status_code == 409 and again.json()["current_state"] == "duplicate"


async def test_a_supervisor_withdraws_a_case_with_a_reason_and_it_is_final(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    flagged = await api.ok(f"/v1/cases/{cid}/flag-for-review", {"reason": "reporter asked"})
    assert flagged["flagged_for_review"] == "reporter asked"
    withdrawn = await api.ok(f"/v1/cases/{cid}/withdraw", {"reason": "reporter withdrew"},
                             role="supervisor")
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_reason"] == "reporter withdrew"
    refused = await api.post(f"/v1/cases/{cid}/withdraw", {"reason": "again"},
                             role="supervisor")
    assert refused.status_code == 409
    assert refused.json()["allowed_actions"] == withdrawn["allowed_actions"]


async def test_events_reach_the_intake_topic_with_the_actor_of_the_token(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    await api.ok(f"/v1/cases/{cid}/triage", {"risk_level": "low", "category": "x"},
                 role="supervisor", sub="sup-42")
    records = await read_topic(api.system.bootstrap, INTAKE_TOPIC, lambda rs: any(
        r.key == cid.encode() and b"case.triaged" in (r.value or b"") for r in rs))
    (triaged,) = [EventEnvelope.from_wire(r.value) for r in records
                  if r.key == cid.encode() and r.value and b"case.triaged" in r.value]
    assert triaged.actor.model_dump() == {"id": "sup-42", "role": "supervisor", "region": "KZ-75"}
