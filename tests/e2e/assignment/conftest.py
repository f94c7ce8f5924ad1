"""Helpers for assignment's e2e tests: a roster per test, intake events, waiting on results."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from events import INTAKE_TOPIC, EventEnvelope, message_headers
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

T = TypeVar("T")


def unique(prefix: str) -> str:
    """An id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"




async def office(client: httpx.AsyncClient, system: RunningSystem, region: str | None,
                 kind: str = "regional_project_office") -> str:
    """Open a fresh office."""
    office_id = unique(f"e2e-{region or 'agency'}")
    r = await client.post(f"{system.urls['assignment']}/v1/offices", headers=auth(),
                          json={"id": office_id, "name": f"Office {office_id}", "region": region,
                                "kind": kind})
    assert r.status_code == 201, r.text
    return office_id


async def officer(client: httpx.AsyncClient, system: RunningSystem, office_id: str,
                  sectors: list[str], capacity: int = 20) -> str:
    """Enroll a fresh officer."""
    officer_id = unique("e2e-officer")
    r = await client.post(f"{system.urls['assignment']}/v1/officers", headers=auth(),
                          json={"id": officer_id, "name": officer_id, "office_id": office_id,
                                "sectors": sectors, "capacity": capacity})
    assert r.status_code == 201, r.text
    return officer_id


async def register(client: httpx.AsyncClient, system: RunningSystem, region: str,
                   sector: str = "land") -> str:
    """Register a case through intake."""
    r = await client.post(f"{system.intake_url}/v1/cases", headers=auth(), json={
        "title": "Bribe for a land plot", "description": "Asked for money to speed things up.",
        "region": region, "sector": sector, "source": "hotline"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def assignment(client: httpx.AsyncClient, system: RunningSystem, subject_id: str,
                     headers: dict[str, str] | None = None) -> httpx.Response:
    """GET /v1/assignments/{id}."""
    return await client.get(f"{system.urls['assignment']}/v1/assignments/{subject_id}",
                            headers=headers or auth())


async def assigned(client: httpx.AsyncClient, system: RunningSystem, subject_id: str,
                   to: str | None = None) -> dict[str, Any]:
    """Wait until a subject is assigned (to a given officer, if named)."""
    async def probe() -> dict[str, Any] | None:
        r = await assignment(client, system, subject_id)
        body: dict[str, Any] = r.json()
        ok = r.status_code == 200 and body["officer_id"] and (to is None or body["officer_id"] == to)
        return body if ok else None

    return await eventually(probe, what=f"{subject_id} assigned to {to or 'someone'}")


async def events_of(db: asyncpg.Connection, subject_id: str, event_type: str) -> list[Any]:
    """The assignment service's events of one type about a subject."""
    return list(await db.fetch(
        "SELECT * FROM assignment.events WHERE stream_id = $1 AND event_type = $2 ORDER BY version",
        subject_id, event_type))


async def intake_write(client: httpx.AsyncClient, system: RunningSystem, db: asyncpg.Connection,
                       path: str, body: dict[str, Any], headers: dict[str, str] | None = None
                       ) -> tuple[str, Any]:
    """A write at intake; returns the subject id and the id of the last event it appended."""
    r = await client.post(f"{system.intake_url}{path}", json=body, headers=headers or auth())
    assert r.status_code in (200, 201), r.text
    subject_id = str(r.json()["id"])
    event_id = await db.fetchval(
        "SELECT event_id FROM intake.events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1",
        subject_id)
    return subject_id, event_id


async def send(bootstrap: str, key: str, value: bytes, envelope: EventEnvelope) -> None:
    """Put one message on intake's topic."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(INTAKE_TOPIC, value=value, key=key.encode(),
                                     headers=message_headers(envelope))
    finally:
        await producer.stop()


async def processed(db: asyncpg.Connection, event_id: Any) -> bool:
    """Whether assignment's planner has applied an event."""
    return bool(await db.fetchval(
        "SELECT 1 FROM assignment.processed_events WHERE consumer = 'assignment-planner'"
        " AND event_id = $1", event_id))
