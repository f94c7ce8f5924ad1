"""Redelivered triggers through the real broker, and a crashed opener, open no second review."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from events import INTAKE_TOPIC, EventEnvelope, partition_key
from tests.e2e.review.test_review_loop import Loop
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]


async def review_rows(db: asyncpg.Connection, case_id: str) -> list[asyncpg.Record]:
    return list(await db.fetch(
        """SELECT r.review_id, (SELECT count(*) FROM review.events e
                                WHERE e.stream_id = r.review_id) AS events
           FROM review.reviews r WHERE r.subject_id = $1""", case_id))


async def processed(db: asyncpg.Connection, event_id: str) -> bool:
    return bool(await db.fetchval(
        "SELECT 1 FROM review.processed_events WHERE consumer = 'review-opener'"
        " AND event_id = $1::uuid", event_id))


async def test_a_case_resolved_event_published_again_opens_no_second_review(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        case_id = await loop.resolved_case()
        await loop.review_after(case_id, None)
        stream = (await client.get(f"{system.intake_url}/v1/streams/{case_id}/events",
                                   headers=auth())).json()["events"]
        resolved: dict[str, Any] = next(e for e in stream if e["event_type"] == "case.resolved")
        envelope = EventEnvelope.model_validate(resolved)
        producer = AIOKafkaProducer(bootstrap_servers=system.bootstrap, acks="all")
        await producer.start()
        try:
            for _ in range(2):  # the same event twice more, on its own partition
                await producer.send_and_wait(INTAKE_TOPIC, envelope.to_wire(),
                                             key=partition_key(envelope))
        finally:
            await producer.stop()
        # A later event of the same case, on the same partition: once the opener has applied
        # it, it has seen the duplicates too.
        flagged = await client.post(f"{system.intake_url}/v1/cases/{case_id}/flag-for-review",
                                    json={"reason": "second look"}, headers=loop.operator)
        assert flagged.status_code == 200, flagged.text
        stream = (await client.get(f"{system.intake_url}/v1/streams/{case_id}/events",
                                   headers=auth())).json()["events"]
        flag_id = next(e["event_id"] for e in stream
                       if e["event_type"] == "case.flagged_for_review")
        await eventually(lambda: processed(db, flag_id))
    rows = await review_rows(db, case_id)
    assert [r["events"] for r in rows] == [1]


async def test_a_killed_opener_restarts_and_opens_each_review_once(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        before = await loop.resolved_case()
        await loop.review_after(before, None)
        system.kill("review-worker")
        during = await loop.resolved_case()
        system.start("review-worker")
        system.wait_ready()
        await loop.review_after(during, None)
    for case_id in (before, during):
        assert [r["events"] for r in await review_rows(db, case_id)] == [1]
