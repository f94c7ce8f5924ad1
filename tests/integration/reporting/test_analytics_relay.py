"""The analytics stream survives a broker that forgets: every fact is published again."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from events import ANALYTICS_TOPIC
from infra.local.broker import TansuBroker
from services.reporting.analytics import AnalyticsRelay
from services.runtime.db import create_pool
from tests.support.kafka import read_topic

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


@pytest.fixture
async def reporting_pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(migrated_database_url, "reporting", min_size=1, max_size=4)
    yield pool
    await pool.close()


async def _queue_facts(pool: asyncpg.Pool, count: int) -> set[str]:
    ids = {str(uuid.uuid4()) for _ in range(count)}
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO reporting.analytics_outbox (event_id, key, value) VALUES ($1, $2, $3)",
            [(i, f"subject-{i}", orjson.dumps({"event_id": i, "event_type": "case.registered"}))
             for i in ids])
    return ids


async def _published_ids(bootstrap: str, wanted: set[str]) -> set[str]:
    records = await read_topic(
        bootstrap, ANALYTICS_TOPIC,
        until=lambda rs: wanted <= {orjson.loads(r.value)["event_id"] for r in rs if r.value})
    return {orjson.loads(r.value)["event_id"] for r in records if r.value} & wanted


async def _drain(relay: AnalyticsRelay) -> None:
    await relay.requeue_if_the_topic_is_new()
    while await relay.publish_pending():
        pass


async def test_facts_published_before_a_broker_forgot_them_are_published_again(
    private_broker: TansuBroker, reporting_pool: asyncpg.Pool,
) -> None:
    bootstrap = private_broker.bootstrap
    facts = await _queue_facts(reporting_pool, 20)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        relay = AnalyticsRelay(reporting_pool, producer, bootstrap)
        await _drain(relay)
        assert await _published_ids(bootstrap, facts) == facts
        await asyncio.to_thread(private_broker.restart)
        await _drain(relay)
        assert await _published_ids(bootstrap, facts) == facts
    finally:
        await producer.stop()


async def _published_counts(bootstrap: str, wanted: set[str]) -> dict[str, int]:
    """How often each wanted fact is on the topic, once all of them are."""
    records = await read_topic(
        bootstrap, ANALYTICS_TOPIC,
        until=lambda rs: wanted <= {orjson.loads(r.value)["event_id"] for r in rs if r.value})
    counts = dict.fromkeys(wanted, 0)
    for record in records:
        if record.value and (fact := orjson.loads(record.value)["event_id"]) in counts:
            counts[fact] += 1
    return counts


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_two_running_analytics_relays_publish_each_fact_once_and_the_standby_takes_over(
    reporting_pool: asyncpg.Pool, kafka_bootstrap: str,
) -> None:
    producers = [AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
                 for _ in range(2)]
    for producer in producers:
        await producer.start()
    relays = [AnalyticsRelay(reporting_pool, p, kafka_bootstrap, poll_seconds=0.01)
              for p in producers]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        first = await _queue_facts(reporting_pool, 200)
        assert set((await _published_counts(kafka_bootstrap, first)).values()) == {1}
        assert [r.is_leader for r in relays].count(True) == 1
        leader = next(i for i, r in enumerate(relays) if r.is_leader)
        await _stop(tasks[leader])
        second = await _queue_facts(reporting_pool, 50)
        assert set((await _published_counts(kafka_bootstrap, second)).values()) == {1}
        assert relays[1 - leader].is_leader, "the standby publishes once the leader is gone"
    finally:
        for task in tasks:
            await _stop(task)
        for producer in producers:
            await producer.stop()
