"""Assignment through the real broker: automatic, manual, hand-over, escalation, bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from events import INTAKE_TOPIC, EventEnvelope
from tests.e2e.assignment.conftest import (
    assigned,
    assignment,
    events_of,
    intake_write,
    office,
    officer,
    processed,
    register,
    send,
)
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

API = "assignment"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client."""
    async with httpx.AsyncClient(timeout=30) as c:
        yield c


async def test_a_registered_case_gets_exactly_one_automatic_assignment_even_if_delivered_twice(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-10")
    busy = await officer(client, system, office_id, ["land"])
    idle = await officer(client, system, office_id, ["land", "housing"])
    first = await register(client, system, "KZ-10")
    got = await assigned(client, system, first)
    assert got["office_id"] == office_id and got["rule"] == "case-to-regional-office"
    assert got["due_date"] is not None and got["clock"] == "appeal"
    second = await register(client, system, "KZ-10")
    await assigned(client, system, second)
    holders = {(await assignment(client, system, s)).json()["officer_id"] for s in (first, second)}
    assert holders == {busy, idle}  # the second case went to the less-loaded officer

    records = await read_topic(system.bootstrap, INTAKE_TOPIC,
                               lambda rs: any(r.key == first.encode() for r in rs))
    original = next(r for r in records if r.key == first.encode())
    envelope = EventEnvelope.from_wire(original.value)
    await send(system.bootstrap, first, original.value, envelope)  # delivered twice
    await send(system.bootstrap, first, original.value, envelope)
    _, marker = await intake_write(client, system, db, f"/v1/cases/{first}/notes",
                                   {"note": "a marker after the duplicates"})
    await eventually(lambda: processed(db, marker), what="marker processed")

    made = await events_of(db, first, "assignment.made")
    assert len(made) == 1
    assert len(await events_of(db, first, "assignment.deadline_set")) == 1
    load = (await client.get(f"{system.urls[API]}/v1/workload", params={"office": office_id},
                             headers=auth("supervisor", ["KZ-10"]))).json()
    assert sorted(o["open_items"] for o in load["officers"]) == [1, 1]


async def test_a_triage_that_does_not_change_routing_reassigns_nobody_but_critical_goes_to_agency(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-11")
    await officer(client, system, office_id, ["police"])
    case = await register(client, system, "KZ-11", "police")
    await assigned(client, system, case)
    _, low = await intake_write(client, system, db, f"/v1/cases/{case}/triage",
                                {"risk_level": "low", "category": "bribery"})
    await eventually(lambda: processed(db, low), what="low triage processed")
    assert len(await events_of(db, case, "assignment.made")) == 1
    _, critical = await intake_write(client, system, db, f"/v1/cases/{case}/triage",
                                     {"risk_level": "critical", "category": "bribery",
                                      "notes": "organised group"})
    await eventually(lambda: processed(db, critical), what="critical triage processed")
    body = (await assignment(client, system, case)).json()
    agency = await db.fetchval("SELECT office_id FROM assignment.offices WHERE kind = 'agency_unit'"
                               " AND active ORDER BY office_id LIMIT 1")
    if agency is not None and await db.fetchval(
            "SELECT 1 FROM assignment.officers WHERE office_id = $1 AND active", agency):
        assert body["office_id"] == agency and body["rule"] == "critical-risk-to-agency"
    else:
        assert body["office_id"] == office_id  # no agency staff: stays where it is


async def test_a_manual_reassignment_survives_later_triage(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-15")
    await officer(client, system, office_id, ["land"])
    chosen = await officer(client, system, office_id, ["health"])
    case = await register(client, system, "KZ-15")
    first = await assigned(client, system, case)
    assert first["officer_id"] != chosen
    r = await client.post(f"{system.urls[API]}/v1/assignments/{case}",
                          json={"officer_id": chosen, "reason": "knows the akimat"},
                          headers={**auth("supervisor", ["KZ-15"], "sup-15"),
                                   "If-Match": f'"{first["version"]}"'})
    assert r.status_code == 200, r.text
    _, triage = await intake_write(client, system, db, f"/v1/cases/{case}/triage",
                                   {"risk_level": "critical", "category": "land"})
    await eventually(lambda: processed(db, triage), what="triage processed")
    body = (await assignment(client, system, case)).json()
    assert body["officer_id"] == chosen and body["manual"] is True
    kinds = [e["payload"]["kind"] for e in body["history"] if e["event_type"] == "assignment.made"]
    assert kinds == ["automatic", "manual"]
    manual = next(e for e in body["history"] if e["payload"].get("kind") == "manual")
    assert manual["actor_id"] == "sup-15"


async def test_deactivating_an_officer_hands_over_every_open_item(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-19")
    leaving = await officer(client, system, office_id, ["land"])
    cases = [await register(client, system, "KZ-19") for _ in range(3)]
    for case in cases:
        await assigned(client, system, case, to=leaving)
    staying = await officer(client, system, office_id, ["housing"])
    r = await client.post(f"{system.urls[API]}/v1/officers/{leaving}/deactivate",
                          json={"reason": "transferred"}, headers=auth("supervisor", ["KZ-19"]))
    assert r.status_code == 200, r.text
    for case in cases:
        body = (await assignment(client, system, case)).json()
        assert body["officer_id"] == staying
        handovers = [e for e in body["history"] if e["payload"].get("kind") == "handover"]
        assert len(handovers) == 1 and handovers[0]["payload"]["previous_officer_id"] == leaving
    load = (await client.get(f"{system.urls[API]}/v1/workload", params={"office": office_id},
                             headers=auth())).json()
    assert {o["officer_id"]: o["open_items"] for o in load["officers"]} == {leaving: 0,
                                                                            staying: 3}


async def test_an_overdue_case_escalates_exactly_once_also_after_kill_and_restart(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-23")
    await officer(client, system, office_id, ["land"])
    case = await register(client, system, "KZ-23")
    await assigned(client, system, case)
    saved = dict(system.extra_env)
    try:
        system.extra_env.update({"CASETRACK_CLOCK_OFFSET_DAYS": "60",
                                 "ASSIGNMENT_SCAN_SECONDS": "0.3"})
        system.kill(API)
        system.start(API)
        system.wait_ready()
        await eventually(lambda: events_of(db, case, "assignment.escalated"),
                         what="overdue escalation")
        system.kill(API)
        system.start(API)
        system.wait_ready()
        later = await register(client, system, "KZ-23")  # proves the restarted scanner ran
        await eventually(lambda: events_of(db, later, "assignment.escalated"),
                         what="escalation after restart")
        escalations = await events_of(db, case, "assignment.escalated")
        assert len(escalations) == 1
        payload = json.loads(escalations[0]["payload"])
        assert payload["level"] == "overdue" and payload["breach"].startswith(f"{case}:overdue:")
        load = (await client.get(f"{system.urls[API]}/v1/workload", params={"office": office_id},
                                 headers=auth())).json()
        views = [(await assignment(client, system, s)).json() for s in (case, later)]
        assert sum(o["overdue"] for o in load["officers"]) == 2, (
            load["as_of"], [(o["officer_id"], o["open_items"], o["overdue"]) for o in load["officers"]],
            [(v["officer_id"], v["office_id"], v["due_date"], v["status"], v["version"])
             for v in views])
    finally:
        system.extra_env.clear()
        system.extra_env.update(saved)
        system.kill(API)
        system.start(API)
        system.wait_ready()


@pytest.mark.parametrize(
    ("case_name", "status", "field"),
    [
        ("unknown officer", 422, "officer_id"),
        ("inactive officer", 409, "officer_id"),
        ("officer of another region", 422, "officer_id"),
        ("missing reason", 422, "reason"),
        ("other-region supervisor", 404, None),
        ("operator", 403, None),
    ],
)
async def test_bad_manual_assignments_are_refused_and_append_nothing(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection,
        case_name: str, status: int, field: str | None) -> None:
    office_id = await office(client, system, "KZ-27")
    holder = await officer(client, system, office_id, ["land"])
    retired = await officer(client, system, office_id, ["land"])
    r = await client.post(f"{system.urls[API]}/v1/officers/{retired}/deactivate",
                          json={"reason": "retired"}, headers=auth())
    assert r.status_code == 200, r.text
    elsewhere = await officer(client, system, await office(client, system, "KZ-31"), ["land"])
    case = await register(client, system, "KZ-27")
    await assigned(client, system, case)  # (by an earlier parameter's office, maybe)
    before = await db.fetchval("SELECT count(*) FROM assignment.events WHERE stream_id = $1", case)
    body: dict[str, object] = {"officer_id": holder, "reason": "because"}
    headers = auth("supervisor", ["KZ-27"])
    if case_name == "unknown officer":
        body["officer_id"] = "nobody-at-all"
    elif case_name == "inactive officer":
        body["officer_id"] = retired
    elif case_name == "officer of another region":
        body["officer_id"] = elsewhere
    elif case_name == "missing reason":
        body = {"officer_id": elsewhere}
    elif case_name == "other-region supervisor":
        headers = auth("supervisor", ["KZ-31"])
    else:
        headers = auth("operator", ["KZ-27"])
    r = await client.post(f"{system.urls[API]}/v1/assignments/{case}", json=body,
                          headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        problem = r.json()
        named = problem.get("field") or ",".join(e["field"] for e in problem.get("errors", []))
        assert field in named
    after = await db.fetchval("SELECT count(*) FROM assignment.events WHERE stream_id = $1", case)
    assert after == before


@pytest.mark.parametrize(
    ("what", "path", "body", "headers", "status"),
    [
        ("unknown office", "/v1/officers",
         {"id": "x-officer", "name": "X", "office_id": "no-such-office", "sectors": ["land"]},
         None, 422),
        ("unknown field", "/v1/offices",
         {"id": "x-office", "name": "X", "region": "KZ-33", "colour": "red"}, None, 422),
        ("regional office without region", "/v1/offices",
         {"id": "x-office-2", "name": "X", "kind": "regional_project_office"}, None, 422),
        ("other-region supervisor opens an office", "/v1/offices",
         {"id": "x-office-3", "name": "X", "region": "KZ-33"}, ("supervisor", ["KZ-35"]), 403),
        ("supervisor opens an agency unit", "/v1/offices",
         {"id": "x-office-4", "name": "X", "kind": "agency_unit"}, ("supervisor", ["KZ-35"]), 403),
    ],
)
async def test_bad_roster_writes_are_refused_and_append_nothing(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection, what: str,
        path: str, body: dict[str, object], headers: tuple[str, list[str]] | None,
        status: int) -> None:
    r = await client.post(f"{system.urls[API]}{path}", json=body,
                          headers=auth(*headers) if headers else auth())
    assert r.status_code == status, r.text
    assert await db.fetchval("SELECT count(*) FROM assignment.events WHERE stream_id = $1",
                             body["id"]) == 0


async def test_assignments_and_roster_of_other_regions_answer_404(
        system: RunningSystem, client: httpx.AsyncClient) -> None:
    office_id = await office(client, system, "KZ-33")
    officer_id = await officer(client, system, office_id, ["land"])
    case = await register(client, system, "KZ-33")
    await assigned(client, system, case)
    outsider = auth("supervisor", ["KZ-35"])
    assert (await assignment(client, system, case, outsider)).status_code == 404
    base = system.urls[API]
    assert (await client.get(f"{base}/v1/officers/{officer_id}", headers=outsider)
            ).status_code == 404
    assert (await client.get(f"{base}/v1/offices/{office_id}", headers=outsider)
            ).status_code == 404
    r = await client.post(f"{base}/v1/officers/{officer_id}/deactivate",
                          json={"reason": "x"}, headers=outsider)
    assert r.status_code == 404
    load = (await client.get(f"{base}/v1/workload", headers=outsider)).json()
    assert officer_id not in {o["officer_id"] for o in load["officers"]}


async def test_a_directive_is_assigned_by_its_due_date_extended_and_closed(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-35")
    holder = await officer(client, system, office_id, ["health"])
    directive, _ = await intake_write(client, system, db, "/v1/directives", {
        "title": "Publish school enrolment queues", "text": "Make queues public.",
        "issuing_authority": "Agency", "addressee_body": "Education department",
        "region": "KZ-35", "due_date": "2027-02-01"}, auth("supervisor", ["KZ-35"], "issuer"))
    body = await assigned(client, system, directive, to=holder)
    assert (body["subject_type"], body["due_date"], body["clock"]) == (
        "directive", "2027-02-01", "directive")
    assert body["rule"] == "directive-to-regional-office"
    _, extended = await intake_write(
        client, system, db, f"/v1/directives/{directive}/extend",
        {"new_due_date": "2027-03-01", "reason": "winter"}, auth("supervisor", ["KZ-35"], "other"))
    await eventually(lambda: processed(db, extended), what="extension processed")
    body = (await assignment(client, system, directive)).json()
    assert (body["due_date"], body["clock"]) == ("2027-03-01", "directive_extended")
    _, cancelled = await intake_write(client, system, db, f"/v1/directives/{directive}/cancel",
                                      {"reason": "superseded"})
    await eventually(lambda: processed(db, cancelled), what="cancel processed")
    body = (await assignment(client, system, directive)).json()
    assert body["status"] == "closed"
    load = (await client.get(f"{system.urls[API]}/v1/workload", params={"office": office_id},
                             headers=auth())).json()
    assert {o["officer_id"]: o["open_items"] for o in load["officers"]} == {holder: 0}


async def test_moving_an_officer_to_another_region_hands_their_work_over(
        system: RunningSystem, client: httpx.AsyncClient) -> None:
    office_id = await office(client, system, "KZ-43")
    mover = await officer(client, system, office_id, ["land"])
    case = await register(client, system, "KZ-43")
    await assigned(client, system, case, to=mover)
    stayer = await officer(client, system, office_id, ["land"])
    elsewhere = await office(client, system, "KZ-47")
    r = await client.patch(f"{system.urls[API]}/v1/officers/{mover}",
                           json={"office_id": elsewhere}, headers=auth())
    assert r.status_code == 200 and r.json()["region"] == "KZ-47", r.text
    body = (await assignment(client, system, case)).json()
    assert body["officer_id"] == stayer
    assert body["history"][-1]["payload"]["kind"] == "handover"


async def test_a_repeated_manual_assignment_with_the_same_idempotency_key_appends_once(
        system: RunningSystem, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    office_id = await office(client, system, "KZ-55")
    await officer(client, system, office_id, ["land"])
    chosen = await officer(client, system, office_id, ["health"])
    case = await register(client, system, "KZ-55")
    await assigned(client, system, case)
    headers = {**auth("supervisor", ["KZ-55"]), "Idempotency-Key": f"manual-{case}"}
    replies = [await client.post(f"{system.urls[API]}/v1/assignments/{case}",
                                 json={"officer_id": chosen, "reason": "continuity"},
                                 headers=headers) for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    assert replies[0].json() == replies[1].json()
    assert replies[1].headers.get("Idempotent-Replayed") == "true"
    made = await events_of(db, case, "assignment.made")
    assert [json.loads(m["payload"])["kind"] for m in made] == ["automatic", "manual"]
