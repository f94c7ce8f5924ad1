"""A fetch is applied in one transaction, split where the ordering rule or the budget says."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import EventEnvelope
from services.runtime import consumer as consumer_module
from services.runtime.consumer import TX_BUDGET_SECONDS, Delivery, Message, ProcessedOnce
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, EventStore
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration

TOPIC = "test.batch.apply"


async def _streams(store: EventStore, context: CommandContext, n: int) -> list[str]:
    """n case streams at version 1."""
    ids = [str(uuid.uuid4()) for _ in range(n)]
    for stream_id in ids:
        await store.append(stream_id, "case", 0, [case_registered()], context)
    return ids


async def _triggers(store: EventStore, context: CommandContext, n: int) -> list[EventEnvelope]:
    """n stored events to deliver, each naming nothing but itself."""
    return [(await store.append(str(uuid.uuid4()), "case", 0, [case_registered()],
                                context)).envelopes[0] for _ in range(n)]


def _messages(values: Sequence[EventEnvelope | bytes], topic_id: str) -> list[Message]:
    return [Message(TOPIC, 0, offset, None, v if isinstance(v, bytes) else v.to_wire(), [],
                    topic_id) for offset, v in enumerate(values)]


async def _versions(pool: asyncpg.Pool, streams: Sequence[str]) -> list[int]:
    async with pool.acquire() as conn:
        return [int(await conn.fetchval(
            "SELECT max(version) FROM intake.events WHERE stream_id = $1", s)) for s in streams]


async def _marks(pool: asyncpg.Pool, consumer: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(
            "SELECT count(*) FROM intake.processed_events WHERE consumer = $1", consumer))


async def _position(pool: asyncpg.Pool, consumer: str, topic_id: str) -> int | None:
    async with pool.acquire() as conn:
        value = await conn.fetchval(
            """SELECT next_offset FROM intake.consumer_positions
               WHERE consumer = $1 AND topic_id = $2 AND partition = 0""", consumer, topic_id)
    return None if value is None else int(value)


async def test_handlers_that_append_to_existing_streams_split_the_batch_and_apply_each_once(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only the ordering rule may split this batch, not a slow machine spending the time budget.
    monkeypatch.setattr(consumer_module, "TX_BUDGET_SECONDS", 3600.0)
    targets = await _streams(store, context, 5)
    triggers = await _triggers(store, context, 5)
    reacted_to = {t.event_id: target for t, target in zip(triggers, targets, strict=True)}
    calls: list[str] = []

    async def react(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        calls.append(str(envelope.event_id))
        # Each reaction appends to a stream at version 1: the second in one transaction
        # would read a head after the transaction wrote.
        await store.append_in(conn, reacted_to[envelope.event_id], "case", 1,
                              [case_registered()], context)

    name = f"test-split-{uuid.uuid4().hex[:8]}"
    topic_id = uuid.uuid4().hex
    consumer = ProcessedOnce(name, "intake", intake_pool, react, producer)
    messages = _messages([*triggers, triggers[1]], topic_id)  # one redelivered in the same fetch

    await consumer.process_batch(messages)

    assert await _versions(intake_pool, targets) == [2] * 5
    assert await _marks(intake_pool, name) == 5
    assert await _position(intake_pool, name, topic_id) == len(messages)
    assert len(calls) > 5  # a refused append was tried again, first in the next transaction
    await consumer.process_batch(messages)
    assert await _versions(intake_pool, targets) == [2] * 5


async def test_a_set_based_handler_gets_the_fetch_once_without_what_was_applied_before(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
) -> None:
    triggers = await _triggers(store, context, 4)
    batches: list[list[str]] = []

    async def one(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        batches.append([str(envelope.event_id)])

    async def many(conn: Conn, deliveries: Sequence[Delivery]) -> None:
        batches.append([str(envelope.event_id) for envelope, _ in deliveries])

    name = f"test-set-{uuid.uuid4().hex[:8]}"
    topic_id = uuid.uuid4().hex
    consumer = ProcessedOnce(name, "intake", intake_pool, one, producer, many)
    await consumer.process_batch(_messages(triggers[:1], topic_id))
    await consumer.process_batch(_messages([*triggers, b"not an event"], topic_id))

    ids = [str(t.event_id) for t in triggers]
    assert batches == [ids[:1], ids[1:]]
    assert await _marks(intake_pool, name) == 4
    assert await _position(intake_pool, name, topic_id) == 5


async def test_one_by_one_handlers_commit_when_the_transaction_budget_is_spent(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    triggers = await _triggers(store, context, 6)
    started: list[object] = []
    clock = _HandCranked()
    monkeypatch.setattr(consumer_module, "time", clock)  # what the budget is measured with

    async def slow(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        started.append(await conn.fetchval("SELECT now()"))  # the transaction's start
        clock.now += TX_BUDGET_SECONDS * 0.75

    name = f"test-budget-{uuid.uuid4().hex[:8]}"
    topic_id = uuid.uuid4().hex
    consumer = ProcessedOnce(name, "intake", intake_pool, slow, producer)
    await consumer.process_batch(_messages(triggers, topic_id))

    assert len(started) == 6
    assert len(set(started)) == 3  # two handlers fit in the budget, the third starts anew
    assert await _marks(intake_pool, name) == 6
    assert await _position(intake_pool, name, topic_id) == 6


class _HandCranked:
    """A monotonic clock that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now
