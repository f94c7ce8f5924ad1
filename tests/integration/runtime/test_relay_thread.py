"""The relay beside an API runs on a loop of its own: a busy API loop does not hold it back."""

from __future__ import annotations

import sys
import time
import uuid

import asyncpg
import pytest
from kafka import KafkaConsumer

from events import HEADER_EVENT_ID, EventEnvelope
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.pipeline import CommandPipeline
from services.runtime.relay_thread import RelayThread
from services.runtime.settings import Settings
from services.runtime.topics import ensure_topics
from tests.support.kafka import read_topic
from tests.support.samples import case_registered, register
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _published_while_blocked(bootstrap: str, topic: str, event_id: str, within: float) -> bool:
    """Poll the topic with a blocking client, holding the caller's event loop the whole time."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for record in records:
                    if (HEADER_EVENT_ID, event_id.encode()) in list(record.headers or ()):
                        return True
        return False
    finally:
        consumer.close()


async def _started_relay(database_url: str, bootstrap: str, name: str) -> tuple[RelayThread, str]:
    """intake's relay on a thread of its own, publishing to a fresh topic of three partitions."""
    topic = f"test.{name}.{uuid.uuid4().hex[:12]}"
    await ensure_topics(bootstrap, {topic: 3})
    settings = Settings(CASETRACK_ENV="dev", DATABASE_URL=database_url,
                        KAFKA_BOOTSTRAP_SERVERS=bootstrap, CASETRACK_SWITCH_INTERVAL=0.002)
    relay = RelayThread("intake", settings, topic)
    await relay.start()
    return relay, topic


async def test_the_relay_publishes_while_the_apis_event_loop_is_blocked(
    migrated_database_url: str, kafka_bootstrap: str, intake_pool: asyncpg.Pool,
    context: CommandContext,
) -> None:
    relay, topic = await _started_relay(migrated_database_url, kafka_bootstrap, "relay-thread")
    assert sys.getswitchinterval() == pytest.approx(0.002), \
        "the configured switch interval is what the relay's steps wait for the interpreter"
    sys.setswitchinterval(0.005)  # Python's own, for the tests after this one
    try:
        appended = await EventStore(intake_pool, "intake").append(
            f"thread-{uuid.uuid4()}", "case", 0, [case_registered()], context)
        event_id = str(appended.envelopes[0].event_id)
        assert _published_while_blocked(kafka_bootstrap, topic, event_id, within=60), \
            "the relay needs the API's loop to publish"
    finally:
        await relay.stop()
    assert relay.relay is not None and not relay.relay.is_leader, "stopping gives up the lead"


async def test_a_commit_beside_the_leading_relay_wakes_it_without_a_notification(
    migrated_database_url: str, kafka_bootstrap: str, intake_pool: asyncpg.Pool,
    context: CommandContext,
) -> None:
    relay, topic = await _started_relay(migrated_database_url, kafka_bootstrap, "relay-wake")
    listener = await asyncpg.connect(migrated_database_url)
    heard: list[int] = []
    try:
        await eventually(lambda: _leads(relay), what="the relay leads")
        store = EventStore(intake_pool, "intake")
        store.wakeup.local = relay.wake
        await listener.add_listener(store.notify_channel, lambda *_: heard.append(1))
        stream = f"wake-{uuid.uuid4()}"
        await CommandPipeline(store).run(register(stream, context))
        records = await read_topic(kafka_bootstrap, topic, within=30, until=lambda rs: any(
            EventEnvelope.from_wire(r.value).stream_id == stream for r in rs))
        assert stream in {EventEnvelope.from_wire(r.value).stream_id for r in records}
        await store.wakeup.settled()
        await listener.fetchval("SELECT 1")  # a notification sent before this answer is heard
        assert heard == [], "the leader beside the commit was woken through Postgres"
    finally:
        await listener.close()
        await relay.stop()


async def _leads(relay: RelayThread) -> bool:
    return relay.relay is not None and relay.relay.is_leader
