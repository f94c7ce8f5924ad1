"""A broker that forgets everything, restarted at a chosen point of a relay's or consumer's work.

The points: after the relay has handed a batch to the producer but before the acknowledgements
(`sent`), after the acknowledgements but before the relay saves its cursor (`acknowledged`), and
while a consumer is inside a batch's transaction (`mid-batch`). Each runs under CPU load, with a
private Tansu broker (memory only) so that nothing else on the session's broker is disturbed.
Afterwards the consumer has applied every committed event exactly once. Set
CASETRACK_RESTART_POINT_ROUNDS to repeat each point more often (default 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import EventEnvelope
from infra.local.broker import TansuBroker
from services.runtime.consumer import ProcessedOnce, Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.db import Conn, app_role
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.relay import OutboxRelay
from services.runtime.settings import get_settings
from services.runtime.topics import ensure_topics
from tests.support.load import cpu_load
from tests.support.samples import case_registered
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

ROUNDS = int(os.environ.get("CASETRACK_RESTART_POINT_ROUNDS", "1"))
POINTS = ("sent", "acknowledged", "mid-batch")
EFFECTS = "intake.restart_point_effects"


@pytest.fixture
async def effects(migrated_database_url: str) -> AsyncIterator[None]:
    """A table the test consumer's handler writes one row per application into."""
    conn = await asyncpg.connect(migrated_database_url)
    try:
        await conn.execute(f"""CREATE TABLE IF NOT EXISTS {EFFECTS}
                               (consumer text NOT NULL, event_id uuid NOT NULL)""")
        await conn.execute(f"GRANT SELECT, INSERT ON {EFFECTS} TO {app_role('intake')}")
        yield
    finally:
        await conn.close()


class Restarts:
    """Restarts the broker the first time an armed point is reached, off the event loop."""

    def __init__(self, broker: TansuBroker, point: str) -> None:
        self.broker = broker
        self.point = point
        self.armed = False
        self.done = asyncio.Event()

    async def reached(self, point: str) -> None:
        """The seam given to the relay and the handler: restart here if armed for this point."""
        if self.armed and point == self.point:
            self.armed = False
            await asyncio.to_thread(self.broker.restart)
            self.done.set()


async def _write(store: EventStore, context: CommandContext, prefix: str, streams: int,
                 each: int) -> set[str]:
    ids: set[str] = set()

    async def writer() -> None:
        stream = f"{prefix}{uuid.uuid4()}"
        for version in range(each):
            result = await store.append(stream, "case", version, [case_registered()], context)
            ids.update(str(e.event_id) for e in result.envelopes)

    await asyncio.gather(*(writer() for _ in range(streams)))
    return ids


async def _applied(pool: asyncpg.Pool, consumer: str) -> list[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT event_id FROM {EFFECTS} WHERE consumer = $1", consumer)
    return [str(r["event_id"]) for r in rows]


@contextlib.asynccontextmanager
async def _running(*coroutines: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(c) for c in coroutines]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


@pytest.mark.parametrize("point", [p for p in POINTS for _ in range(ROUNDS)])
async def test_a_broker_restart_at_any_point_leaves_every_event_applied_exactly_once(
    point: str, private_broker: TansuBroker, store: EventStore, context: CommandContext,
    intake_pool: asyncpg.Pool, effects: None,
) -> None:
    bootstrap = private_broker.bootstrap
    topic = f"test.restart.{uuid.uuid4().hex[:12]}"
    name = f"test-restart-{uuid.uuid4().hex[:8]}"
    prefix = f"{name}-"  # the streams this test writes; the relay publishes the whole log
    await ensure_topics(bootstrap, {topic: 3})
    restarts = Restarts(private_broker, point)

    async def handle(conn: Conn, envelope: EventEnvelope, _topic: str) -> None:
        if envelope.stream_id.startswith(prefix):
            await conn.execute(f"INSERT INTO {EFFECTS} VALUES ($1, $2)", name, envelope.event_id)
        await restarts.reached("mid-batch")

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=False, linger_ms=2)
    await producer.start()
    relay = OutboxRelay(store, producer, intake_pool, bootstrap, topic, poll_seconds=0.05,
                        checkpoint=restarts.reached)
    consumer = ProcessedOnce(name, "intake", intake_pool, handle, producer)
    settings = get_settings().model_copy(update={"kafka_bootstrap_servers": bootstrap})
    loop = ConsumerLoop(Subscription(name, (topic,), handle, batch=100), consumer, settings)
    try:
        with cpu_load():
            async with _running(relay.run(), loop.run()):
                committed = await _write(store, context, prefix, streams=6, each=5)
                await _wait_applied(intake_pool, name, committed)
                restarts.armed = True
                committed |= await _write(store, context, prefix, streams=6, each=5)
                await asyncio.wait_for(restarts.done.wait(), 120)
                committed |= await _write(store, context, prefix, streams=6, each=5)
                await _wait_applied(intake_pool, name, committed)
    finally:
        await producer.stop()
    applied = await _applied(intake_pool, name)
    assert len(applied) == len(set(applied)), "an event was applied twice"
    assert set(applied) == committed


async def _wait_applied(pool: asyncpg.Pool, consumer: str, committed: set[str]) -> None:
    async def all_applied() -> bool:
        return committed <= set(await _applied(pool, consumer))

    with contextlib.suppress(AssertionError):  # the assertions after name what is missing
        await eventually(all_applied, within=90)
