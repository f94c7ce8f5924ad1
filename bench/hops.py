"""Where end-to-end time goes: each hop of a case from intake's commit to reporting's register.

For the cases of an open-loop run: committed (the event's `recorded_at`, stamped just before the
appending transaction commits) → published (the Kafka record's timestamp, set by the relay's
producer) → consumed (reporting's `history.received_at`, the start of the applying transaction)
→ visible (the load generator's first sighting in `case_register`, polled every 5 ms). One clock:
the same machine's, read by Postgres, the producer and the generator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.stats import latency_summary
from events import HEADER_EVENT_ID, INTAKE_TOPIC

READ_TIMEOUT = 60.0
HOPS = ("commit_to_published", "published_to_consumed", "consumed_to_visible")


async def published_at(bootstrap: str, event_ids: set[str]) -> dict[str, float]:
    """The Kafka timestamp (seconds) of each wanted event on intake's topic, read from the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                fetch_max_wait_ms=50)
    await consumer.start()
    found: dict[str, float] = {}
    try:
        partitions = [TopicPartition(INTAKE_TOPIC, p)
                      for p in sorted(consumer.partitions_for_topic(INTAKE_TOPIC)
                                      or await _partitions(consumer))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + READ_TIMEOUT
        while len(found) < len(event_ids) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batch.values():
                for record in records:
                    event_id = dict(record.headers or ()).get(HEADER_EVENT_ID)
                    if event_id is not None and event_id.decode() in event_ids:
                        found[event_id.decode()] = record.timestamp / 1000
    finally:
        await consumer.stop()
    return found


async def _partitions(consumer: AIOKafkaConsumer) -> set[int]:
    await consumer.topics()
    return consumer.partitions_for_topic(INTAKE_TOPIC) or set()


async def hop_budget(dsn: str, bootstrap: str, walls: Mapping[str, Sequence[float]]
                     ) -> dict[str, Any]:
    """p50/p99 of each hop over the cases seen in reporting, and which hop is slowest at p99."""
    seen = {case: w[1] for case, w in walls.items() if len(w) > 1}
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """SELECT e.stream_id, e.event_id::text AS event_id,
                      extract(epoch FROM e.recorded_at)::float8 AS committed,
                      extract(epoch FROM h.received_at)::float8 AS consumed
               FROM intake.events e JOIN reporting.history h ON h.event_id = e.event_id
               WHERE e.stream_id = ANY($1::text[]) AND e.version = 1""", list(seen))
    finally:
        await conn.close()
    published = await published_at(bootstrap, {r["event_id"] for r in rows})
    spans: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for r in rows:
        sent = published.get(r["event_id"])
        if sent is None:
            continue
        spans["commit_to_published"].append(max(0.0, sent - r["committed"]))
        spans["published_to_consumed"].append(max(0.0, r["consumed"] - sent))
        spans["consumed_to_visible"].append(max(0.0, seen[r["stream_id"]] - r["consumed"]))
    budget: dict[str, Any] = {"cases": len(spans["commit_to_published"])}
    for hop, values in spans.items():
        summary = latency_summary(values)
        budget[hop] = {"p50_ms": summary["p50_ms"], "p99_ms": summary["p99_ms"]}
    budget["slowest_at_p99"] = max(HOPS, key=lambda h: budget[h]["p99_ms"] or 0.0)
    return budget


def measure(dsn: str, bootstrap: str, walls: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    """The hop budget, synchronously (the bench's phases are synchronous)."""
    return asyncio.run(hop_budget(dsn, bootstrap, walls))
