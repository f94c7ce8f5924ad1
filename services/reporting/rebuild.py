"""Rebuild reporting's read models from the topics, then swap them in atomically.

python -m services.reporting.rebuild           replay, build shadow tables, swap them in
python -m services.reporting.rebuild --check   replay into shadow tables, compare with live
                                               (CSV exports byte for byte), exit 1 on a difference
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from datetime import date
from importlib import resources
from typing import TextIO

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REVIEW_TOPIC, EventEnvelope, Role
from services.reporting import exports, queries
from services.reporting.facts import (
    CASE_COLUMNS,
    DIRECTIVE_COLUMNS,
    GROUP_COLUMNS,
    HISTORY_COLUMNS,
    REVIEW_COLUMNS,
    Fact,
)
from services.reporting.model import ReadModels, project_all
from services.reporting.projections import SCHEMA, Projector
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.consumer import decode_envelope
from services.runtime.db import advisory_key, app_role
from services.runtime.settings import get_settings

SHADOW = "reporting_rebuild"
RETIRED = "reporting_retired"
TOPICS = (INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC)
READ_MODEL_SCRIPTS = ("001_case_register.sql", "002_read_models.sql")
TABLES: dict[str, tuple[str, ...]] = {
    "history": HISTORY_COLUMNS, "case_register": CASE_COLUMNS,
    "directive_register": DIRECTIVE_COLUMNS, "review_register": REVIEW_COLUMNS,
    "monitoring_groups": GROUP_COLUMNS,
}
QUIET_SECONDS = 2.0
"""Stop once past the reported end offsets and a poll has brought nothing for this long
(Tansu reports end offsets too low after multi-record batches, so they are only a hint)."""
AUDITOR = Principal(sub="svc-reporting-rebuild", role=Role.ADMIN, regions=frozenset({ALL_REGIONS}))


class Progress:
    """A one-line progress bar with events/s and ETA, redrawn at most five times a second."""

    def __init__(self, total: int, out: TextIO = sys.stderr) -> None:
        self.total, self.done, self.out = max(total, 1), 0, out
        self.started = self.drawn = time.monotonic()

    def advance(self, count: int) -> None:
        """Count events read and redraw when due."""
        self.done += count
        if time.monotonic() - self.drawn >= 0.2:
            self.draw()

    def draw(self, final: bool = False) -> None:
        """Draw the bar: done/total, rate, ETA."""
        self.drawn = time.monotonic()
        elapsed = max(self.drawn - self.started, 1e-6)
        rate = self.done / elapsed
        total = max(self.total, self.done)
        eta = (total - self.done) / rate if rate else 0.0
        filled = int(30 * self.done / total)
        line = (f"\rreplaying [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{total} events "
                f"{rate:,.0f} ev/s ETA {int(eta) // 60:02d}:{int(eta) % 60:02d}")
        self.out.write(line + ("\n" if final else ""))
        self.out.flush()


def decode(value: bytes | None) -> EventEnvelope | None:
    """An envelope the live projector would apply; None for what it dead-letters."""
    try:
        return decode_envelope(value)
    except Exception:  # the live projector dead-letters these
        return None


async def read_topics(bootstrap: str, topics: Sequence[str] = TOPICS,
                      quiet: float = QUIET_SECONDS) -> list[Fact]:
    """Every applicable event on the topics from the start, until caught up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                group_id=None, auto_offset_reset="earliest",
                                fetch_max_wait_ms=50, max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    facts: list[Fact] = []
    try:
        await consumer.topics()
        partitions = [TopicPartition(t, p) for t in topics
                      for p in sorted(consumer.partitions_for_topic(t) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        progress = Progress(sum(ends.values()))
        idle_since = time.monotonic()
        while True:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            count = 0
            for tp, records in batch.items():
                for record in records:
                    envelope = decode(record.value)
                    if envelope is not None:
                        facts.append(Fact.of(envelope, tp.topic))
                count += len(records)
            if count:
                idle_since = time.monotonic()
                progress.advance(count)
                continue
            positions = [await consumer.position(tp) for tp in partitions]
            caught_up = all(pos >= ends[tp] for pos, tp in zip(positions, partitions, strict=True))
            if time.monotonic() - idle_since >= (quiet if caught_up else quiet * 5):
                break
        progress.draw(final=True)
    finally:
        await consumer.stop()
    return facts


async def create_tables(conn: asyncpg.Connection, schema: str) -> None:
    """A fresh schema holding empty read-model tables, made by the reporting migrations."""
    role = app_role("reporting")
    await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await conn.execute(f"CREATE SCHEMA {schema}")
    await conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    folder = resources.files("infra").joinpath("migrations", "reporting")
    for script in READ_MODEL_SCRIPTS:
        sql = folder.joinpath(script).read_text("utf-8")
        await conn.execute(sql.replace("{schema}", schema).replace("{role}", role))


async def write_models(conn: asyncpg.Connection, schema: str, models: ReadModels) -> None:
    """COPY every read-model row into the schema's tables."""
    rows = {"history": models.history, "case_register": models.cases,
            "directive_register": models.directives, "review_register": models.reviews,
            "monitoring_groups": models.groups}
    for table, columns in TABLES.items():
        await conn.copy_records_to_table(
            table, schema_name=schema, columns=list(columns),
            records=[tuple(row[c] for c in columns) for row in rows[table]])


async def build_shadow(conn: asyncpg.Connection, facts: list[Fact], schema: str = SHADOW) -> None:
    """Project the facts into fresh tables in `schema`."""
    await create_tables(conn, schema)
    await write_models(conn, schema, project_all(facts))


async def swap_in(conn: asyncpg.Connection, shadow: str = SHADOW, live: str = SCHEMA) -> int:
    """Catch the shadow up with what live applied meanwhile, then swap it in; one transaction."""
    async with conn.transaction():
        for table in TABLES:
            await conn.execute(f"LOCK TABLE {live}.{table} IN EXCLUSIVE MODE")
        missing = await conn.fetch(
            f"""SELECT l.* FROM {live}.history l
                WHERE NOT EXISTS (SELECT 1 FROM {shadow}.history s WHERE s.event_id = l.event_id)
                ORDER BY l.recorded_at, l.version""")
        await Projector(shadow).project_facts(
            conn, [Fact.from_row(row) for row in missing])
        await conn.execute(f"DROP SCHEMA IF EXISTS {RETIRED} CASCADE")
        await conn.execute(f"CREATE SCHEMA {RETIRED}")
        for table in TABLES:
            await conn.execute(f"ALTER TABLE {live}.{table} SET SCHEMA {RETIRED}")
            await conn.execute(f"ALTER TABLE {shadow}.{table} SET SCHEMA {live}")
        await conn.execute(f"DROP SCHEMA {RETIRED} CASCADE")
        await conn.execute(f"DROP SCHEMA {shadow} CASCADE")
    return len(missing)


async def export_lines(conn: asyncpg.Connection, schema: str, name: str, on: date) -> list[str]:
    """An export of one schema's read models, as every region sees it."""
    return [line async for line in exports.stream_rows(conn, name, AUDITOR, {}, on, schema)]


async def compare(conn: asyncpg.Connection, shadow: str = SHADOW, live: str = SCHEMA
                  ) -> list[str]:
    """Differences between the rebuilt and live exports (empty when byte for byte equal)."""
    on, differences = queries.today(), []
    for name in ("cases", "directives", "history"):
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
    return differences


async def main_async(check: bool, bootstrap: str, database_url: str) -> int:
    """Replay, build the shadow, then swap it in or compare it with live."""
    started = time.monotonic()
    facts = await read_topics(bootstrap)
    conn = await asyncpg.connect(database_url)
    try:
        # One rebuild or check at a time: they share the shadow schema.
        await conn.execute("SELECT pg_advisory_lock($1)", advisory_key("casetrack.reporting.rebuild"))
        await build_shadow(conn, facts)
        if check:
            differences = await compare(conn)
            await conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE")
            for difference in differences:
                print(difference, file=sys.stderr)
            print("check: rebuilt and live read models "
                  + ("differ" if differences else "are identical"))
            return 1 if differences else 0
        caught_up = await swap_in(conn)
    finally:
        await conn.close()
    print(f"rebuild: {len(facts)} events replayed, {caught_up} applied live meanwhile, "
          f"swapped in after {time.monotonic() - started:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="compare a rebuild with the live read models; exit 1 on a difference")
    args = parser.parse_args(argv)
    settings = get_settings()
    return asyncio.run(main_async(args.check, settings.kafka_bootstrap_servers,
                                  settings.database_url))


if __name__ == "__main__":
    sys.exit(main())
