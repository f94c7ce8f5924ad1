"""A broker that forgets everything also forgets the dead-letter topics; letters are never lost to
a topic the broker auto-created with its own partition count."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import DLQ_PARTITIONS, EventEnvelope, dlq_topic
from infra.local.broker import TansuBroker
from services.runtime.consumer import ProcessedOnce, Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.db import Conn
from services.runtime.deadletters import read_dead_letters
from services.runtime.settings import get_settings
from services.runtime.topics import ensure_topics, incarnations
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


async def test_a_letter_after_a_broker_restart_lands_where_dlq_readers_look(
    private_broker: TansuBroker, intake_pool: asyncpg.Pool,
) -> None:
    bootstrap = private_broker.bootstrap
    topic = f"test.dlq-restart.{uuid.uuid4().hex[:12]}"
    name = f"test-dlq-restart-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: 3, dlq_topic(name): DLQ_PARTITIONS})

    async def ignore(conn: Conn, envelope: EventEnvelope, _topic: str) -> None:
        return None

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    consumer = ProcessedOnce(name, "intake", intake_pool, ignore, producer)
    settings = get_settings().model_copy(update={"kafka_bootstrap_servers": bootstrap})
    loop = ConsumerLoop(Subscription(name, (topic,), ignore), consumer, settings)
    running = asyncio.create_task(loop.run())
    try:
        await eventually(lambda: _assigned(loop), what="the consumer took its partitions")
        await asyncio.to_thread(private_broker.restart)
        await ensure_topics(bootstrap, {topic: 3})  # as the topic's relay does after a restart

        async def dead_letter_topic_back() -> bool:
            found = (await incarnations(bootstrap, [dlq_topic(name)]))[dlq_topic(name)]
            return found.partitions > 0

        await eventually(dead_letter_topic_back, what="the consumer made its dead-letter topic")
        for partition in range(3):
            await producer.send_and_wait(topic, value=b"{not json " + str(partition).encode(),
                                         partition=partition)

        async def listed() -> bool:
            return len(await read_dead_letters(bootstrap, name)) == 3

        await eventually(listed, within=60, what="every poison message listed as a letter")
        found = (await incarnations(bootstrap, [dlq_topic(name)]))[dlq_topic(name)]
        assert found.partitions == DLQ_PARTITIONS
    finally:
        running.cancel()
        with contextlib.suppress(BaseException):
            await running
        await producer.stop()


async def _assigned(loop: ConsumerLoop) -> bool:
    return bool(loop.assigned)
