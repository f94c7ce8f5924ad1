"""The outbox relay: everything committed is published, in stream order, even across crashes."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from events import EventEnvelope
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline
from services.runtime.relay import OutboxRelay
from services.runtime.topics import ensure_topics
from services.runtime.wakeup import RelayWakeup
from tests.support.kafka import read_topic
from tests.support.samples import case_registered, register
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                                enable_idempotence=False, linger_ms=2)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    name = f"test.relay.{uuid.uuid4().hex[:12]}"
    await ensure_topics(kafka_bootstrap, {name: 3})
    return name


def _relay(store: EventStore, producer: AIOKafkaProducer, pool: asyncpg.Pool, bootstrap: str,
           topic: str) -> OutboxRelay:
    return OutboxRelay(store, producer, pool, bootstrap, topic, poll_seconds=0.05)


async def _write_concurrently(store: EventStore, context: CommandContext, writers: int,
                              events_each: int) -> dict[str, list[str]]:
    """Writers append with random delays inside their transactions; returns ids per stream."""
    committed: dict[str, list[str]] = {}

    async def writer() -> None:
        stream = f"test-{uuid.uuid4()}"
        for version in range(events_each):
            async with store.pool.acquire() as conn, conn.transaction():
                result = await store.append_in(conn, stream, "case", version, [case_registered()],
                                               context)
                # Dawdle between the insert and the commit: rows commit out of position order.
                await asyncio.sleep(random.uniform(0, 0.03))
            committed.setdefault(stream, []).extend(str(e.event_id) for e in result.envelopes)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return committed


def _published(records: list[ConsumerRecord[bytes, bytes]], streams: set[str]
               ) -> dict[str, list[str]]:
    per_stream: dict[str, list[str]] = {}
    for record in records:
        envelope = EventEnvelope.from_wire(record.value)
        if envelope.stream_id in streams:
            ids = per_stream.setdefault(envelope.stream_id, [])
            if str(envelope.event_id) not in ids:
                ids.append(str(envelope.event_id))
    return per_stream


def _leading_and_idle(relay: OutboxRelay) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return relay.is_leader and relay.healthy

    return probe


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _published_once_relayed(relay: OutboxRelay, bootstrap: str, topic: str,
                                  committed: dict[str, list[str]]) -> dict[str, list[str]]:
    """Run the relay until the topic holds every committed event; what the topic holds."""
    task = asyncio.create_task(relay.run())
    try:
        wanted = sum(len(v) for v in committed.values())
        records = await read_topic(
            bootstrap, topic,
            until=lambda rs: sum(len(v) for v in _published(rs, set(committed)).values()) >= wanted,
        )
    finally:
        await _stop(task)
    return _published(records, set(committed))


async def test_fifty_concurrent_writers_publish_exactly_what_was_committed_in_stream_order(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str, topic: str,
) -> None:
    relay = _relay(store, producer, intake_pool, kafka_bootstrap, topic)
    running = asyncio.create_task(relay.run())
    try:
        committed = await _write_concurrently(store, context, writers=50, events_each=4)
    finally:
        await _stop(running)
    assert await _published_once_relayed(relay, kafka_bootstrap, topic, committed) == committed


async def test_a_relay_stops_when_cancelled_as_a_commit_wakes_it(
    store: EventStore, producer: AIOKafkaProducer, intake_pool: asyncpg.Pool,
    kafka_bootstrap: str, topic: str,
) -> None:
    # Python 3.11's wait_for returns the woken result and drops a cancel that arrives in the same
    # loop step: the relay then published on forever and its owner's shutdown hung.
    for _ in range(5):
        relay = _relay(store, producer, intake_pool, kafka_bootstrap, topic)
        running = asyncio.create_task(relay.run())
        await eventually(_leading_and_idle(relay), within=30, what="the relay to lead, idle")
        relay._wake.set()
        running.cancel()
        done, _ = await asyncio.wait([running], timeout=5)
        assert done, "the relay ignored its cancel"


async def test_a_relay_killed_at_random_moments_skips_nothing(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str, topic: str,
) -> None:
    writing = asyncio.create_task(_write_concurrently(store, context, writers=20, events_each=5))
    for _ in range(8):
        task = asyncio.create_task(_relay(store, producer, intake_pool, kafka_bootstrap,
                                          topic).run())
        await asyncio.sleep(random.uniform(0.01, 0.3))
        await _stop(task)
    committed = await writing
    relay = _relay(store, producer, intake_pool, kafka_bootstrap, topic)
    assert await _published_once_relayed(relay, kafka_bootstrap, topic, committed) == committed


async def test_only_one_of_two_relays_publishes_at_a_time(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str, topic: str,
) -> None:
    first = _relay(store, producer, intake_pool, kafka_bootstrap, topic)
    second = _relay(store, producer, intake_pool, kafka_bootstrap, topic)
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    both_led = False
    try:
        for _ in range(40):
            await asyncio.sleep(0.05)
            both_led = both_led or (first.is_leader and second.is_leader)
        assert first.is_leader != second.is_leader
        leader, standby = (tasks[0], second) if first.is_leader else (tasks[1], first)
        leader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leader
        for _ in range(60):
            if standby.is_leader:
                break
            await asyncio.sleep(0.05)
        assert standby.is_leader, "the standby relay takes over when the leader goes"
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert not both_led


async def test_an_event_an_older_transaction_held_back_is_published_when_it_ends_unprompted(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str, topic: str, migrated_database_url: str,
) -> None:
    # Polling once a minute: only looking again at what is held back can publish it in time.
    relay = OutboxRelay(store, producer, intake_pool, kafka_bootstrap, topic, poll_seconds=60)
    running = asyncio.create_task(relay.run())
    older = await asyncpg.connect(migrated_database_url)
    try:
        holding = older.transaction()
        await holding.start()
        await store.lock_in(older)  # a writer of intake's events (only such a one holds back)
        await older.fetchval("SELECT pg_current_xact_id()")  # an id older than the append's
        appended = await store.append(f"test-{uuid.uuid4()}", "case", 0, [case_registered()],
                                      context)
        await asyncio.sleep(0.5)  # the append's notification came and went: still held back
        await holding.rollback()  # ends without a word to the relay
        wanted = str(appended.envelopes[0].event_id)
        records = await read_topic(
            kafka_bootstrap, topic, within=10,
            until=lambda rs: any(EventEnvelope.from_wire(r.value).event_id == appended.envelopes[0]
                                 .event_id for r in rs))
        assert wanted in {str(EventEnvelope.from_wire(r.value).event_id) for r in records}
    finally:
        await older.close()
        await _stop(running)


async def test_a_pipeline_commit_notifies_only_after_it_from_another_session(
    store: EventStore, context: CommandContext, migrated_database_url: str,
) -> None:
    # Inside the writing transaction, NOTIFY would hold the cluster's notify lock through the
    # commit's WAL flush and queue every other notifying commit behind it.
    writer_pool = await create_pool(migrated_database_url, "intake", min_size=1, max_size=1)
    wake_pool = await create_pool(migrated_database_url, "intake", min_size=1, max_size=1)
    listener = await asyncpg.connect(migrated_database_url)
    senders: list[int] = []
    try:
        await listener.add_listener(store.notify_channel, lambda _c, pid, _ch, _p: senders.append(pid))
        writing = EventStore(writer_pool, "intake")
        writing.wakeup = RelayWakeup(wake_pool, store.notify_channel)
        writer_pids = {await writer_pool.fetchval("SELECT pg_backend_pid()")}
        pipeline = CommandPipeline(writing)
        await pipeline.run(register(f"test-{uuid.uuid4()}", context))
        await pipeline.run(register(f"test-{uuid.uuid4()}", context),
                           IdempotencyClaim("op-1", uuid.uuid4().hex, "h"))  # in a transaction
        await writing.wakeup.settled()
        await eventually(lambda: _true(senders), what="a notification")
        assert senders and not set(senders) & writer_pids
    finally:
        await listener.close()
        await writer_pool.close()
        await wake_pool.close()


async def test_a_relay_that_polls_once_a_minute_publishes_a_pipeline_command_when_woken(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str, topic: str,
) -> None:
    relay = OutboxRelay(store, producer, intake_pool, kafka_bootstrap, topic, poll_seconds=60)
    running = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _true(relay.healthy), what="the relay idles")
        stream = f"test-{uuid.uuid4()}"
        await CommandPipeline(store).run(register(stream, context))
        records = await read_topic(kafka_bootstrap, topic, within=10, until=lambda rs: any(
            EventEnvelope.from_wire(r.value).stream_id == stream for r in rs))
        assert stream in {EventEnvelope.from_wire(r.value).stream_id for r in records}
    finally:
        await _stop(running)


async def _true(value: object) -> bool:
    return bool(value)
