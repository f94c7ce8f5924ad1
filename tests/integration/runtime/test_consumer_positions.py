"""Consumers resume from the positions stored with their effects, per topic incarnation."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import EventEnvelope
from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.positions import stored_positions
from services.runtime.relay import OutboxRelay
from services.runtime.settings import get_settings
from services.runtime.topics import ensure_topics, topic_id
from tests.support.samples import case_registered
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


class Recording(ProcessedOnce):
    """A ProcessedOnce that remembers every message it was handed."""

    seen: list[Message]

    async def process_batch(self, messages: Sequence[Message]) -> None:
        """Record, then apply as usual."""
        self.seen.extend(messages)
        await super().process_batch(messages)


async def _nothing(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    return None


async def _consume_until(loop: ConsumerLoop, consumer: Recording, event_ids: set[str]) -> None:
    task = asyncio.create_task(loop.run())
    try:
        async def applied() -> bool:
            async with consumer.pool.acquire() as conn:
                n = await conn.fetchval(
                    """SELECT count(*) FROM intake.processed_events
                       WHERE consumer = $1 AND event_id = ANY($2::uuid[])""",
                    consumer.name, list(event_ids))
            return bool(n == len(event_ids))

        await eventually(applied, what="every event applied")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_restarted_consumer_resumes_after_its_last_applied_message_on_the_same_topic(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str,
) -> None:
    topic = f"test.positions.{uuid.uuid4().hex[:12]}"
    name = f"test-positions-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, {topic: 2})
    relay = asyncio.create_task(
        OutboxRelay(store, producer, intake_pool, kafka_bootstrap, topic, poll_seconds=0.05).run())
    settings = get_settings().model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap})
    sub = Subscription(name, (topic,), _nothing, batch=50)
    try:
        first = await _append(store, context, 10)
        consumer = Recording(name, "intake", intake_pool, _nothing, producer)
        consumer.seen = []
        await _consume_until(ConsumerLoop(sub, consumer, settings), consumer, first)
        incarnation = await topic_id(kafka_bootstrap, topic)
        stored = await stored_positions(intake_pool, "intake", name, {topic: incarnation},
                                        [(topic, 0), (topic, 1)])

        second = await _append(store, context, 10)
        again = Recording(name, "intake", intake_pool, _nothing, producer)
        again.seen = []
        await _consume_until(ConsumerLoop(sub, again, settings), again, second)
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay
    assert sum(stored.values()) > 0
    assert all(m.offset >= stored[(m.topic, m.partition)] for m in again.seen), \
        "the restarted consumer read below its stored positions"
    assert {m.topic_id for m in again.seen} == {incarnation}


async def _append(store: EventStore, context: CommandContext, count: int) -> set[str]:
    ids: set[str] = set()
    for _ in range(count):
        result = await store.append(f"test-{uuid.uuid4()}", "case", 0, [case_registered()],
                                    context)
        ids.update(str(e.event_id) for e in result.envelopes)
    return ids
