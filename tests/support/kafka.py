"""Read a topic back from the broker, as a downstream consumer would."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    within: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of a topic from the start, read until `until(records)` or the timeout."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
        heartbeat_interval_ms=1000, fetch_max_wait_ms=10,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline and not until(records):
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records
