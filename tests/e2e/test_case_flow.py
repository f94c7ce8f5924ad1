"""A case registered at intake reaches reporting through Kafka, traceable end to end."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

CASE = {
    "title": "Bribe demanded for land plot registration",
    "description": "A land department official asked for 500,000 tenge to speed up the plot.",
    "region": "KZ-75", "sector": "land", "source": "hotline", "district": "Bostandyk",
}




async def register(client: httpx.AsyncClient, system: RunningSystem, **overrides: Any
                   ) -> dict[str, Any]:
    response = await client.post(f"{system.intake_url}/v1/cases", json={**CASE, **overrides},
                                 headers=auth())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_registered_case_appears_in_the_register_and_its_verified_history(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient() as client:
        case = await register(client, system)
        assert case["version"] == 1 and case["status"] == "registered"

        async def in_register() -> Any:
            page = (await client.get(f"{system.reporting_url}/v1/cases",
                                     params={"region": "KZ-75", "limit": 500},
                                     headers=auth())).json()
            return [c for c in page["items"] if c["id"] == case["id"]]

        (row,) = await eventually(in_register)
        # The assignment service may already have assigned it if a roster exists.
        assert row["title"] == CASE["title"] and row["status"] in ("registered", "assigned")
        history = (await client.get(f"{system.reporting_url}/v1/cases/{case['id']}/history",
                                    headers=auth())).json()
        assert history["chain_verified"] is True
        # other services add their own events to the timeline (assignment, the clock) and
        # intake may already have recorded the assignment: the registration comes first
        intake_events = [e for e in history["events"] if e["topic"] == "casetrack.intake.v1"]
        event = intake_events[0]
        assert event["event_type"] == "case.registered" and event["hash_ok"] is True
        assert [e["version"] for e in intake_events] == list(range(1, len(intake_events) + 1))
        assert event["actor"]["id"] == "tester"


async def test_get_returns_the_case_with_its_version_as_etag(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        case = await register(client, system)
        response = await client.get(f"{system.intake_url}/v1/cases/{case['id']}", headers=auth())
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == case


async def test_the_correlation_id_of_a_request_reaches_the_consumer_logs(
    system: RunningSystem,
) -> None:
    correlation = f"corr-{uuid.uuid4().hex}"
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases", json=CASE,
                                     headers={**auth(), "X-Correlation-ID": correlation})
        assert response.status_code == 201
        case_id = response.json()["id"]

        async def projected() -> bool:
            r = await client.get(f"{system.reporting_url}/v1/cases/{case_id}/history",
                                 headers=auth())
            return r.status_code == 200

        await eventually(projected)
    worker_log = system.processes["reporting-worker"].log_path.read_text()
    assert any(correlation in line and "consumer.batch" in line for line in worker_log.splitlines())


async def test_a_repeated_idempotency_key_replays_the_first_response_and_stores_once(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    key = uuid.uuid4().hex
    headers = {**auth(), "Idempotency-Key": key}
    async with httpx.AsyncClient() as client:
        first = await client.post(f"{system.intake_url}/v1/cases", json=CASE, headers=headers)
        again = await client.post(f"{system.intake_url}/v1/cases", json=CASE, headers=headers)
        other = await client.post(f"{system.intake_url}/v1/cases",
                                  json={**CASE, "title": "Another"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    stored = await db.fetchval(  # other services may add their reactions (an assignment)
        """SELECT count(*) FROM intake.events
           WHERE stream_id = $1 AND event_type = 'case.registered'""", first.json()["id"])
    assert stored == 1


async def test_the_reporter_contact_is_kept_out_of_the_log_the_topic_and_reporting(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    async with httpx.AsyncClient() as client:
        case = await register(client, system, reporter={"name": canary, "phone": "+7 701 555 0101"})
        assert case["has_reporter"] is True and canary not in str(case)

        async def projected() -> bool:
            r = await client.get(f"{system.reporting_url}/v1/cases/{case['id']}/history",
                                 headers=auth())
            return r.status_code == 200 and canary not in r.text

        await eventually(projected)
    for table in ("intake.events", "reporting.history", "reporting.case_register"):
        leaked = await db.fetchval(f"SELECT count(*) FROM {table} t WHERE t::text LIKE $1",
                                   f"%{canary}%")
        assert leaked == 0, table
    vault = await db.fetchval("SELECT count(*) FROM intake.vault_entries WHERE subject_id = $1",
                              case["id"])
    assert vault == 1
    assert canary not in system.logs()
