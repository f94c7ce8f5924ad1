"""Where a consumer is in each partition of each topic incarnation, kept with its effects.

Kafka's committed offsets are not trusted: a broker that keeps no data forgets them and a topic
that comes back empty gets a new id. A position is stored per (consumer, topic, topic id,
partition) in the transaction that applies the messages up to it, so it never runs ahead of the
effects, and a topic incarnation never seen before has no position: it is read from its start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import asyncpg

from services.runtime.db import Conn

Partition = tuple[str, int]
"""A (topic, partition) pair."""


async def save_positions(conn: Conn, schema: str, consumer: str,
                         positions: Mapping[tuple[str, str, int], int]) -> None:
    """Record the next offset to read per (topic, topic id, partition), inside the caller's tx."""
    if not positions:
        return
    rows = [(consumer, topic, topic_id, partition, offset)
            for (topic, topic_id, partition), offset in positions.items()]
    await conn.executemany(
        f"""INSERT INTO {schema}.consumer_positions
              (consumer, topic, topic_id, partition, next_offset) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (consumer, topic, topic_id, partition) DO UPDATE
              SET next_offset = EXCLUDED.next_offset, updated_at = now()""",
        rows,
    )


async def stored_positions(pool: asyncpg.Pool, schema: str, consumer: str,
                           incarnations: Mapping[str, str | None],
                           partitions: Iterable[Partition]) -> dict[Partition, int]:
    """The next offset of each partition in the topic's current incarnation; 0 where unknown."""
    wanted = list(partitions)
    known = {topic: topic_id for topic, topic_id in incarnations.items() if topic_id}
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT topic, topic_id, partition, next_offset FROM {schema}.consumer_positions
                WHERE consumer = $1 AND topic = ANY($2::text[]) AND topic_id = ANY($3::text[])""",
            consumer, list(known), list(known.values()),
        )
    stored = {(r["topic"], r["partition"]): int(r["next_offset"]) for r in rows
              if known.get(r["topic"]) == r["topic_id"]}
    return {p: stored.get(p, 0) for p in wanted}
