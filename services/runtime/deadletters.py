"""Dead letters: read a consumer's dead-letter topic, and replay a letter into its consumer.

A replay applies the letter through the consumer's own `ProcessedOnce` (its handler, its
processed marks), never by publishing it again: the origin topic belongs to its owner's relay,
and every other reader of that topic would see the letter a second time. A letter that still
cannot be read is reported and stays waiting; nothing is dead-lettered twice by a replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from events import (
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    HEADER_EVENT_ID,
    dlq_topic,
)
from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.kafka import header_value
from services.runtime.topics import topic_id

QUIET_MS = 500


@dataclass(frozen=True)
class DeadLetter:
    """One message of a dead-letter topic, with where it came from and why it failed."""

    consumer: str
    offset: int
    origin_topic: str
    origin_partition: int
    origin_offset: int
    error: str
    event_id: str | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def summary(self) -> dict[str, Any]:
        """The letter without its body, as plain data."""
        return {"consumer": self.consumer, "offset": self.offset, "origin_topic": self.origin_topic,
                "origin_partition": self.origin_partition, "origin_offset": self.origin_offset,
                "event_id": self.event_id, "error": self.error}

    def message(self) -> Message:
        """The letter as the message its consumer first received (no incarnation: a replay
        moves no position)."""
        return Message(self.origin_topic, self.origin_partition, self.origin_offset, self.key,
                       self.value, list(self.headers))


def _letter(consumer: str, offset: int, key: bytes | None, value: bytes | None,
            headers: tuple[tuple[str, bytes], ...]) -> DeadLetter:
    def text(name: str) -> str:
        return header_value(headers, name) or ""

    return DeadLetter(consumer, offset, text(HEADER_DLQ_ORIGIN_TOPIC),
                      int(text(HEADER_DLQ_ORIGIN_PARTITION) or -1),
                      int(text(HEADER_DLQ_ORIGIN_OFFSET) or -1), text(HEADER_DLQ_ERROR),
                      header_value(headers, HEADER_EVENT_ID), key, value, headers)


async def read_dead_letters(bootstrap: str, consumer: str) -> list[DeadLetter]:
    """Every letter of a consumer's dead-letter topic, oldest first (read until quiet at end)."""
    topic = dlq_topic(consumer)
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             client_id="casetrack-dlq-reader", request_timeout_ms=10000)
    await kafka.start()
    try:
        tp = TopicPartition(topic, 0)
        kafka.assign([tp])
        await kafka.seek_to_beginning(tp)
        end = (await kafka.end_offsets([tp]))[tp]
        letters: list[DeadLetter] = []
        while True:
            asked_ms = time.time() * 1000
            records = (await kafka.getmany(tp, timeout_ms=QUIET_MS)).get(tp, [])
            if not records and _answered_since(kafka, tp, asked_ms) \
                    and await kafka.position(tp) >= end:
                # An answer that came as the wait ended may still hold records.
                records = (await kafka.getmany(tp, timeout_ms=0)).get(tp, [])
                if not records:
                    return letters
            letters.extend(_letter(consumer, r.offset, r.key, r.value,
                                   tuple((k, bytes(v)) for k, v in r.headers)) for r in records)
    finally:
        with contextlib.suppress(Exception):
            await kafka.stop()


def _answered_since(kafka: AIOKafkaConsumer, tp: TopicPartition, asked_ms: float) -> bool:
    """Whether the broker answered a fetch of `tp` since `asked_ms`.

    A quiet `getmany` alone proves nothing: on a loaded machine the fetch may not have been
    answered yet. Nor do the broker's end offsets (the local broker reports them too low after
    multi-record batches): the end is where an answered fetch found nothing.
    """
    answered = kafka.last_poll_timestamp(tp)
    return answered is not None and answered >= asked_ms


async def replayed(conn: asyncpg.Connection, service: str, consumer: str, dlq_id: str | None
                   ) -> dict[int, str]:
    """Outcome of the last replay of each letter of the current dead-letter topic."""
    if dlq_id is None:
        return {}
    rows = await conn.fetch(
        f"""SELECT dlq_offset, outcome FROM {service}.dead_letter_replays
            WHERE consumer = $1 AND topic_id = $2""", consumer, dlq_id)
    return {int(r["dlq_offset"]): str(r["outcome"]) for r in rows}


def waiting(letters: list[DeadLetter], outcomes: dict[int, str]) -> list[DeadLetter]:
    """Letters no replay has applied yet."""
    return [x for x in letters if outcomes.get(x.offset) not in ("applied", "duplicate")]


async def dlq_topic_id(bootstrap: str, consumer: str) -> str | None:
    """The current incarnation of a consumer's dead-letter topic."""
    return await topic_id(bootstrap, dlq_topic(consumer))


async def replay(consumer: ProcessedOnce, letter: DeadLetter, dlq_id: str) -> str:
    """Apply one letter through its consumer; 'applied', 'duplicate' or 'unreadable: why'.

    The outcome is recorded so the letter stops counting as waiting once applied.
    """
    message = letter.message()
    event_id: str | None = None
    try:
        event_id = str(consumer.decode(message).event_id)
    except Exception as exc:
        outcome, detail = "unreadable", f"unreadable: {exc!r}"[:500]
    else:
        async with consumer.pool.acquire() as conn:
            seen = await conn.fetchval(
                f"""SELECT 1 FROM {consumer.schema}.processed_events
                    WHERE consumer = $1 AND event_id = $2::uuid""", consumer.name, event_id)
        await asyncio.wait_for(consumer.process(message), 60)
        outcome = detail = "duplicate" if seen else "applied"
    async with consumer.pool.acquire() as conn:
        await conn.execute(
            f"""INSERT INTO {consumer.schema}.dead_letter_replays
                  (consumer, topic_id, dlq_offset, event_id, outcome) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (consumer, topic_id, dlq_offset) DO UPDATE
                  SET outcome = EXCLUDED.outcome, event_id = EXCLUDED.event_id,
                      replayed_at = now()""",
            consumer.name, dlq_id, letter.offset, event_id, outcome)
    return detail


def subscription_named(subscriptions: dict[str, list[Subscription]], consumer: str
                       ) -> tuple[str, Subscription]:
    """The service and subscription of a consumer name; KeyError naming the known ones."""
    for service, subs in subscriptions.items():
        for sub in subs:
            if sub.name == consumer:
                return service, sub
    known = sorted(s.name for subs in subscriptions.values() for s in subs)
    raise KeyError(f"no consumer {consumer!r}; known: {', '.join(known)}")

