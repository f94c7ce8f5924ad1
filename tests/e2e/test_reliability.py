"""Crashes and restarts lose no event and duplicate no effect."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from events import INTAKE_TOPIC, dlq_topic
from services.reporting.consumers import PROJECTOR
from tests.faults.invariants import assert_nothing_lost_or_duplicated
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem, auth

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

CASE = {"title": "Kickback on school meals tender", "description": "Supplier paid the director.",
        "region": "KZ-71", "sector": "education", "source": "online_portal"}


async def _register_many(client: httpx.AsyncClient, system: RunningSystem, count: int,
                         marker: str) -> list[str]:
    ids: list[str] = []
    sem = asyncio.Semaphore(8)

    async def one(i: int) -> None:
        async with sem:
            r = await client.post(f"{system.intake_url}/v1/cases",
                                  json={**CASE, "district": f"{marker}-{i}"}, headers=auth())
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])

    await asyncio.gather(*(one(i) for i in range(count)))
    return ids


async def _wait_projected(db: asyncpg.Connection, ids: list[str], within: float = 90) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        have = await db.fetchval(
            "SELECT count(*) FROM reporting.case_register WHERE case_id = ANY($1::text[])", ids)
        if have == len(ids):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"only {have} of {len(ids)} cases reached reporting")


async def _assert_exactly_once(db: asyncpg.Connection, ids: list[str]) -> None:
    rows = await db.fetch(
        """SELECT stream_id, count(*) AS n FROM reporting.history
           WHERE stream_id = ANY($1::text[]) AND event_type = 'case.registered'
           GROUP BY stream_id""", ids)
    assert {r["stream_id"] for r in rows} == set(ids)
    assert all(r["n"] == 1 for r in rows)
    processed = await db.fetchval(
        """SELECT count(*) FROM reporting.processed_events p JOIN reporting.history h
           USING (event_id) WHERE h.stream_id = ANY($1::text[]) AND p.consumer = $2
             AND h.event_type = 'case.registered'""",
        ids, PROJECTOR)
    assert processed == len(ids)


async def test_killing_the_projector_mid_stream_loses_and_duplicates_nothing(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    marker = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(timeout=30) as client:
        writing = asyncio.create_task(_register_many(client, system, 150, marker))
        await asyncio.sleep(0.5)
        system.kill("reporting-worker")
        try:
            ids = await writing
        finally:
            system.start("reporting-worker")
    await _wait_projected(db, ids)
    await _assert_exactly_once(db, ids)


async def test_killing_the_reporting_api_does_not_stop_projection(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    system.kill("reporting")
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            ids = await _register_many(client, system, 20, uuid.uuid4().hex[:8])
    finally:
        system.start("reporting")
        system.wait_ready()
    await _wait_projected(db, ids)


async def test_killing_intake_after_a_2xx_keeps_the_case_and_publishes_it_after_restart(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        ids = await _register_many(client, system, 30, uuid.uuid4().hex[:8])
    system.kill("intake")
    try:
        stored = await db.fetchval(
            """SELECT count(*) FROM intake.events
               WHERE stream_id = ANY($1::text[]) AND event_type = 'case.registered'""", ids)
        assert stored == len(ids)
    finally:
        system.start("intake")
        system.wait_ready()
    await _wait_projected(db, ids)
    await _assert_exactly_once(db, ids)


async def test_a_broker_restart_loses_nothing_once_relays_republish(
    system: RunningSystem, db: asyncpg.Connection, broker: Any,
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        before = await _register_many(client, system, 20, uuid.uuid4().hex[:8])
        await _wait_projected(db, before)
        broker.restart()
        after = await _register_many(client, system, 20, uuid.uuid4().hex[:8])
    await _wait_projected(db, before + after, within=120)
    await _assert_exactly_once(db, before + after)
    await assert_nothing_lost_or_duplicated(db, before + after)
    system.wait_ready(timeout=60)


async def test_an_undecodable_message_goes_to_the_dead_letter_topic_and_the_projector_moves_on(
    system: RunningSystem, db: asyncpg.Connection, kafka_bootstrap: str,
) -> None:
    poison = f"poison-{uuid.uuid4().hex}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(INTAKE_TOPIC, value=b"{not json " + poison, key=b"k")
    finally:
        await producer.stop()
    async with httpx.AsyncClient(timeout=30) as client:
        ids = await _register_many(client, system, 3, uuid.uuid4().hex[:8])
    await _wait_projected(db, ids)
    records = await read_topic(kafka_bootstrap, dlq_topic(PROJECTOR),
                               until=lambda rs: any(poison in (r.value or b"") for r in rs))
    (dead,) = [r for r in records if poison in (r.value or b"")]
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["dlq_origin_topic"] == INTAKE_TOPIC
    assert headers["dlq_consumer"] == PROJECTOR
    assert headers["dlq_origin_offset"].isdigit() and "dlq_error" in headers


def test_readiness_turns_false_while_the_projector_is_stalled(system: RunningSystem) -> None:
    system.signal("reporting-worker", signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and system.ready()["reporting"] == 200:
            time.sleep(0.5)
        response = httpx.get(f"{system.reporting_url}/readyz")
        assert response.status_code == 503
        assert any("reporting-projector" in p for p in response.json()["problems"])
    finally:
        system.signal("reporting-worker", signal.SIGCONT)
    system.wait_ready(timeout=30)
