"""Rebuild reporting's read models from the topics, then swap them in atomically.

python -m services.reporting.rebuild           replay, build shadow tables, swap them in
python -m services.reporting.rebuild --check   replay into shadow tables, compare with live
                                               (CSV exports byte for byte), exit 1 on a difference
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from datetime import date

import asyncpg

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REVIEW_TOPIC, Role
from services.reporting import exports, queries, surveys
from services.reporting.facts import (
    CASE_COLUMNS,
    DIRECTIVE_COLUMNS,
    GROUP_COLUMNS,
    HISTORY_COLUMNS,
    REVIEW_COLUMNS,
    Fact,
    Row,
)
from services.reporting.model import ModelBuilder, ReadModels, project_all
from services.reporting.projections import SCHEMA, Projector
from services.reporting.reception_model import RECEPTION_COLUMNS
from services.runtime import rebuild
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.db import advisory_key
from services.runtime.rebuild import TopicReplay, create_shadow, decode
from services.runtime.settings import get_settings

SHADOW = "reporting_rebuild"
TOPICS = (INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC)
READ_MODEL_SCRIPTS = ("001_case_register.sql", "002_read_models.sql", "005_clocks.sql",
                      "006_receptions.sql", "008_bodies.sql")
TABLES: dict[str, tuple[str, ...]] = {
    "history": HISTORY_COLUMNS, "case_register": CASE_COLUMNS,
    "directive_register": DIRECTIVE_COLUMNS, "review_register": REVIEW_COLUMNS,
    "monitoring_groups": GROUP_COLUMNS, "reception_register": RECEPTION_COLUMNS,
}
AUDITOR = Principal(sub="svc-reporting-rebuild", role=Role.ADMIN, regions=frozenset({ALL_REGIONS}))


COPY_CHUNK = 5000
"""History rows written per COPY while the replay goes on (each COPY its own short transaction)."""


class ShadowWriter:
    """Writes a replay's history rows into the shadow in chunks, one COPY in flight while the
    next chunk is decoded (Postgres works on the other core meanwhile)."""

    def __init__(self, conn: asyncpg.Connection, schema: str) -> None:
        self.conn, self.schema = conn, schema
        self.pending: list[tuple[object, ...]] = []
        self.copying: asyncio.Task[str] | None = None

    async def add(self, row: Row) -> None:
        """Queue a history row; start a COPY once a chunk is full."""
        self.pending.append(tuple(row[c] for c in HISTORY_COLUMNS))
        if len(self.pending) >= COPY_CHUNK:
            await self.flush(wait=False)

    async def flush(self, wait: bool = True) -> None:
        """COPY what is queued (after the COPY in flight); wait for it if asked."""
        if self.copying is not None:
            await self.copying
            self.copying = None
        if self.pending:
            chunk, self.pending = self.pending, []
            self.copying = asyncio.create_task(self.conn.copy_records_to_table(
                "history", schema_name=self.schema, columns=list(HISTORY_COLUMNS),
                records=chunk))
        if wait and self.copying is not None:
            await self.copying
            self.copying = None


async def replay_into(conn: asyncpg.Connection, bootstrap: str, schema: str = SHADOW,
                      topics: Sequence[str] = TOPICS) -> int:
    """Replay every applicable event on the topics from the start into fresh tables in
    `schema`, writing history as it reads; how many events were read."""
    await create_tables(conn, schema)
    builder, writer, count = ModelBuilder(), ShadowWriter(conn, schema), 0
    async with TopicReplay(bootstrap, topics) as replay:
        async for records in replay.batches():
            for record in records:
                envelope = decode(record.value)
                if envelope is None:
                    continue
                count += 1
                fact = Fact.of(envelope, record.topic)
                row = builder.add(fact, fact.wire_hash_ok(record.value))
                if row is not None:
                    await writer.add(row)
    await writer.flush()
    await write_models(conn, schema, builder.finish())
    return count


async def create_tables(conn: asyncpg.Connection, schema: str) -> None:
    """A fresh schema holding empty read-model tables, made by the reporting migrations."""
    await create_shadow(conn, "reporting", schema, READ_MODEL_SCRIPTS)


async def write_models(conn: asyncpg.Connection, schema: str, models: ReadModels) -> None:
    """COPY every read-model row into the schema's tables."""
    rows = {"history": models.history, "case_register": models.cases,
            "directive_register": models.directives, "review_register": models.reviews,
            "monitoring_groups": models.groups, "reception_register": models.receptions}
    for table, columns in TABLES.items():
        await conn.copy_records_to_table(
            table, schema_name=schema, columns=list(columns),
            records=[tuple(row[c] for c in columns) for row in rows[table]])


async def build_shadow(conn: asyncpg.Connection, facts: list[Fact], schema: str = SHADOW) -> None:
    """Project the facts into fresh tables in `schema`."""
    await create_tables(conn, schema)
    await write_models(conn, schema, project_all(facts))


async def catch_up(conn: asyncpg.Connection, shadow: str = SHADOW, live: str = SCHEMA) -> int:
    """Project into the shadow the facts live kept that the replay did not; how many."""
    missing = await conn.fetch(
        f"""SELECT l.* FROM {live}.history l
            WHERE NOT EXISTS (SELECT 1 FROM {shadow}.history s WHERE s.event_id = l.event_id)
            ORDER BY l.recorded_at, l.version""")
    await Projector(shadow).project_facts(
        conn, [Fact.from_row(row) for row in missing])
    return len(missing)


async def swap_in(conn: asyncpg.Connection, shadow: str = SHADOW, live: str = SCHEMA) -> int:
    """Catch the shadow up with what live applied meanwhile, then swap it in; one transaction."""
    return await rebuild.swap_in(conn, list(TABLES), shadow, live,
                                 lambda locked: catch_up(locked, shadow, live))


async def export_lines(conn: asyncpg.Connection, schema: str, name: str, on: date) -> list[str]:
    """An export of one schema's read models, as every region sees it."""
    return [line async for line in exports.stream_rows(conn, name, AUDITOR, {}, on, schema)]


async def compare(conn: asyncpg.Connection, shadow: str = SHADOW, live: str = SCHEMA
                  ) -> list[str]:
    """Differences between the rebuilt and live exports (empty when byte for byte equal)."""
    on, differences = queries.today(), []
    for name in ("cases", "directives", "history", "receptions"):
        rebuilt = await export_lines(conn, shadow, name, on)
        current = await export_lines(conn, live, name, on)
        if rebuilt != current:
            first = next((i for i, (a, b) in enumerate(zip(rebuilt, current, strict=False))
                          if a != b), min(len(rebuilt), len(current)))
            differences.append(
                f"{name}.csv differs: rebuilt {len(rebuilt) - 1} rows, live {len(current) - 1} "
                f"rows; first difference at line {first + 1}:\n"
                f"  rebuilt: {rebuilt[first].strip() if first < len(rebuilt) else '<none>'}\n"
                f"  live:    {current[first].strip() if first < len(current) else '<none>'}")
    rebuilt_waves, live_waves = await surveys.waves(conn, shadow), await surveys.waves(conn, live)
    if rebuilt_waves != live_waves:  # not in the history export: their counts are unsuppressed
        differences.append(f"survey waves differ: rebuilt {[w.id for w in rebuilt_waves]}, "
                           f"live {[w.id for w in live_waves]}")
    return differences


async def main_async(check: bool, bootstrap: str, database_url: str) -> int:
    """Replay into the shadow, then swap it in or compare it with live."""
    started = time.monotonic()
    conn = await asyncpg.connect(database_url)
    try:
        # One rebuild or check at a time: they share the shadow schema.
        await conn.execute("SELECT pg_advisory_lock($1)", advisory_key("casetrack.reporting.rebuild"))
        replayed = await replay_into(conn, bootstrap)
        if check:
            differences = await compare(conn)
            await conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE")
            return rebuild.report_check(differences, "read models")
        caught_up = await swap_in(conn)
    finally:
        await conn.close()
    print(f"rebuild: {replayed} events replayed, {caught_up} applied live meanwhile, "
          f"swapped in after {time.monotonic() - started:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    check = rebuild.check_requested(__doc__, argv)
    settings = get_settings()
    return asyncio.run(main_async(check, settings.kafka_bootstrap_servers, settings.database_url))


if __name__ == "__main__":
    sys.exit(main())
