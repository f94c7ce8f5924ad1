"""A stream log on the caller's connection: chain events onto a stream, store and read them.

Everything here runs inside a transaction the caller holds, so a consumer appends with the
connection that records its processed mark; `EventStore` adds the pool for everything else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from events import (
    GENESIS_HASH,
    REGISTRY,
    Actor,
    EventEnvelope,
    EventPayload,
    new_event_id,
)
from services.runtime.db import Conn

EVENT_COLUMNS = (
    "stream_id, stream_type, version, event_id, event_type, schema_version, occurred_at,"
    " recorded_at, actor, correlation_id, causation_id, payload, prev_hash, hash"
)
_STREAM_CONSTRAINT = "events_stream_version"
_ANSWER_CONSTRAINT = "idempotency_keys_pkey"


class ConcurrencyConflict(Exception):
    """The stream moved on since the caller read it."""

    def __init__(self, stream_id: str, expected: int, current: int | None) -> None:
        at = "moved past it" if current is None else f"is at version {current}"
        super().__init__(f"stream {stream_id} {at}, expected version {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current = current


class OrderingHazard(Exception):
    """An append would read a stream's head after its transaction wrote, or its transaction
    wrote before taking the events table's lock: see the event store's module doc."""


class AnswerRace(Exception):
    """Another transaction answered the same idempotency key first; its answer stands."""


@dataclass(frozen=True)
class CommandContext:
    """Who asked for a change, and the request it belongs to."""

    actor: Actor
    correlation_id: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class Head:
    """Where a stream ends: its version and the hash the next event chains to."""

    version: int = 0
    hash: str = GENESIS_HASH


@dataclass(frozen=True)
class AppendResult:
    """What an append stored."""

    stream_id: str
    version: int
    envelopes: tuple[EventEnvelope, ...] = field(default_factory=tuple)


_COLUMN_TYPES = ("text", "text", "int", "uuid", "text", "int", "timestamptz", "timestamptz",
                 "jsonb", "text", "text", "jsonb", "text", "text")
"""The SQL types of EVENT_COLUMNS, in order."""


def _write_sql(schema: str, notify: bool) -> str:
    """One statement: insert the events and a key's answer, and (`notify`) wake the relay.

    Arguments: the channel if `notify`, then one array per event column, then the answer's five.
    """
    first = 2 if notify else 1
    arrays = ", ".join(f"${first + i}::{t}[]" for i, t in enumerate(_COLUMN_TYPES))
    p, k, h, status, body = range(first + len(_COLUMN_TYPES), first + len(_COLUMN_TYPES) + 5)
    woken = """
        LEFT JOIN LATERAL (SELECT pg_notify($1, '') WHERE s.n > 0) AS woken ON true"""
    return f"""
        WITH stored AS (
            INSERT INTO {schema}.events ({EVENT_COLUMNS})
            SELECT * FROM unnest({arrays})
            RETURNING 1),
        answered AS (
            INSERT INTO {schema}.idempotency_keys
                (principal, key, request_hash, state, response_status, response_body, completed_at)
            SELECT ${p}, ${k}, ${h}, 'done', ${status}, ${body}::jsonb, now()
            WHERE ${p}::text IS NOT NULL
            RETURNING 1)
        SELECT s.n FROM (SELECT count(*) AS n FROM stored) AS s{woken if notify else ""}"""


def _columns_of(sealed: Sequence[EventEnvelope]) -> list[list[Any]]:
    """The sealed envelopes as one array per column, for `unnest`."""
    if not sealed:
        return [[] for _ in range(14)]
    rows = [
        (e.stream_id, e.stream_type, e.version, e.event_id, e.event_type, e.schema_version,
         e.occurred_at, e.recorded_at, e.actor.model_dump_json(),
         e.correlation_id, e.causation_id, orjson.dumps(e.payload).decode(),
         e.prev_hash, e.hash)
        for e in sealed
    ]
    return [list(column) for column in zip(*rows, strict=True)]


def row_to_envelope(row: asyncpg.Record) -> EventEnvelope:
    return EventEnvelope(
        position=row["position"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        actor=Actor.model_validate(json.loads(row["actor"])),
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        payload=json.loads(row["payload"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def seal(head: Head, stream_id: str, stream_type: str, events: Sequence[EventPayload],
         context: CommandContext, occurred_at: datetime | None = None) -> list[EventEnvelope]:
    """Envelopes for events appended after `head`, each chained to the one before."""
    now = datetime.now(UTC)
    sealed: list[EventEnvelope] = []
    prev_hash = head.hash
    for offset, event in enumerate(events, start=1):
        event_type, schema_version, payload = REGISTRY.encode(event)
        envelope = EventEnvelope.seal(
            prev_hash=prev_hash, stream_id=stream_id, stream_type=stream_type,
            version=head.version + offset, event_id=new_event_id(), event_type=event_type,
            schema_version=schema_version, occurred_at=occurred_at or now, recorded_at=now,
            actor=context.actor, correlation_id=context.correlation_id,
            causation_id=context.causation_id, payload=payload,
        )
        sealed.append(envelope)
        prev_hash = envelope.hash
    return sealed


class StreamLog:
    """A service's `events` table, used on a connection the caller holds."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.notify_channel = f"{schema}_events"
        self._write = {notify: _write_sql(schema, notify) for notify in (True, False)}
        self._lock = f"LOCK TABLE {schema}.events IN ROW EXCLUSIVE MODE"
        self._unlocked_writer = f"""CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN false
            ELSE NOT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid()
                AND locktype = 'relation' AND relation = '{schema}.events'::regclass
                AND mode = 'RowExclusiveLock' AND granted) END"""

    async def write(self, conn: Conn, sealed: Sequence[EventEnvelope],
                    answer: tuple[Any, ...] = (None,) * 5, *, notify: bool = True) -> None:
        """Store sealed envelopes (of any streams) and a key's answer in one statement.

        `notify`: the statement wakes the relay itself. Writers that commit often pass False and
        wake it after their commit instead (`wakeup.py` says why).

        A writer that lost the race for a stream version raises ConcurrencyConflict, one that
        lost the race for an idempotency key AnswerRace; either way the transaction is spoilt
        and the caller must roll it back.
        """
        try:
            channel = (self.notify_channel,) if notify else ()
            await conn.fetchval(self._write[notify], *channel, *_columns_of(sealed), *answer)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == _ANSWER_CONSTRAINT:
                raise AnswerRace() from exc
            if exc.constraint_name != _STREAM_CONSTRAINT:
                raise
            lost = sealed[0]  # the version another writer took first is not known here
            raise ConcurrencyConflict(lost.stream_id, lost.version - 1, None) from exc

    async def lock_in(self, conn: Conn, *, fresh: bool = False) -> None:
        """Take the events table's write lock for the caller's transaction, before it writes
        anything else (the relay's visibility horizon counts only writers holding it; see
        eventstore). Raises OrderingHazard if the transaction wrote already without it: it must
        commit first. `fresh`: the transaction has just begun, nothing to check."""
        if not fresh and await conn.fetchval(f"SELECT {self._unlocked_writer}"):
            raise OrderingHazard("this transaction wrote before it took the events table's lock")
        await conn.execute(self._lock)

    async def append_in(
        self, conn: Conn, stream_id: str, stream_type: str, expected_version: int | None,
        events: Sequence[EventPayload], context: CommandContext, *,
        occurred_at: datetime | None = None, serialised: bool = False,
    ) -> AppendResult:
        """Append inside the caller's transaction (consumers record their marks with it).

        Raises ConcurrencyConflict when the stream is not at `expected_version`, or when another
        writer took the same version meanwhile; the caller's transaction must then roll back.
        `serialised`: every writer of this stream holds a lock the caller holds too.
        """
        head, writing, unlocked = await self._head_and_writing(conn, stream_id)
        if unlocked:
            raise OrderingHazard(f"append to {stream_id} after this transaction wrote, without"
                                 " the events table's lock taken first (`lock_in`)")
        if writing and head.version > 0 and not serialised:
            raise OrderingHazard(f"append to {stream_id} after this transaction wrote")
        if expected_version is not None and head.version != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, head.version)
        sealed = seal(head, stream_id, stream_type, events, context, occurred_at)
        if sealed:
            await self.write(conn, sealed)
        return AppendResult(stream_id, head.version + len(sealed), tuple(sealed))

    async def _head_and_writing(self, conn: Conn, stream_id: str) -> tuple[Head, bool, bool]:
        """A stream's head, whether the caller's transaction has written already, and whether it
        wrote without the events table's lock (`pg_locks` is read only if it wrote)."""
        row = await conn.fetchrow(
            f"""SELECT e.version, e.hash,
                    pg_current_xact_id_if_assigned() IS NOT NULL AS writing,
                    {self._unlocked_writer} AS unlocked
                FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                    SELECT version, hash FROM {self.schema}.events WHERE stream_id = $1
                    ORDER BY version DESC LIMIT 1) AS e ON true""",
            stream_id,
        )
        assert row is not None
        head = Head(row["version"], row["hash"]) if row["version"] is not None else Head()
        return head, bool(row["writing"]), bool(row["unlocked"])

    async def head_in(self, conn: Conn, stream_id: str) -> Head:
        """A stream's head as committed now."""
        row = await conn.fetchrow(
            f"SELECT version, hash FROM {self.schema}.events WHERE stream_id = $1"
            " ORDER BY version DESC LIMIT 1",
            stream_id,
        )
        return Head(row["version"], row["hash"]) if row else Head()

    async def load_in(
        self, conn: Conn, stream_id: str, *, as_of: datetime | None = None, after_version: int = 0
    ) -> list[EventEnvelope]:
        """`load` on the caller's connection; only versions after `after_version`."""
        query = (f"SELECT position, {EVENT_COLUMNS} FROM {self.schema}.events"
                 " WHERE stream_id = $1 AND version > $2")
        args: list[Any] = [stream_id, after_version]
        if as_of is not None:
            query += " AND recorded_at <= $3"
            args.append(as_of)
        rows = await conn.fetch(query + " ORDER BY version", *args)
        return [row_to_envelope(r) for r in rows]
