"""Baselines (b) and (c): what Postgres itself does with rows shaped like intake's events."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from bench.samples import COLUMNS, INSERT_SQL, TABLE_DDL, fresh_row, row, sealed
from bench.stats import latency_summary, rate
from services.runtime.db import advisory_key

COPY_BATCH = 1000
LOCK_KEY = advisory_key("casetrack.bench.append")


async def create_table(database_url: str) -> None:
    """(Re)create bench.events like intake.events."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(TABLE_DDL)
    finally:
        await conn.close()


async def insert_rate(database_url: str, connections: int, seconds: float,
                      locked: bool = False) -> dict[str, Any]:
    """Single-row INSERT transactions from `connections` clients for `seconds`.

    Autocommit by default; `locked`: BEGIN, the append lock, INSERT, COMMIT, as the event store's
    serialisation costs without any of its Python (the lock's own price).
    """
    template = row(sealed())
    conns = [await asyncpg.connect(database_url) for _ in range(connections)]
    latencies: list[float] = []
    end = time.perf_counter() + seconds

    async def client(conn: asyncpg.Connection) -> int:
        done = 0
        while (started := time.perf_counter()) < end:
            if locked:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
                    await conn.execute(INSERT_SQL, *fresh_row(template))
            else:
                await conn.execute(INSERT_SQL, *fresh_row(template))
            latencies.append(time.perf_counter() - started)
            done += 1
        return done

    started = time.perf_counter()
    try:
        count = sum(await asyncio.gather(*(client(c) for c in conns)))
    finally:
        for conn in conns:
            await conn.close()
    elapsed = time.perf_counter() - started
    return {"connections": connections, "locked": locked, "transactions": count, "seconds": round(elapsed, 2),
            "tx_per_s": rate(count, elapsed), **latency_summary(latencies)}


async def copy_rate(database_url: str, rows: int) -> dict[str, Any]:
    """COPY of `rows` rows in 1,000-row batches, each batch its own transaction."""
    template = row(sealed(), json_as_text=True)
    batches = [[fresh_row(template) for _ in range(min(COPY_BATCH, rows - start))]
               for start in range(0, rows, COPY_BATCH)]
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        for batch in batches:
            await conn.copy_records_to_table("events", schema_name="bench", columns=COLUMNS,
                                             records=batch)
        elapsed = time.perf_counter() - started
    finally:
        await conn.close()
    return {"rows": rows, "batch": COPY_BATCH, "seconds": round(elapsed, 2),
            "rows_per_s": rate(rows, elapsed)}
