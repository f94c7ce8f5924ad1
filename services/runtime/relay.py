"""The outbox relay: publishes a service's log to its topic in position order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge

from events import message_headers, partition_key
from services.runtime.eventstore import EventStore, LogCursor
from services.runtime.leadership import Leadership, keep_running
from services.runtime.logs import get_logger
from services.runtime.topics import (
    agree_on_partitions,
    contract_topics,
    partition_for,
    present_incarnation,
)
from services.runtime.tracing import publish_spans

log = get_logger(__name__)

RELAY_PUBLISHED = Counter("casetrack_relay_published_total", "Events published", ["topic"])
RELAY_POSITION = Gauge("casetrack_relay_position", "Last published position", ["topic"])
RELAY_LAG = Gauge("casetrack_relay_lag_events", "Stored but not yet published", ["topic"])
RELAY_LEADER = Gauge("casetrack_relay_leader", "1 while this process is the active relay", ["topic"])

BATCH = 500
TOPIC_CHECK_SECONDS = 1.0
IDLE_TOPIC_CHECK_SECONDS = 5.0
"""How often the topic is described while there is nothing to publish."""
STANDBY_SECONDS = 1.0
"""How often a standing-by publisher tries to take the lead."""
HELD_BACK_RECHECK = (0.002, 0.1)
"""First and longest wait before looking again at committed events an older running transaction
still holds back (its commit sends no notification to this relay, if it is not an append here)."""

Checkpoint = Callable[[str], Awaitable[None]]
"""Called at the named points of a publishing cycle ("sent", "acknowledged"); tests pause there."""


async def _no_checkpoint(point: str) -> None:
    return None


class OutboxRelay:
    """One active relay per service: the holder of a Postgres advisory lock publishes."""

    def __init__(
        self,
        store: EventStore,
        producer: AIOKafkaProducer,
        pool: asyncpg.Pool,
        bootstrap: str,
        topic: str,
        poll_seconds: float = 1.0,
        checkpoint: Checkpoint = _no_checkpoint,
    ) -> None:
        self.store = store
        self.producer = producer
        self.pool = pool
        self.bootstrap = bootstrap
        self.topic = topic
        self.poll_seconds = poll_seconds
        self._checkpoint = checkpoint
        self._partitions: int | None = None  # as last described, for sends and re-creation
        self.healthy = False
        self._wake = asyncio.Event()
        self.leadership = Leadership(pool, f"casetrack.relay.{store.schema}.{topic}")

    @property
    def is_leader(self) -> bool:
        """Whether this process is the service's active relay now."""
        return self.leadership.is_leader

    async def run(self) -> None:
        """Lead when the lock is free, stand by otherwise; recover from any failure."""
        await keep_running(self._lead_when_possible, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.healthy = False
        log.warning("relay.failed", topic=self.topic, error=repr(exc))

    async def _lead_when_possible(self) -> None:
        async with self.leadership.held() as conn:
            if conn is None:
                self.healthy = True
                RELAY_LEADER.labels(self.topic).set(0)
                await asyncio.sleep(STANDBY_SECONDS)
                return
            try:
                RELAY_LEADER.labels(self.topic).set(1)
                await conn.add_listener(self.store.notify_channel, self._on_notify)
                try:
                    await self._publish_forever()
                finally:
                    with contextlib.suppress(Exception):
                        await conn.remove_listener(self.store.notify_channel, self._on_notify)
            finally:
                RELAY_LEADER.labels(self.topic).set(0)

    def _on_notify(self, *_: object) -> None:
        self.wake()

    def wake(self) -> None:
        """Look for new events now (on the relay's own loop: a commit beside it says so)."""
        self._wake.set()

    async def _publish_forever(self) -> None:
        cursor = await self._sync_with_broker()
        checked_at = time.monotonic()
        recheck = HELD_BACK_RECHECK[0]
        while True:
            self._wake.clear()
            visible = await self.store.read_visible(cursor, BATCH)
            batch = visible.events
            due = TOPIC_CHECK_SECONDS if batch else IDLE_TOPIC_CHECK_SECONDS
            if time.monotonic() - checked_at > due:
                checked_at = time.monotonic()
                synced = await self._sync_with_broker()
                if synced != cursor:  # a new topic: everything again, from the start
                    cursor = synced
                    continue
            if batch:
                with publish_spans(self.topic, batch) as traced:  # no-op unless tracing is on
                    futures = [
                        await self.producer.send(
                            self.topic,
                            value=e.to_wire(),
                            key=partition_key(e),
                            headers=message_headers(e) + traced.headers(i),
                            partition=self._partition_of(partition_key(e)),
                        )
                        for i, e in enumerate(batch)
                    ]
                    await self._checkpoint("sent")
                    await asyncio.gather(*futures)
                await self._checkpoint("acknowledged")
                cursor = visible.cursor
                await self._save_cursor(cursor)
                RELAY_PUBLISHED.labels(self.topic).inc(len(batch))
                RELAY_POSITION.labels(self.topic).set(cursor.position)
                if len(batch) == BATCH:
                    continue
            held_back = await self.store.backlog(cursor)
            RELAY_LAG.labels(self.topic).set(held_back)
            self.healthy = True
            wait = recheck if held_back else self.poll_seconds
            recheck = min(recheck * 2, HELD_BACK_RECHECK[1]) if held_back else HELD_BACK_RECHECK[0]
            await self._idle(wait)

    async def _idle(self, seconds: float) -> None:
        """Wait for a commit's wake-up or `seconds`; a cancel always ends the wait.

        Not `wait_for`: on Python 3.11 it drops a cancel that lands as the wake-up does, and the
        relay then publishes on after its owner stopped it.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _sync_with_broker(self) -> LogCursor:
        """Start over when the topic is new: a broker that lost its memory needs everything.

        `relay_cursor.topic_id` holds the incarnation published to: "<topic id>/<partitions>".
        """
        current = await self._incarnation()
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"""INSERT INTO {self.store.schema}.relay_cursor (topic, position, topic_id)
                    VALUES ($1, 0, $2) ON CONFLICT (topic) DO UPDATE SET topic = EXCLUDED.topic
                    RETURNING tx_id::text::bigint AS tx, position, topic_id""",
                self.topic, current,
            )
            assert row is not None
            if row["topic_id"] == current:
                return LogCursor(int(row["tx"]), int(row["position"]))
            log.info("relay.republishing", topic=self.topic, incarnation=current,
                     previous_incarnation=row["topic_id"])
            await conn.execute(
                f"""UPDATE {self.store.schema}.relay_cursor
                    SET tx_id = '0', position = 0, topic_id = $2, updated_at = now()
                    WHERE topic = $1""",
                self.topic, current,
            )
            return LogCursor()

    def _partition_of(self, key: bytes) -> int:
        """The key's partition among those the topic was described with (never a stale count)."""
        assert self._partitions
        return partition_for(key, self._partitions)

    async def _incarnation(self) -> str:
        """What the topic is now: its id and partition count; creates the topic if it is missing.

        Both are part of the incarnation: a new count moves keys to other partitions, so either
        change means publishing everything again.
        """
        found = await present_incarnation(
            self.bootstrap, self.topic, contract_topics().get(self.topic) or self._partitions or 1)
        await agree_on_partitions(self.producer, self.topic, found)
        self._partitions = found.partitions
        return found.key

    async def _save_cursor(self, cursor: LogCursor) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"""UPDATE {self.store.schema}.relay_cursor
                    SET tx_id = $2::text::xid8, position = $3, updated_at = now()
                    WHERE topic = $1""",
                self.topic, str(cursor.tx), cursor.position,
            )
