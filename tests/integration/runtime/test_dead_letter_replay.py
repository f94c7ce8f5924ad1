"""Dead letters are read back with their origin and replayed into their consumer, once per event."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import (
    HEADER_DLQ_CONSUMER,
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    EventEnvelope,
    dlq_topic,
)
from services.runtime.consumer import ProcessedOnce
from services.runtime.db import Conn
from services.runtime.deadletters import (
    dlq_topic_id,
    read_dead_letters,
    replay,
    replayed,
    waiting,
)
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.topics import ensure_topics
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


def _headers(consumer: str, offset: int, error: str) -> list[tuple[str, bytes]]:
    return [(HEADER_DLQ_ORIGIN_TOPIC, b"casetrack.intake.v1"), (HEADER_DLQ_ORIGIN_PARTITION, b"3"),
            (HEADER_DLQ_ORIGIN_OFFSET, str(offset).encode()), (HEADER_DLQ_CONSUMER, consumer.encode()),
            (HEADER_DLQ_ERROR, error.encode())]


async def test_a_replayed_letter_is_applied_once_and_stops_waiting_and_poison_stays_waiting(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
    producer: AIOKafkaProducer, kafka_bootstrap: str,
) -> None:
    consumer_name = f"test-dlq-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, {dlq_topic(consumer_name): 1})
    stored = await store.append(f"test-{uuid.uuid4()}", "case", 0, [case_registered()], context)
    (event,) = stored.envelopes
    await producer.send_and_wait(dlq_topic(consumer_name), value=event.to_wire(),
                                 key=event.stream_id.encode(),
                                 headers=_headers(consumer_name, 17, "TimeoutError() in handler"))
    await producer.send_and_wait(dlq_topic(consumer_name), value=b"{not json",
                                 headers=_headers(consumer_name, 18, "JSONDecodeError"))
    applied: list[str] = []

    async def record(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        applied.append(str(envelope.event_id))

    letters = await read_dead_letters(kafka_bootstrap, consumer_name)
    assert [(x.offset, x.origin_topic, x.origin_partition, x.origin_offset) for x in letters] == [
        (0, "casetrack.intake.v1", 3, 17), (1, "casetrack.intake.v1", 3, 18)]
    assert letters[0].error == "TimeoutError() in handler"

    target = ProcessedOnce(consumer_name, "intake", intake_pool, record, producer)
    dlq_id = await dlq_topic_id(kafka_bootstrap, consumer_name)
    assert dlq_id is not None
    assert await replay(target, letters[0], dlq_id) == "applied"
    assert await replay(target, letters[0], dlq_id) == "duplicate"
    assert (await replay(target, letters[1], dlq_id)).startswith("unreadable")
    assert applied == [str(event.event_id)], "the handler ran once, and not for the poison"

    async with intake_pool.acquire() as conn:
        outcomes = await replayed(conn, "intake", consumer_name, dlq_id)
        marked = await conn.fetchval(
            "SELECT count(*) FROM intake.processed_events WHERE consumer = $1", consumer_name)
    assert [x.offset for x in waiting(letters, outcomes)] == [1]
    assert marked == 1
    assert len(await read_dead_letters(kafka_bootstrap, consumer_name)) == 2, \
        "a replay never dead-letters again"
