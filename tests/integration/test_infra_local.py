"""The servers every other test stands on answer for real: PostgreSQL and the Kafka broker."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from urllib.parse import urlsplit

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from infra.local.broker import probe_metadata
from tests.conftest import Broker

pytestmark = pytest.mark.integration


async def test_postgres_accepts_a_tcp_connection_and_runs_a_query(database_url: str) -> None:
    """The session database is reachable over TCP and answers SELECT 1."""
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert await conn.fetchval("SELECT current_database()") == urlsplit(database_url).path[1:]
        if urlsplit(database_url).hostname == "127.0.0.1":
            assert await conn.fetchval("SELECT host(inet_server_addr())") == "127.0.0.1"
    finally:
        await conn.close()


async def test_broker_round_trips_a_message(kafka_bootstrap: str) -> None:
    """A record produced with acks=all is consumed back by a fresh consumer group."""
    await _round_trip(kafka_bootstrap)


async def test_broker_answers_again_after_restart(broker: Broker) -> None:
    """After a restart the broker answers Metadata and round-trips a message again."""
    topics = await asyncio.to_thread(_partition_counts, broker.bootstrap)
    await asyncio.to_thread(broker.restart)
    # Tansu forgets everything; put back the topics later tests of this session may expect.
    await asyncio.to_thread(_create_topics, broker.bootstrap, topics)
    assert await probe_metadata(broker.bootstrap, within=10.0) >= 1
    await _round_trip(broker.bootstrap)


async def _round_trip(bootstrap: str) -> None:
    topic = f"test.infra.{uuid.uuid4().hex}"
    await asyncio.to_thread(_create_topics, bootstrap, {topic: 1})
    value = uuid.uuid4().bytes
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-infra-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
    finally:
        await consumer.stop()
    assert (record.topic, record.key, record.value) == (topic, b"k", value)


def _partition_counts(bootstrap: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-infra")
    try:
        names = [t for t in admin.list_topics() if not t.startswith("__")]
        return {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}
    finally:
        admin.close()


def _create_topics(bootstrap: str, topics: dict[str, int]) -> None:
    if not topics:
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-infra")
    try:
        existing = set(admin.list_topics())
        for topic, partitions in topics.items():
            if topic in existing:
                continue
            # One at a time: the session's running services re-create their topics after a
            # restart too, and one already made must not fail the others.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        admin.close()
