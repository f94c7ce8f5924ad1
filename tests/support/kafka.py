"""Read a topic back from the broker, as a downstream consumer would."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition

from infra.local.broker import TansuBroker
from tests.support.system import free_port


async def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    within: float = 60.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of a topic from the start, read until `until(records)` or the timeout.

    Partitions are assigned by hand (no consumer group): joining a group costs seconds.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=10,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + within
    try:
        partitions = await _partitions(consumer, topic, deadline)
        assert partitions, f"the broker named no partition of {topic} within {within} s"
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()
        while time.monotonic() < deadline and not until(records):
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records


async def _partitions(consumer: AIOKafkaConsumer, topic: str, deadline: float) -> set[int]:
    """The topic's partitions, once the broker's metadata names them."""
    while True:
        # aiokafka has no public metadata refresh; a new topic is unknown until one.
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic)
        if partitions or time.monotonic() > deadline:
            return set(partitions or ())
        await asyncio.sleep(0.1)


@contextlib.contextmanager
def own_broker(log_file: Path) -> Iterator[TansuBroker]:
    """A Tansu broker (memory only) on a free port, for tests that must not share topics."""
    broker = TansuBroker(free_port(), log_file=log_file)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
