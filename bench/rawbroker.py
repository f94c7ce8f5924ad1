"""Baseline (d): aiokafka produce and consume rates on the run's broker, intake's message size."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.samples import sealed
from services.runtime.kafka import create_producer
from services.runtime.settings import Settings
from services.runtime.topics import ensure_topics

PARTITIONS = 6


async def produce_consume(bootstrap: str, messages: int) -> dict[str, Any]:
    """Produce `messages` (acks=all, batched as the relay's producer) to a fresh topic, consume them."""
    envelope = sealed()
    value, key = envelope.to_wire(), envelope.stream_id.encode()
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: PARTITIONS})
    settings = Settings(KAFKA_BOOTSTRAP_SERVERS=bootstrap)
    producer = create_producer(settings, "casetrack-bench")
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, value=value, key=key) for _ in range(messages)]
        await asyncio.gather(*futures)
        produce_s = time.perf_counter() - started
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None, fetch_max_wait_ms=10,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        # Timed from the first batch's arrival (the join is not consuming), so it is not counted.
        seen, first, first_count = 0, 0.0, 0
        while seen < messages:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(b) for b in batches.values())
            if batches and not first:
                first, first_count = time.perf_counter(), seen
        consume_s = time.perf_counter() - first
    finally:
        await consumer.stop()
    return {"messages": messages, "message_bytes": len(value), "partitions": PARTITIONS,
            "produce_per_s": round(messages / produce_s, 1),
            "consume_per_s": round((messages - first_count) / consume_s, 1) if consume_s > 0 else None}
