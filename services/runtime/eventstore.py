"""The record of truth: hash-chained appends under an optimistic lock, read back in commit order.

No lock serialises a service's appends. `UNIQUE (stream_id, version)` is the only lock between
writers (of one stream); readers that follow the whole log read in commit-visibility order
(`read_visible`: by writing transaction id, then position), so a row whose transaction commits
late is never skipped.

That order keeps each stream's versions in order only if a transaction reads the head of a
stream before it writes anything (its transaction id is assigned at its first write, so it is
then newer than the writer of the head it read). The command pipeline reads every stream first;
consumers record their marks after their effects; a writer that must append after writing
(assignment's hand-overs) holds a lock that every writer of those streams takes, and says so
with `serialised=True`. `append_in` refuses the hazard otherwise.

The visibility horizon (`visible_horizon`) is this store's own, not the cluster's: only a
transaction that holds the events table's write lock can hold the relay back, so every writer
takes that lock before its transaction has an id (`lock_in`; see `visible_horizon` for why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from events import EventEnvelope, EventPayload
from services.runtime.db import Conn
from services.runtime.streamlog import (
    EVENT_COLUMNS,
    AnswerRace,
    AppendResult,
    CommandContext,
    ConcurrencyConflict,
    Head,
    OrderingHazard,
    StreamLog,
    row_to_envelope,
    seal,
)
from services.runtime.wakeup import RelayWakeup

__all__ = [
    "AnswerRace", "AppendResult", "CommandContext", "ConcurrencyConflict", "EventStore", "Head",
    "LogCursor", "OrderingHazard", "StreamLog", "VisibleBatch", "VisibleHash", "seal",
]


@dataclass(frozen=True, order=True)
class LogCursor:
    """A place in the log's visibility order: (writing transaction id, position)."""

    tx: int = 0
    position: int = 0


@dataclass(frozen=True)
class VisibleHash:
    """What the Merkle log needs of a visible event: its id, position and chain hash."""

    event_id: UUID
    position: int
    hash: str


@dataclass(frozen=True)
class VisibleBatch:
    """Events in visibility order after a cursor, and the cursor after the last of them."""

    events: list[EventEnvelope]
    cursor: LogCursor


def visible_horizon(schema: str) -> str:
    """A statement giving the transaction id below which every row of `<schema>.events` that
    will ever commit is committed already (as text): the relay reads below it, later.

    It is the oldest transaction of the statement's snapshot S that was still running and
    holds the table's write lock (RowExclusiveLock) when the locks are read, after S was
    taken; else S's xmax. Why no row can later appear below it (at some tx_id x < horizon):
    - x was not running at S (x < xmax and not in S's running list): x had ended before S.
    - x was running at S: every writer of this table takes the lock before it gets its id
      (`lock_in`; an INSERT statement takes it when planned, before it writes), and keeps it
      to its end; so x held the lock from before S, and a running x shows in `pg_locks` read
      after S and makes the horizon <= x. Hence x had ended by the end of that read.
    - x >= xmax: not below the horizon.
    So every transaction below the horizon had ended before this statement ended, and rows
    read in a *later* statement (a newer snapshot) show all it wrote. Reading the rows in this
    same statement would be wrong: its snapshot predates the lock read. Unrelated transactions
    (other schemas, readers, writers of other tables here) no longer hold the relay back.
    Lock rows of a transaction are matched by its virtual transaction id; `pg_locks` is not one
    atomic picture, but a lock held throughout the read is always in it, which is all the
    argument needs.
    """
    return f"""
        SELECT coalesce(
            (SELECT min(x) FROM pg_snapshot_xip(s) AS x WHERE xid(x) IN (
                SELECT t.transactionid FROM pg_locks AS r JOIN pg_locks AS t
                  ON t.virtualtransaction = r.virtualtransaction
                 AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock'
                WHERE r.locktype = 'relation' AND r.relation = '{schema}.events'::regclass
                  AND r.database = (SELECT oid FROM pg_database
                                    WHERE datname = current_database())
                  AND r.mode = 'RowExclusiveLock' AND r.granted)),
            pg_snapshot_xmax(s))::text
        FROM pg_current_snapshot() AS s"""


class EventStore(StreamLog):
    """A service's event store: its stream log, with a pool for reads and writes of its own."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        super().__init__(schema)
        self.pool = pool
        self.wakeup = RelayWakeup(pool, self.notify_channel)
        self._horizon = visible_horizon(schema)

    async def append(
        self, stream_id: str, stream_type: str, expected_version: int | None,
        events: Sequence[EventPayload], context: CommandContext, *,
        occurred_at: datetime | None = None,
    ) -> AppendResult:
        """Append events at `expected_version` (None: at the head) in a transaction of its own."""
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    return await self.append_in(conn, stream_id, stream_type, expected_version,
                                                events, context, occurred_at=occurred_at)
            except ConcurrencyConflict as exc:
                if exc.current is not None:
                    raise
                head = await self.head_in(conn, stream_id)
                raise ConcurrencyConflict(stream_id, exc.expected, head.version) from None

    async def load(self, stream_id: str, *, as_of: datetime | None = None) -> list[EventEnvelope]:
        """Every event of a stream in version order, or those recorded up to `as_of`."""
        async with self.pool.acquire() as conn:
            return await self.load_in(conn, stream_id, as_of=as_of)

    async def read_visible(self, after: LogCursor, limit: int = 500) -> VisibleBatch:
        """Committed events after a cursor, in visibility order, never past a running writer.

        Only rows below the store's visibility horizon are read (see `visible_horizon`): nothing
        can later appear before the cursor.
        """
        rows = await self._visible_rows(after, limit, f"position, {EVENT_COLUMNS}")
        if not rows:
            return VisibleBatch([], after)
        return VisibleBatch([row_to_envelope(r) for r in rows],
                            LogCursor(rows[-1]["tx"], rows[-1]["position"]))

    async def read_committed_in(self, conn: Conn, after: LogCursor) -> VisibleBatch:
        """Every event after a cursor that the caller's transaction sees committed, in visibility
        order, with no bound at running writers: for a reader that keeps the writers it cares
        about out (by a lock) or reads one snapshot (a rebuild's last step)."""
        rows = await conn.fetch(
            f"""SELECT tx_id::text::bigint AS tx, position, {EVENT_COLUMNS}
                FROM {self.schema}.events
                WHERE (tx_id, position) > ($1::text::xid8, $2) ORDER BY tx_id, position""",
            str(after.tx), after.position)
        if not rows:
            return VisibleBatch([], after)
        return VisibleBatch([row_to_envelope(r) for r in rows],
                            LogCursor(rows[-1]["tx"], rows[-1]["position"]))

    async def read_visible_hashes_in(self, conn: Conn, after: LogCursor, limit: int = 500
                                     ) -> tuple[list[VisibleHash], LogCursor]:
        """`read_visible`, but only each event's id, position and chain hash (the Merkle log's
        leaves need no more, and decoding whole envelopes is most of the reading's cost), on the
        caller's connection: a reader that holds one connection never waits for a second.

        In a transaction it must be READ COMMITTED (each statement its own snapshot) and must
        not write the events table: the rows are read in a later statement than the horizon.
        """
        rows = await self._visible_rows_in(conn, after, limit, "position, event_id, hash")
        if not rows:
            return [], after
        return ([VisibleHash(r["event_id"], r["position"], r["hash"]) for r in rows],
                LogCursor(rows[-1]["tx"], rows[-1]["position"]))

    async def _visible_rows(self, after: LogCursor, limit: int, columns: str
                            ) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return await self._visible_rows_in(conn, after, limit, columns)

    async def _visible_rows_in(self, conn: Conn, after: LogCursor, limit: int, columns: str
                               ) -> list[asyncpg.Record]:
        horizon = await conn.fetchval(self._horizon)
        rows: list[asyncpg.Record] = await conn.fetch(
            f"""SELECT tx_id::text::bigint AS tx, {columns} FROM {self.schema}.events
                WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < $3::text::xid8
                ORDER BY tx_id, position LIMIT $4""",
            str(after.tx), after.position, horizon, limit,
        )
        return rows

    async def backlog(self, after: LogCursor) -> int:
        """How many stored events lie after a cursor (committed or not yet visible)."""
        async with self.pool.acquire() as conn:
            value = await conn.fetchval(
                f"SELECT count(*) FROM {self.schema}.events"
                " WHERE (tx_id, position) > ($1::text::xid8, $2)",
                str(after.tx), after.position,
            )
        return int(value)

    async def head_position(self) -> int:
        """The highest position stored."""
        async with self.pool.acquire() as conn:
            value = await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {self.schema}.events")
        return int(value)
