"""Every way a case write is refused: wrong state, role, region, version, or body; nothing stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.intake.client import Intake, as_

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"
TRIAGE = {"risk_level": "low", "category": "extortion"}


async def _version(api: Intake, case_id: str) -> int:
    version: int = (await api.get(f"/v1/cases/{case_id}")).json()["version"]
    return version


async def _recorded(api: Intake, case_id: str) -> list[str]:
    """The case's events that callers caused (the assignment service may add its own any time)."""
    events = (await api.get(f"/v1/streams/{case_id}/events", role="admin")).json()["events"]
    return [e["event_type"] for e in events if e["event_type"] != "case.assigned"]


async def test_an_illegal_transition_answers_409_naming_the_state_and_the_allowed_actions(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    response = await api.post(f"/v1/cases/{cid}/resolve",
                              {"outcome": "confirmed", "summary": "too early"})
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["current_state"] in ("registered", "assigned")
    assert "triage" in body["allowed_actions"] and "resolve" not in body["allowed_actions"]
    for path, payload, role in (("reopen", {"reason": "r"}, "supervisor"),
                                ("erase-reporter", {"reason": "r"}, "admin")):
        refused = await api.post(f"/v1/cases/{cid}/{path}", payload, role=role)
        assert refused.status_code == 409, (path, refused.text)


@pytest.mark.parametrize(("path", "body", "role"), [
    ("triage", TRIAGE, "analyst"),
    ("triage", TRIAGE, "monitor"),
    ("notes", {"note": "n"}, "analyst"),
    ("reopen", {"reason": "r"}, "operator"),
    ("withdraw", {"reason": "r"}, "operator"),
    ("erase-reporter", {"reason": "r"}, "supervisor"),
    ("erase-reporter", {"reason": "r"}, "operator"),
])
async def test_a_role_that_may_not_act_gets_403_and_nothing_is_appended(
    api: Intake, path: str, body: dict[str, Any], role: str,
) -> None:
    cid = (await api.register())["id"]
    before = await _recorded(api, cid)
    response = await api.post(f"/v1/cases/{cid}/{path}", body, role=role)
    assert response.status_code == 403, response.text
    assert await _recorded(api, cid) == before


async def test_an_operator_cannot_read_the_reporter_contact(api: Intake) -> None:
    cid = (await api.register(reporter={"name": "Aigerim"}))["id"]
    response = await api.get(f"/v1/cases/{cid}/reporter", role="operator", purpose="curious")
    assert response.status_code == 403


async def test_cases_of_another_region_answer_404_to_reads_and_writes(
    api: Intake,
) -> None:
    cid = (await api.register(reporter={"name": "Aigerim"}))["id"]
    astana = as_("supervisor", "sup-astana", ["KZ-71"])
    base = f"{api.system.intake_url}/v1/cases/{cid}"
    responses = [
        await api.http.get(base, headers=astana),
        await api.http.get(f"{base}/reporter", headers=astana, params={"purpose": "x"}),
        await api.http.post(f"{base}/triage", json=TRIAGE, headers=astana),
        await api.http.post(f"{base}/withdraw", json={"reason": "r"}, headers=astana),
        await api.http.get(f"{api.system.intake_url}/v1/streams/{cid}/events", headers=astana),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    other = (await api.register())["id"]
    foreign = await api.http.post(f"{api.system.intake_url}/v1/cases/{other}/duplicate-of",
                              json={"original_case_id": str(uuid.uuid4())},
                              headers=as_("operator"))
    assert foreign.status_code == 422 and foreign.json()["field"] == "original_case_id"


async def test_a_stale_if_match_is_412_with_the_current_version_and_nothing_is_appended(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    before = await _recorded(api, cid)
    response = await api.post(f"/v1/cases/{cid}/triage", TRIAGE,
                              headers={"If-Match": '"0"'})
    assert response.status_code == 412
    current = response.json()["current_version"]
    assert current >= 1 and response.headers["etag"] == f'"{current}"'
    assert await _recorded(api, cid) == before


async def test_a_stale_expected_version_is_409_with_the_current_version(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    before = await _recorded(api, cid)
    response = await api.post(f"/v1/cases/{cid}/triage", {**TRIAGE, "expected_version": 0})
    assert response.status_code == 409 and response.json()["current_version"] >= 1
    assert await _recorded(api, cid) == before


async def test_a_matching_if_match_is_accepted_and_the_etag_moves_on(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    for _ in range(3):  # another service may append (e.g. an assignment) between the reads
        current = await _version(api, cid)
        response = await api.post(f"/v1/cases/{cid}/triage", TRIAGE,
                                  headers={"If-Match": f'"{current}"'})
        if response.status_code != 412:
            break
    assert response.status_code == 200, response.text
    assert int(response.headers["etag"].strip('"')) > current


async def test_a_repeated_idempotency_key_replays_the_first_answer_and_appends_once(
    api: Intake,
) -> None:
    cid = (await api.register())["id"]
    key = {"Idempotency-Key": f"triage-{uuid.uuid4()}"}
    first = await api.post(f"/v1/cases/{cid}/triage", TRIAGE, headers=key)
    second = await api.post(f"/v1/cases/{cid}/triage", TRIAGE, headers=key)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    other = await api.post(f"/v1/cases/{cid}/triage", {**TRIAGE, "category": "y"},
                           headers=key)
    assert other.status_code == 422
    events = (await api.get(f"/v1/streams/{cid}/events", role="admin")).json()["events"]
    assert [e["event_type"] for e in events].count("case.triaged") == 1


@pytest.mark.parametrize(("path", "body", "field"), [
    ("triage", {**TRIAGE, "priority": "urgent"}, "priority"),
    ("triage", {"risk_level": "extreme", "category": "x"}, "risk_level"),
    ("triage", {"risk_level": "low", "category": "   "}, "category"),
    ("triage", {"risk_level": "low", "category": "x" * 201}, "category"),
    ("notes", {"note": ""}, "note"),
    ("notes", {"note": "n" * 10_001}, "note"),
    ("notes", {"note": "n", "evidence_refs": [""]}, "evidence_refs.0"),
    ("resolve", {"outcome": "maybe", "summary": "s"}, "outcome"),
    ("resolve", {"outcome": "confirmed"}, "summary"),
    ("withdraw", {"reason": ""}, "reason"),
    ("withdraw", {"reason": "r" * 2_001}, "reason"),
    ("erase-reporter", {}, "reason"),
    ("duplicate-of", {"original_case_id": ""}, "original_case_id"),
    ("triage", {**TRIAGE, "expected_version": -1}, "expected_version"),
])
async def test_an_invalid_body_is_422_naming_the_field_and_nothing_is_appended(
    api: Intake, path: str, body: dict[str, Any], field: str,
) -> None:
    cid = (await api.register())["id"]
    before = await _recorded(api, cid)
    response = await api.post(f"/v1/cases/{cid}/{path}", body, role="admin")
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await _recorded(api, cid) == before


async def test_a_case_cannot_be_marked_a_duplicate_of_itself(api: Intake) -> None:
    cid = (await api.register())["id"]
    response = await api.post(f"/v1/cases/{cid}/duplicate-of", {"original_case_id": cid})
    assert response.status_code == 422 and response.json()["field"] == "original_case_id"


async def test_reading_the_reporter_needs_a_purpose(api: Intake) -> None:
    cid = (await api.register(reporter={"name": "Aigerim"}))["id"]
    for params in ({}, {"purpose": ""}, {"purpose": "   "}):
        response = await api.get(f"/v1/cases/{cid}/reporter", **params)
        assert response.status_code == 422, params
