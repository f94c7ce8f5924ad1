"""intake's reactor applies a fetch at once: the same events as one by one, reads before writes."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from events import ASSIGNMENT_TOPIC, REVIEW_TOPIC, EventEnvelope
from services.intake.consumers import react, react_batch
from services.runtime.eventstore import CommandContext, EventStore
from tests.e2e.intake.client import assignment_made, review_opened, verdict_recorded
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


def _topic(envelope: EventEnvelope) -> str:
    return ASSIGNMENT_TOPIC if envelope.stream_type == "assignment" else REVIEW_TOPIC


async def _case(store: EventStore, context: CommandContext) -> str:
    case_id = str(uuid.uuid4())
    await store.append(case_id, "case", 0, [case_registered()], context)
    return case_id


async def _types(pool: asyncpg.Pool, case_id: str) -> list[str]:
    async with pool.acquire() as conn:
        return [r["event_type"] for r in await conn.fetch(
            "SELECT event_type FROM intake.events WHERE stream_id = $1 ORDER BY version", case_id)]


async def test_a_batch_about_one_case_leaves_what_the_same_events_one_by_one_leave(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
) -> None:
    one_by_one, at_once = await _case(store, context), await _case(store, context)

    def life(case_id: str) -> list[EventEnvelope]:
        review = str(uuid.uuid4())
        assigned = assignment_made(case_id, "officer-9")
        return [assigned, review_opened(review, case_id), assigned,
                verdict_recorded(review, case_id, "returned")]

    for envelope in life(one_by_one):
        async with intake_pool.acquire() as conn, conn.transaction():
            await react(conn, envelope, _topic(envelope))
    async with intake_pool.acquire() as conn, conn.transaction():
        await react_batch(conn, [(e, _topic(e)) for e in life(at_once)])

    assert await _types(intake_pool, at_once) == await _types(intake_pool, one_by_one)
    assert {"case.assigned", "case.review_started"} <= set(await _types(intake_pool, at_once))

