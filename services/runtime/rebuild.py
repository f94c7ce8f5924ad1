"""Rebuilding a service's read tables: replay the topics from the start, build fresh tables in a
shadow schema made by the service's own migrations, then compare them with live or swap them in.

What each service projects is its own; this module holds what every rebuild runs on: the topic
replay (aiokafka, no group), the progress bar, the shadow schema, the table comparison and the
atomic swap.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TextIO, TypeAlias

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from events import EventEnvelope
from services.runtime.consumer import decode_envelope
from services.runtime.db import app_role

QUIET_SECONDS = 0.5
"""A replay stops once past the reported end offsets and a poll has brought nothing for this
long (Tansu reports end offsets too low after multi-record batches, so they are only a hint)."""

CHASE_SECONDS = 5.0
"""How long a replay past the reported end offsets goes on reading while records keep coming
(the end offsets are too low on Tansu, so the backlog can outlast them; live traffic never ends)."""

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class Progress:
    """A one-line progress bar with events/s and ETA, redrawn at most five times a second."""

    def __init__(self, total: int, out: TextIO = sys.stderr, label: str = "replaying") -> None:
        self.total, self.done, self.out, self.label = max(total, 1), 0, out, label
        self.started = self.drawn = time.monotonic()

    def advance(self, count: int) -> None:
        """Count events read and redraw when due."""
        self.done += count
        if time.monotonic() - self.drawn >= 0.2:
            self.draw()

    def rate(self) -> float:
        """Events per second so far."""
        return self.done / max(time.monotonic() - self.started, 1e-6)

    def draw(self, final: bool = False) -> None:
        """Draw the bar: done/total, rate, ETA."""
        self.drawn = time.monotonic()
        rate = self.rate()
        total = max(self.total, self.done)
        eta = (total - self.done) / rate if rate else 0.0
        filled = int(30 * self.done / total)
        line = (f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{total} "
                f"events {rate:,.0f} ev/s ETA {int(eta) // 60:02d}:{int(eta) % 60:02d}")
        self.out.write(line + ("\n" if final else ""))
        self.out.flush()


def decode(value: bytes | None) -> EventEnvelope | None:
    """An envelope a live consumer would apply; None for what it dead-letters."""
    try:
        return decode_envelope(value)
    except Exception:  # the live consumers dead-letter these
        return None


class TopicReplay:
    """Every partition of some topics, read from the start without a consumer group."""

    def __init__(self, bootstrap: str, topics: Sequence[str], quiet: float = QUIET_SECONDS,
                 out: TextIO = sys.stderr) -> None:
        self.topics, self.quiet, self.out = tuple(topics), quiet, out
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
            auto_offset_reset="earliest", fetch_max_wait_ms=50,
            max_partition_fetch_bytes=4 * 1024 * 1024)
        self.partitions: list[TopicPartition] = []
        self.progress = Progress(0, out)

    async def __aenter__(self) -> TopicReplay:
        await self.consumer.start()
        await self.consumer.topics()
        self.partitions = [TopicPartition(t, p) for t in self.topics
                           for p in sorted(self.consumer.partitions_for_topic(t) or ())]
        self.consumer.assign(self.partitions)
        await self.consumer.seek_to_beginning(*self.partitions)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def batches(self, max_records: int = 5000) -> AsyncIterator[list[Record]]:
        """Fetched records, in order per partition, until caught up (then `batches` again reads
        what came since): past the end offsets reported at the start and then either a quiet
        poll, or `CHASE_SECONDS` of chasing traffic that keeps coming (what comes after is a
        rebuild's catch-up's business)."""
        ends = await self.consumer.end_offsets(self.partitions)
        self.progress.total = max(self.progress.total, sum(ends.values()))
        idle_since, passed_ends_at = time.monotonic(), None
        while True:
            fetched = await self.consumer.getmany(timeout_ms=200, max_records=max_records)
            records = [r for batch in fetched.values() for r in batch]
            now = time.monotonic()
            if passed_ends_at is None and await self._past(ends):
                passed_ends_at = now
            if records:
                idle_since = now
                self.progress.advance(len(records))
                yield records
                if passed_ends_at is None or now - passed_ends_at < CHASE_SECONDS:
                    continue
            elif now - idle_since < (self.quiet if passed_ends_at else self.quiet * 5):
                continue
            self.progress.draw(final=True)
            return

    async def _past(self, ends: dict[TopicPartition, int]) -> bool:
        positions = [await self.consumer.position(tp) for tp in self.partitions]
        return all(p >= ends[tp] for p, tp in zip(positions, self.partitions, strict=True))


@dataclass(frozen=True)
class Table:
    """A read table as a rebuild writes and compares it."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    volatile: tuple[str, ...] = ()
    """Columns that record when a row was processed, not what the log says: not compared."""

    @property
    def compared(self) -> tuple[str, ...]:
        """The columns a check compares."""
        return tuple(c for c in self.columns if c not in self.volatile)


async def create_shadow(conn: asyncpg.Connection, service: str, shadow: str,
                        scripts: Iterable[str]) -> None:
    """A fresh schema holding the empty read tables, made by the service's own migrations."""
    role = app_role(service)
    await conn.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
    await conn.execute(f"CREATE SCHEMA {shadow}")
    await conn.execute(f"GRANT USAGE ON SCHEMA {shadow} TO {role}")
    folder = resources.files("infra").joinpath("migrations", service)
    for script in scripts:
        sql = folder.joinpath(script).read_text("utf-8")
        await conn.execute(sql.replace("{schema}", shadow).replace("{role}", role))


async def copy_rows(conn: asyncpg.Connection, schema: str, table: Table,
                    rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows (in the table's column order) into a table."""
    await conn.copy_records_to_table(table.name, schema_name=schema, columns=list(table.columns),
                                     records=rows)


async def compare_tables(conn: asyncpg.Connection, tables: Iterable[Table], shadow: str,
                         live: str) -> list[str]:
    """The first difference of each table between the rebuilt and live schemas (none: equal)."""
    differences: list[str] = []
    for table in tables:
        cols, order = ", ".join(table.compared), ", ".join(table.key)
        sides = {}
        for name, this, other in (("rebuilt", shadow, live), ("live", live, shadow)):
            sides[name] = await conn.fetch(
                f"""SELECT * FROM (SELECT {cols} FROM {this}.{table.name}
                    EXCEPT ALL SELECT {cols} FROM {other}.{table.name}) d
                    ORDER BY {order} LIMIT 1""")
        if not sides["rebuilt"] and not sides["live"]:
            continue
        counts = [await conn.fetchval(f"SELECT count(*) FROM {s}.{table.name}")
                  for s in (shadow, live)]
        differences.append(
            f"{table.name} differs: rebuilt {counts[0]} rows, live {counts[1]} rows; first "
            f"difference:\n  rebuilt: {_shown(sides['rebuilt'])}\n  live:    {_shown(sides['live'])}")
    return differences


def _shown(rows: Sequence[asyncpg.Record]) -> str:
    return dict(rows[0]).__repr__() if rows else "<none>"


async def swap_in(conn: asyncpg.Connection, tables: Sequence[str], shadow: str, live: str,
                  catch_up: Callable[[asyncpg.Connection], Awaitable[int]]) -> int:
    """In one transaction: keep writers out of the live tables, let `catch_up` bring the shadow
    up to what live applied meanwhile, then move the shadow's tables in; what was caught up."""
    retired = f"{live}_retired"
    async with conn.transaction():
        for table in tables:
            await conn.execute(f"LOCK TABLE {live}.{table} IN EXCLUSIVE MODE")
        caught_up = await catch_up(conn)
        await conn.execute(f"DROP SCHEMA IF EXISTS {retired} CASCADE")
        await conn.execute(f"CREATE SCHEMA {retired}")
        for table in tables:
            await conn.execute(f"ALTER TABLE {live}.{table} SET SCHEMA {retired}")
            await conn.execute(f"ALTER TABLE {shadow}.{table} SET SCHEMA {live}")
        await conn.execute(f"DROP SCHEMA {retired} CASCADE")
        await conn.execute(f"DROP SCHEMA {shadow} CASCADE")
    return caught_up


def check_requested(description: str | None, argv: Sequence[str] | None) -> bool:
    """Parse a rebuild's command line; whether it asks for `--check`."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="compare a rebuild with the live tables; exit 1 on a difference")
    return bool(parser.parse_args(argv).check)


def report_check(differences: Sequence[str], what: str) -> int:
    """Print a check's outcome; its exit status."""
    for difference in differences:
        print(difference, file=sys.stderr)
    print(f"check: rebuilt and live {what} " + ("differ" if differences else "are identical"))
    return 1 if differences else 0
