"""How far behind each part is, seen from outside it: relay backlogs and consumer lag.

Read from the marks kept in Postgres (relay cursors, consumer positions) and the broker's end
offsets, so a dead or stuck process still shows its lag. The local broker (Tansu) reports end
offsets too low after multi-record batches: lag read from it is a floor, never an overstatement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from events import dlq_topic
from services.runtime.db import Conn
from services.runtime.topics import Incarnation, incarnations


@dataclass(frozen=True)
class RelayBacklog:
    """An owning service's relay: where its cursor is and what is stored after it."""

    service: str
    topic: str
    position: int
    """The last position published (and acknowledged by the broker)."""
    head: int
    """The log's last stored position."""
    events: int
    """Events stored after the cursor: committed but not yet published."""
    seconds: float
    """Age of the oldest of those events (0 when there are none)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class PartitionLag:
    """One consumer's distance from the end of one partition of one topic incarnation."""

    consumer: str
    topic: str
    partition: int
    position: int
    """The next offset to read, as stored with the consumer's effects (0: never read)."""
    end: int
    """The partition's end offset as the broker reports it."""

    @property
    def messages(self) -> int:
        """Messages not yet applied (never negative: end offsets may lag behind)."""
        return max(self.end - self.position, 0)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {**asdict(self), "lag": self.messages}


async def relay_backlogs(conn: Conn, service: str) -> list[RelayBacklog]:
    """Each relay cursor of a service's schema with the backlog behind it."""
    head = int(await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {service}.events"))
    cursors = await conn.fetch(
        f"SELECT topic, tx_id::text::bigint AS tx, position FROM {service}.relay_cursor ORDER BY topic")
    found = []
    for cursor in cursors:
        row = await conn.fetchrow(
            f"""SELECT count(*) AS events,
                       coalesce(extract(epoch FROM now() - min(recorded_at)), 0) AS seconds
                FROM {service}.events WHERE (tx_id, position) > ($1::text::xid8, $2)""",
            str(cursor["tx"]), cursor["position"])
        assert row is not None
        found.append(RelayBacklog(service, cursor["topic"], int(cursor["position"]), head,
                                  int(row["events"]), max(float(row["seconds"]), 0.0)))
    return found


async def end_offsets(bootstrap: str, partitions: Sequence[tuple[str, int]]
                      ) -> dict[tuple[str, int], int]:
    """The broker's end offset of each (topic, partition); no group, nothing committed."""
    if not partitions:
        return {}
    kafka = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             client_id="casetrack-observer", request_timeout_ms=10000)
    await kafka.start()
    try:
        offsets = await kafka.end_offsets([TopicPartition(t, p) for t, p in partitions])
    finally:
        with contextlib.suppress(Exception):
            await kafka.stop()
    return {(tp.topic, tp.partition): int(offset) for tp, offset in offsets.items()}


async def consumer_lags(conn: Conn, service: str, consumers: Mapping[str, Sequence[str]],
                        bootstrap: str) -> list[PartitionLag]:
    """Lag of each consumer (name -> topics) of a service, per partition of each topic as the
    broker describes it now; positions are those stored for the topic's current id."""
    topics = sorted({t for names in consumers.values() for t in names})
    layout: dict[str, Incarnation] = await incarnations(bootstrap, topics) if topics else {}
    partitions = [(t, p) for t in topics for p in range(layout[t].partitions)]
    ends = await end_offsets(bootstrap, partitions)
    rows = await conn.fetch(
        f"""SELECT consumer, topic, topic_id, partition, next_offset
            FROM {service}.consumer_positions WHERE consumer = ANY($1::text[])""", list(consumers))
    stored = {(r["consumer"], r["topic"], r["partition"]): int(r["next_offset"]) for r in rows
              if layout.get(r["topic"]) and layout[r["topic"]].topic_id == r["topic_id"]}
    return [PartitionLag(consumer, topic, partition, stored.get((consumer, topic, partition), 0),
                         ends.get((topic, partition), 0))
            for consumer, names in sorted(consumers.items())
            for topic in sorted(names) for partition in range(layout[topic].partitions)]


async def dead_letter_counts(bootstrap: str, consumers: Sequence[str]) -> dict[str, int]:
    """How many messages each consumer's dead-letter topic holds (one partition each)."""
    ends = await end_offsets(bootstrap, [(dlq_topic(c), 0) for c in consumers])
    return {c: ends.get((dlq_topic(c), 0), 0) for c in consumers}
