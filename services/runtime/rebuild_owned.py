"""Rebuilding the read tables of a service that owns an event store.

Its own events come from its log in visibility order; other services' events come from the
topics, but only those its consumer has applied (`processed_events`): the live tables hold
exactly those, and an event the consumer has still to apply must find the tables as they were
before it (a registration not yet planned must find no subject, or it would never be planned).
A check compares within one snapshot of the log, the marks and the live tables; a swap catches
the shadow up under a lock that keeps the service's writers out. Nothing is emitted: a rebuild
is a pure fold of what is stored and published.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from events import EventEnvelope
from services.runtime.consumer import Delivery
from services.runtime.db import advisory_key
from services.runtime.eventstore import EventStore, LogCursor
from services.runtime.rebuild import (
    Table,
    TopicReplay,
    check_requested,
    compare_tables,
    copy_rows,
    create_shadow,
    decode,
    report_check,
    swap_in,
)
from services.runtime.settings import get_settings

Row = tuple[Any, ...]
Rows = dict[str, list[Row]]
"""Rows per table name, each in its table's column order."""


@dataclass(frozen=True)
class Source:
    """What a service's read tables are a fold of."""

    own: Sequence[EventEnvelope]
    """The service's own events, in visibility order."""
    consumed: Sequence[Delivery]
    """Other services' events its consumer applied, in the order the topics hold them."""


@dataclass(frozen=True)
class OwnedTables:
    """A service's rebuildable read tables and the pure fold that computes them."""

    service: str
    consumer: str
    topics: tuple[str, ...]
    scripts: tuple[str, ...]
    """The service's migrations that create these tables (and nothing else)."""
    tables: tuple[Table, ...]
    """In an order that COPY can fill (a table before those referring to it)."""
    fold: Callable[[Source], Rows]

    @property
    def shadow(self) -> str:
        """The schema a rebuild builds in."""
        return f"{self.service}_rebuild"


class Inputs:
    """What a rebuild has read so far: topic events by id, and the own log up to a cursor."""

    def __init__(self, spec: OwnedTables, replay: TopicReplay, store: EventStore) -> None:
        self.spec, self.replay, self.store = spec, replay, store
        self.seen: dict[UUID, Delivery] = {}
        self.own: list[EventEnvelope] = []
        self.cursor = LogCursor()

    async def read_topics(self, until: set[UUID] | None = None) -> None:
        """Read the topics on, as far as they go now or until every event of `until` is read;
        the first copy of an event wins."""
        async for records in self.replay.batches():
            for record in records:
                envelope = decode(record.value)
                if envelope is not None and envelope.event_id not in self.seen:
                    self.seen[envelope.event_id] = (envelope, record.topic)
            if until is not None and until <= self.seen.keys():
                return

    async def read_own_visible(self) -> None:
        """Read the own log on in visibility order, up to the oldest running writer."""
        while True:
            batch = await self.store.read_visible(self.cursor, limit=5000)
            if not batch.events:
                return
            self.own += batch.events
            self.cursor = batch.cursor

    async def read_own_committed(self, conn: asyncpg.Connection) -> None:
        """Read the rest of the own log that `conn`'s transaction sees committed."""
        batch = await self.store.read_committed_in(conn, self.cursor)
        self.own += batch.events
        self.cursor = batch.cursor

    async def source(self, conn: asyncpg.Connection) -> Source:
        """The events to fold: the own log read, and the topic events the consumer applied as
        `conn` sees its marks (reading the topics on for those applied since)."""
        processed = {r["event_id"] for r in await conn.fetch(
            f"SELECT event_id FROM {self.spec.service}.processed_events WHERE consumer = $1",
            self.spec.consumer)}
        if processed - self.seen.keys():
            await self.read_topics(until=processed)
        missing = processed - self.seen.keys()
        if missing:
            raise RuntimeError(f"{len(missing)} events {self.spec.consumer} applied are not on "
                               f"the topics (e.g. {next(iter(missing))}); cannot rebuild")
        return Source(list(self.own),
                      [delivery for event_id, delivery in self.seen.items()
                       if event_id in processed])


async def write_rows(conn: asyncpg.Connection, spec: OwnedTables, rows: Rows) -> None:
    """COPY every table's rows into the shadow."""
    for table in spec.tables:
        await copy_rows(conn, spec.shadow, table, rows.get(table.name, []))


async def apply_changes(conn: asyncpg.Connection, spec: OwnedTables, before: Rows,
                        after: Rows) -> int:
    """Make the shadow's rows (written as `before`) equal `after`; how many rows changed."""
    changed: dict[str, tuple[list[Row], list[Row]]] = {}
    for table in spec.tables:
        keys = [table.columns.index(k) for k in table.key]
        old = {tuple(r[i] for i in keys): r for r in before.get(table.name, [])}
        new = {tuple(r[i] for i in keys): r for r in after.get(table.name, [])}
        moved = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
        changed[table.name] = ([k for k in moved if k in old], [new[k] for k in moved if k in new])
    for table in reversed(spec.tables):  # rows referred to go last
        where = " AND ".join(f"{k} = ${i}" for i, k in enumerate(table.key, 1))
        gone = changed[table.name][0]
        if gone:
            await conn.executemany(f"DELETE FROM {spec.shadow}.{table.name} WHERE {where}", gone)
    for table in spec.tables:
        await copy_rows(conn, spec.shadow, table, changed[table.name][1])
    return sum(len(old) + len(new) for old, new in changed.values())


async def _check(conn: asyncpg.Connection, spec: OwnedTables, inputs: Inputs) -> int:
    """Fold and compare within one snapshot, building the shadow in a transaction rolled back."""
    transaction = conn.transaction(isolation="repeatable_read")
    await transaction.start()
    try:
        await inputs.read_own_committed(conn)
        rows = spec.fold(await inputs.source(conn))
        await create_shadow(conn, spec.service, spec.shadow, spec.scripts)
        await write_rows(conn, spec, rows)
        differences = await compare_tables(conn, spec.tables, spec.shadow, spec.service)
    finally:
        await transaction.rollback()
    return report_check(differences, f"{spec.service} read tables")


async def _swap(conn: asyncpg.Connection, spec: OwnedTables, inputs: Inputs) -> tuple[int, int]:
    """Build the shadow, then catch it up and swap it in under the lock; (events, caught up)."""
    first = await inputs.source(conn)
    rows = spec.fold(first)
    await create_shadow(conn, spec.service, spec.shadow, spec.scripts)
    await write_rows(conn, spec, rows)
    folded = len(first.own) + len(first.consumed)

    async def catch_up(locked: asyncpg.Connection) -> int:
        nonlocal folded
        await inputs.read_own_committed(locked)
        last = await inputs.source(locked)
        folded = len(last.own) + len(last.consumed)
        return await apply_changes(locked, spec, rows, spec.fold(last))

    caught_up = await swap_in(conn, [t.name for t in spec.tables], spec.shadow, spec.service,
                              catch_up)
    return folded, caught_up


async def rebuild(spec: OwnedTables, check: bool, bootstrap: str, database_url: str) -> int:
    """Replay and fold, then swap the rebuilt tables in or compare them with live; exit code."""
    started = time.monotonic()
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    conn = await asyncpg.connect(database_url)
    try:
        # One rebuild or check of a service at a time: they share the shadow schema.
        await conn.execute("SELECT pg_advisory_lock($1)",
                           advisory_key(f"casetrack.{spec.service}.rebuild"))
        async with TopicReplay(bootstrap, spec.topics) as replay:
            inputs = Inputs(spec, replay, EventStore(pool, spec.service))
            await inputs.read_topics()
            await inputs.read_own_visible()
            if check:
                return await _check(conn, spec, inputs)
            folded, caught_up = await _swap(conn, spec, inputs)
    finally:
        await conn.close()
        await pool.close()
    print(f"rebuild: {spec.service} read tables from {folded} events, {caught_up} rows caught "
          f"up with live, swapped in after {time.monotonic() - started:.1f}s")
    return 0


def command(spec: OwnedTables, description: str | None, argv: Sequence[str] | None) -> int:
    """A service's rebuild command line: `--check` or a swap, with the settings' servers."""
    check = check_requested(description, argv)
    settings = get_settings()
    return asyncio.run(rebuild(spec, check, settings.kafka_bootstrap_servers,
                               settings.database_url))
