"""No append lock, yet the relay publishes exactly what committed, once, in each stream's order.

A property test: concurrent writers over a few shared streams, each dawdling between its insert
and its commit (so rows commit out of position order), some rolling back, some getting their
transaction id before their insert (as a command that writes a key or vault row first: they take
the events table's lock first, which the relay's narrow horizon relies on), while a relay
publishes the log live. Whatever hypothesis throws at it: published set = committed set, nothing published
twice, every stream's events in version order on the topic, and the relay's cursor never moving
backwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import EventEnvelope
from services.intake.domain.case import CASE
from services.runtime.eventstore import CommandContext, ConcurrencyConflict, EventStore, LogCursor
from services.runtime.pipeline import CommandPipeline, UnitOfWork
from services.runtime.relay import OutboxRelay
from services.runtime.results import Written
from services.runtime.stream_cache import StreamCache
from services.runtime.topics import ensure_topics
from tests.support.kafka import read_topic
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Write:
    """One writer's transaction: which shared stream, how many events, how slow, kept or not."""

    stream: int
    events: int
    dawdle_ms: int
    rolls_back: bool
    writes_first: bool


writes = st.lists(
    st.builds(Write, stream=st.integers(0, 3), events=st.integers(1, 3),
              dawdle_ms=st.integers(0, 25), rolls_back=st.booleans(),
              writes_first=st.booleans()),
    min_size=4, max_size=24,
)


class RolledBack(Exception):
    """A writer that chose to abort after inserting."""


async def _write(store: EventStore, cache: StreamCache, context: CommandContext, stream: str,
                 write: Write) -> bool:
    """The pipeline's steps with a pause between the insert and the commit; True if committed."""
    for _ in range(20):  # a lost race on the stream version is retried, as the pipeline does
        try:
            async with store.pool.acquire() as conn, conn.transaction():
                unit = UnitOfWork(store, cache, conn)
                if write.writes_first:
                    await store.lock_in(conn)
                await unit.load(CASE, stream)
                if write.writes_first:  # heads read, then an id (another row), events later:
                    await conn.fetchval("SELECT pg_current_xact_id()")  # while it waits, others
                    await asyncio.sleep(0.03 + write.dawdle_ms / 1000)  # commit after it
                unit.append(stream, [case_registered(f"w{i}") for i in range(write.events)],
                            context)
                await store.write(conn, unit.pending)
                await asyncio.sleep(write.dawdle_ms / 1000)
                if write.rolls_back:
                    raise RolledBack()
            unit.remember()
            return True
        except RolledBack:
            return False
        except ConcurrencyConflict:  # another writer took the version first
            continue
    raise AssertionError("a writer lost 20 races in a row")


@pytest.fixture
async def live_relay(intake_pool: asyncpg.Pool, kafka_bootstrap: str
                     ) -> AsyncIterator[tuple[OutboxRelay, str, list[LogCursor]]]:
    """A relay publishing intake's log to a fresh topic for the whole test, cursor sampled."""
    topic = f"test.visibility.{uuid.uuid4().hex[:12]}"
    await ensure_topics(kafka_bootstrap, {topic: 3})
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                                enable_idempotence=False, linger_ms=2)
    await producer.start()
    store = EventStore(intake_pool, "intake")
    relay = OutboxRelay(store, producer, intake_pool, kafka_bootstrap, topic, poll_seconds=0.05)
    cursors: list[LogCursor] = []

    async def sample() -> None:
        while True:
            row = await intake_pool.fetchrow(
                "SELECT tx_id::text::bigint AS tx, position FROM intake.relay_cursor"
                " WHERE topic = $1", topic)
            if row is not None:
                cursors.append(LogCursor(row["tx"], row["position"]))
            await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(sample())]
    yield relay, topic, cursors
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await producer.stop()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=writes)
async def test_the_relay_publishes_exactly_the_committed_events_once_in_stream_order(
    plan: list[Write], store: EventStore, context: CommandContext, kafka_bootstrap: str,
    live_relay: tuple[OutboxRelay, str, list[LogCursor]],
) -> None:
    _, topic, cursors = live_relay
    streams = [f"prop-{uuid.uuid4()}" for _ in range(4)]
    cache = StreamCache()
    outcomes = await asyncio.gather(*(_write(store, cache, context, streams[w.stream], w)
                                      for w in plan))
    committed: dict[str, list[str]] = {}
    for stream in streams:
        ids = [str(e.event_id) for e in await store.load(stream)]
        if ids:
            committed[stream] = ids
    assert sum(len(v) for v in committed.values()) == sum(
        w.events for w, kept in zip(plan, outcomes, strict=True) if kept)

    wanted = {i for ids in committed.values() for i in ids}

    def mine(records: list[Any]) -> list[EventEnvelope]:
        envelopes = [EventEnvelope.from_wire(r.value) for r in records]
        return [e for e in envelopes if e.stream_id in committed or e.stream_id in streams]

    records = await read_topic(kafka_bootstrap, topic,
                               until=lambda rs: {str(e.event_id) for e in mine(rs)} >= wanted)
    published = mine(records)
    ids = [str(e.event_id) for e in published]
    assert set(ids) == wanted, "published set = committed set (nothing rolled back leaks)"
    assert len(ids) == len(set(ids)), "nothing is published twice"
    per_stream: dict[str, list[str]] = {}
    for envelope in published:
        per_stream.setdefault(envelope.stream_id, []).append(str(envelope.event_id))
    assert per_stream == committed, "each stream's events reach the topic in version order"
    assert cursors == sorted(cursors), "the relay's cursor never moves backwards"


async def test_a_pipeline_command_racing_on_one_stream_lands_every_write_in_order(
    store: EventStore, context: CommandContext,
) -> None:
    """Sixteen unversioned commands on one stream: each lands once, versions 1..n, chain intact."""
    pipeline, stream = CommandPipeline(store), f"race-{uuid.uuid4()}"

    async def work(unit: UnitOfWork) -> Written:
        await unit.load(CASE, stream)
        state = unit.append(stream, [case_registered()], context)
        return Written({"version": state.version})

    answers = await asyncio.gather(*(pipeline.run(work) for _ in range(16)))
    assert sorted(a.view["version"] for a in answers) == list(range(1, 17))
    loaded = await store.load(stream)
    assert [e.version for e in loaded] == list(range(1, 17))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(loaded))
