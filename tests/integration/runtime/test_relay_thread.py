"""The relay beside an API runs on a loop of its own: a busy API loop does not hold it back."""

from __future__ import annotations

import time
import uuid

import asyncpg
import pytest
from kafka import KafkaConsumer

from events import HEADER_EVENT_ID
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.relay_thread import RelayThread
from services.runtime.settings import Settings
from services.runtime.topics import ensure_topics
from tests.support.samples import case_registered

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


async def test_the_relay_publishes_while_the_apis_event_loop_is_blocked(
    migrated_database_url: str, kafka_bootstrap: str, intake_pool: asyncpg.Pool,
    context: CommandContext,
) -> None:
    topic = f"test.relay-thread.{uuid.uuid4().hex[:12]}"
    await ensure_topics(kafka_bootstrap, {topic: 3})
    settings = Settings(CASETRACK_ENV="dev", DATABASE_URL=migrated_database_url,
                        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap)
    relay = RelayThread("intake", settings, topic)
    await relay.start()
    try:
        appended = await EventStore(intake_pool, "intake").append(
            f"thread-{uuid.uuid4()}", "case", 0, [case_registered()], context)
        event_id = str(appended.envelopes[0].event_id)
        assert _published_while_blocked(kafka_bootstrap, topic, event_id, within=60), \
            "the relay needs the API's loop to publish"
    finally:
        await relay.stop()
    assert relay.relay is not None and not relay.relay.is_leader, "stopping gives up the lead"
