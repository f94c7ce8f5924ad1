"""Whether a consumer is alive: its heartbeat row, written by the consumer, read by readiness."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def record_heartbeat(pool: asyncpg.Pool, schema: str, consumer: str, busy_for: float | None,
                           processed: int, dead_lettered: int, last_event_at: datetime | None
                           ) -> None:
    """The consumer is alive; busy with one message for `busy_for` seconds (None: idle)."""
    async with pool.acquire() as conn:
        await conn.execute(
            f"""INSERT INTO {schema}.consumer_health AS h
                (consumer, heartbeat_at, busy_since, processed_total, dead_lettered,
                 last_event_at)
                VALUES ($1, now(), now() - make_interval(secs => $2), $3, $4, $5)
                ON CONFLICT (consumer) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at,
                  busy_since = EXCLUDED.busy_since,
                  processed_total = EXCLUDED.processed_total,
                  dead_lettered = EXCLUDED.dead_lettered,
                  last_event_at = EXCLUDED.last_event_at""",
            consumer, busy_for, processed, dead_lettered, last_event_at,
        )


async def consumer_stalled(
    pool: asyncpg.Pool, schema: str, consumer: str, stall_seconds: float
) -> str | None:
    """Why a consumer counts as stalled (silent or stuck on one message), or None if healthy."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            f"""SELECT now() - heartbeat_at > make_interval(secs => $2) AS silent,
                       busy_since IS NOT NULL
                         AND now() - busy_since > make_interval(secs => $2) AS stuck
                FROM {schema}.consumer_health WHERE consumer = $1""",
            consumer, stall_seconds,
        )
    if row is None:
        return f"consumer {consumer} has not started"
    if row["silent"]:
        return f"consumer {consumer} has not sent a heartbeat for {stall_seconds}s"
    if row["stuck"]:
        return f"consumer {consumer} is stuck on one message for over {stall_seconds}s"
    return None
