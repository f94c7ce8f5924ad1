"""Apply each event once: effect, processed mark and position commit in one transaction."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter

from events import (
    HEADER_CORRELATION_ID,
    HEADER_DLQ_CONSUMER,
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    REGISTRY,
    EventEnvelope,
    UnknownEventType,
    dlq_topic,
)
from services.runtime.consumer_health import record_heartbeat
from services.runtime.db import Conn
from services.runtime.eventstore import OrderingHazard
from services.runtime.kafka import header_value
from services.runtime.logs import get_logger
from services.runtime.positions import save_positions

log = get_logger(__name__)

CONSUMED = Counter("casetrack_consumer_events_total", "Messages handled", ["consumer", "outcome"])

Handler = Callable[[Conn, EventEnvelope, str], Awaitable[None]]
Delivery = tuple[EventEnvelope, str]
"""An event to apply and the topic it came from."""
BatchHandler = Callable[[Conn, Sequence[Delivery]], Awaitable[None]]
"""Applies a fetch's new events at once (set-based), in the order given."""
BATCH = 200
"""Messages of one fetch applied in one transaction, by default."""
TX_BUDGET_SECONDS = 0.02
"""How long one transaction of one-by-one handlers may run before it commits (see `_handle`)."""


def decode_envelope(value: bytes | None) -> EventEnvelope:
    """A message value as an envelope whose payload the contract accepts; raises otherwise."""
    if value is None:
        raise ValueError("empty message value")
    envelope = EventEnvelope.from_wire(value)
    # Newer producers may know types we do not: such events are kept, not judged.
    with contextlib.suppress(UnknownEventType):
        REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    return envelope


@dataclass(frozen=True)
class Subscription:
    """A named consumer: which topics it reads and the handler it applies."""

    name: str
    topics: Sequence[str]
    handler: Handler
    batch: int = BATCH
    """Up to this many messages of one fetch are applied in one transaction."""
    apply_batch: BatchHandler | None = None
    """A set-based form of `handler` for a whole fetch; `handler` alone applies one by one."""


@dataclass(frozen=True)
class Message:
    """A Kafka message as the consumer runtime sees it, whatever client delivered it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: object
    topic_id: str | None = None
    """The topic's incarnation (broker topic id) the message was read from, if known."""


def next_positions(messages: Sequence[Message]) -> dict[tuple[str, str, int], int]:
    """The offset to read next per (topic, topic id, partition) once `messages` are applied."""
    positions: dict[tuple[str, str, int], int] = {}
    for m in messages:
        if m.topic_id is not None:
            key = (m.topic, m.topic_id, m.partition)
            positions[key] = max(positions.get(key, 0), m.offset + 1)
    return positions


class ProcessedOnce:
    """A consumer whose handler runs at most once per event id, and at least once per message."""

    def __init__(
        self,
        name: str,
        schema: str,
        pool: asyncpg.Pool,
        handler: Handler,
        dlq_producer: AIOKafkaProducer,
        apply_batch: BatchHandler | None = None,
    ) -> None:
        self.name = name
        self.schema = schema
        self.pool = pool
        self.handler = handler
        self.apply_batch = apply_batch
        self.dlq_producer = dlq_producer
        self.busy_since: float | None = None
        self.processed = 0
        self.dead_lettered = 0
        self.last_event_at: datetime | None = None

    def decode(self, message: Message) -> EventEnvelope:
        """The envelope of a message, with its payload validated against the contract."""
        return decode_envelope(message.value)

    async def process(self, message: Message) -> None:
        """Decode, dead-letter what cannot be read, apply the rest exactly once."""
        await self.process_batch([message])

    async def process_batch(self, messages: Sequence[Message]) -> None:
        """Apply a fetch's messages in order, each at most once, in as few transactions as the
        ordering rule and the transaction budget allow (one, usually)."""
        readable: list[tuple[Message, EventEnvelope]] = []
        for message in messages:
            try:
                readable.append((message, self.decode(message)))
            except Exception as exc:
                self._bind(message)
                await self._dead_letter(message, exc)
        positions = next_positions(messages)
        if not readable and not positions:
            return
        applied: list[bool] = []
        pending: Sequence[tuple[Message, EventEnvelope]] = readable
        while True:
            flags = await self._apply_until_done(pending, positions)
            applied += flags
            pending = pending[len(flags):]
            if not pending:
                break
        self._count(readable, applied)

    async def _apply_until_done(self, readable: Sequence[tuple[Message, EventEnvelope]],
                                positions: Mapping[tuple[str, str, int], int]) -> list[bool]:
        """Apply (a prefix of) the messages, retrying every failure until it applies: never skip."""
        self.busy_since = time.monotonic()
        backoff = 0.2
        try:
            while True:
                try:
                    return await self._apply(readable, positions)
                except Exception as exc:
                    log.warning("consumer.retrying", error=repr(exc), backoff=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            self.busy_since = None

    def _count(self, readable: Sequence[tuple[Message, EventEnvelope]],
               applied: Sequence[bool]) -> None:
        """Count a fetch's messages and log them in one line (a line per event cost a fifth of
        a batch's time): each event's id, type, correlation id and outcome, so a request's
        correlation id still finds the consumer's work."""
        if not readable:
            return
        events = [{"event_id": str(envelope.event_id), "event_type": envelope.event_type,
                   "correlation_id": envelope.correlation_id,
                   "offset": f"{message.topic}/{message.partition}/{message.offset}",
                   "outcome": "applied" if first_time else "duplicate"}
                  for (message, envelope), first_time in zip(readable, applied, strict=True)]
        fresh = sum(applied)
        self.processed += len(readable)
        self.last_event_at = datetime.now(UTC)
        CONSUMED.labels(self.name, "applied").inc(fresh)
        CONSUMED.labels(self.name, "duplicate").inc(len(readable) - fresh)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(consumer=self.name)
        log.info("consumer.batch", applied=fresh, duplicates=len(readable) - fresh, events=events)

    def _bind(self, message: Message, envelope: EventEnvelope | None = None) -> None:
        """Put a message's (and its event's) identity in the log context."""
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            consumer=self.name, topic=message.topic, partition=message.partition,
            offset=message.offset,
            correlation_id=header_value(message.headers, HEADER_CORRELATION_ID),
        )
        if envelope is not None:
            structlog.contextvars.bind_contextvars(
                event_id=str(envelope.event_id), event_type=envelope.event_type,
                stream_id=envelope.stream_id, causation_id=envelope.causation_id,
                correlation_id=envelope.correlation_id,
            )

    async def _apply(self, readable: Sequence[tuple[Message, EventEnvelope]],
                     positions: Mapping[tuple[str, str, int], int]) -> list[bool]:
        """Apply what was not applied before, then mark it and the positions: effects first.

        Returns whether each message was new, for the prefix applied: all of them, unless the
        transaction ended early (see `_handle`); the caller applies the rest in the next one.
        Marks and positions go last so a handler that appends events reads its streams before
        the transaction writes anything (see the event store's ordering rule); a concurrent copy
        of this consumer that applied the same event makes the marks' insert fail, and the retry
        then finds the event applied.
        """
        ids = [envelope.event_id for _, envelope in readable]
        async with self.pool.acquire() as conn, conn.transaction():
            started = time.monotonic()
            done = {row["event_id"] for row in await conn.fetch(
                f"""SELECT event_id FROM {self.schema}.processed_events
                    WHERE consumer = $1 AND event_id = ANY($2::uuid[])""", self.name, ids)}
            applied: list[bool] = []
            fresh: list[tuple[Message, EventEnvelope]] = []
            for message, envelope in readable:
                first_time = envelope.event_id not in done
                done.add(envelope.event_id)
                applied.append(first_time)
                if first_time:
                    fresh.append((message, envelope))
            handled = await self._handle(conn, fresh, started)
            if handled < len(fresh):
                stop = next(i for i, (m, _) in enumerate(readable) if m is fresh[handled][0])
                readable, applied = readable[:stop], applied[:stop]
                positions = next_positions([m for m, _ in readable])
            marked = fresh[:handled]
            if marked:
                await conn.execute(
                    f"""INSERT INTO {self.schema}.processed_events
                        (consumer, event_id, topic, partition, "offset")
                        SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])""",
                    self.name, [e.event_id for _, e in marked], [m.topic for m, _ in marked],
                    [m.partition for m, _ in marked], [m.offset for m, _ in marked])
            await save_positions(conn, self.schema, self.name, positions)
        return applied

    async def _handle(self, conn: Conn, fresh: Sequence[tuple[Message, EventEnvelope]],
                      started: float) -> int:
        """Run the handler over the new events; how many it applied (a prefix of them).

        A set-based handler takes them all at once. One by one, the transaction ends early
        before an event whose append the ordering rule refuses (that event's own writes are
        undone by its savepoint; in the next transaction its append comes first), and once it
        has run for TX_BUDGET_SECONDS: a transaction that appends holds back its own store's
        relay until it ends (see the event store's visibility horizon), so none stays open long.
        """
        if self.apply_batch is not None and len(fresh) > 1:
            await self.apply_batch(conn, [(envelope, message.topic) for message, envelope in fresh])
            return len(fresh)
        for i, (message, envelope) in enumerate(fresh):
            self._bind(message, envelope)
            if i == 0:
                await self.handler(conn, envelope, message.topic)
                continue
            if time.monotonic() - started > TX_BUDGET_SECONDS:
                return i
            try:
                async with conn.transaction():  # a savepoint
                    await self.handler(conn, envelope, message.topic)
            except OrderingHazard:
                return i
        return len(fresh)

    async def _dead_letter(self, message: Message, exc: Exception) -> None:
        headers = [
            (HEADER_DLQ_ORIGIN_TOPIC, message.topic.encode()),
            (HEADER_DLQ_ORIGIN_PARTITION, str(message.partition).encode()),
            (HEADER_DLQ_ORIGIN_OFFSET, str(message.offset).encode()),
            (HEADER_DLQ_CONSUMER, self.name.encode()),
            (HEADER_DLQ_ERROR, repr(exc)[:1000].encode()),
        ]
        # Partition 0 always: the readers read that one, whatever count a broker gave the topic.
        await self.dlq_producer.send_and_wait(
            dlq_topic(self.name), value=message.value, key=message.key, headers=headers,
            partition=0)
        self.dead_lettered += 1
        CONSUMED.labels(self.name, "dead_lettered").inc()
        log.warning("consumer.dead_lettered", error=repr(exc)[:300])

    async def heartbeat(self) -> None:
        """Record that this consumer is alive, and since when it is busy with one message."""
        busy_for = None if self.busy_since is None else time.monotonic() - self.busy_since
        await record_heartbeat(self.pool, self.schema, self.name, busy_for, self.processed,
                               self.dead_lettered, self.last_event_at)
