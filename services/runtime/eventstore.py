"""The one write path: append events to a stream under an optimistic lock, hash-chained."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from events import (
    GENESIS_HASH,
    REGISTRY,
    Actor,
    EventEnvelope,
    EventPayload,
    new_event_id,
)
from services.runtime.db import Conn, advisory_key
from services.runtime.idempotency import IdempotencyClaim, complete_claim

_COLUMNS = (
    "stream_id, stream_type, version, event_id, event_type, schema_version, occurred_at,"
    " recorded_at, actor, correlation_id, causation_id, payload, prev_hash, hash"
)


class ConcurrencyConflict(Exception):
    """The stream moved on since the caller read it."""

    def __init__(self, stream_id: str, expected: int, current: int) -> None:
        super().__init__(f"stream {stream_id} is at version {current}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current = current


@dataclass(frozen=True)
class CommandContext:
    """Who asked for a change, and the request it belongs to."""

    actor: Actor
    correlation_id: str | None = None
    causation_id: str | None = None


@dataclass(frozen=True)
class AppendResult:
    """What an append stored."""

    stream_id: str
    version: int
    envelopes: tuple[EventEnvelope, ...] = field(default_factory=tuple)


def _insert_sql(schema: str) -> str:
    """One statement: take the append lock, insert the rows, notify; returns rows stored."""
    return f"""
        WITH appending AS (SELECT pg_advisory_xact_lock($1)),
        stored AS (
            INSERT INTO {schema}.events ({_COLUMNS})
            SELECT r.* FROM appending, unnest(
                $3::text[], $4::text[], $5::int[], $6::uuid[], $7::text[], $8::int[],
                $9::timestamptz[], $10::timestamptz[], $11::jsonb[], $12::text[], $13::text[],
                $14::jsonb[], $15::text[], $16::text[]) AS r
            ON CONFLICT (stream_id, version) DO NOTHING
            RETURNING 1)
        SELECT count(*) FROM stored, LATERAL pg_notify($2, '') AS n"""


def _columns_of(sealed: Sequence[EventEnvelope]) -> list[list[Any]]:
    """The sealed envelopes as one array per column, for `unnest`."""
    rows = [
        (e.stream_id, e.stream_type, e.version, e.event_id, e.event_type, e.schema_version,
         e.occurred_at, e.recorded_at, json.dumps(e.actor.model_dump(mode="json")),
         e.correlation_id, e.causation_id, json.dumps(e.payload, ensure_ascii=False),
         e.prev_hash, e.hash)
        for e in sealed
    ]
    return [list(column) for column in zip(*rows, strict=True)]


def _row_to_envelope(row: asyncpg.Record) -> EventEnvelope:
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


ResponseFor = Callable[[AppendResult], tuple[int, dict[str, Any]]]


class EventStore:
    """A service's event store: `events` in its own schema, appends serialised per service."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        self._lock = advisory_key(f"casetrack.events.{schema}")
        self.notify_channel = f"{schema}_events"

    async def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[EventPayload],
        context: CommandContext,
        *,
        idempotency: IdempotencyClaim | None = None,
        response_for: ResponseFor | None = None,
        occurred_at: datetime | None = None,
        also: Callable[[Conn, AppendResult], Awaitable[None]] | None = None,
    ) -> AppendResult:
        """Append events at `expected_version` (None: any); raise ConcurrencyConflict if moved."""
        async with self.pool.acquire() as conn, conn.transaction():
            return await self.append_in(
                conn, stream_id, stream_type, expected_version, events, context,
                idempotency=idempotency, response_for=response_for,
                occurred_at=occurred_at, also=also,
            )

    async def append_in(
        self,
        conn: Conn,
        stream_id: str,
        stream_type: str,
        expected_version: int | None,
        events: Sequence[EventPayload],
        context: CommandContext,
        *,
        idempotency: IdempotencyClaim | None = None,
        response_for: ResponseFor | None = None,
        occurred_at: datetime | None = None,
        also: Callable[[Conn, AppendResult], Awaitable[None]] | None = None,
    ) -> AppendResult:
        """Append inside the caller's transaction (consumers record their offsets with it).

        The head is read and the events sealed before the service's append lock is taken, so
        the lock covers one statement and the commit; `UNIQUE (stream_id, version)` refuses a
        writer whose head moved meanwhile. With no expected version the lock is taken first,
        so "any version" never loses a race.
        """
        if expected_version is None:
            await self.lock_in(conn)
        head = await conn.fetchrow(
            f"SELECT version, hash FROM {self.schema}.events WHERE stream_id = $1"
            " ORDER BY version DESC LIMIT 1",
            stream_id,
        )
        current = head["version"] if head else 0
        if expected_version is not None and current != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, current)
        sealed = self._seal(stream_id, stream_type, current, head["hash"] if head else GENESIS_HASH,
                            events, context, occurred_at)
        result = AppendResult(stream_id, current + len(sealed), tuple(sealed))
        if also is not None:
            await also(conn, result)
        if idempotency is not None and response_for is not None:
            status, body = response_for(result)
            await complete_claim(conn, self.schema, idempotency, status, body)
        if sealed:
            # Held to commit: positions become visible in the order they were taken.
            stored = await conn.fetchval(_insert_sql(self.schema), self._lock,
                                         self.notify_channel, *_columns_of(sealed))
            if stored != len(sealed):
                moved = await conn.fetchval(
                    f"SELECT max(version) FROM {self.schema}.events WHERE stream_id = $1",
                    stream_id)
                raise ConcurrencyConflict(stream_id, current, int(moved or current))
        return result

    def _seal(self, stream_id: str, stream_type: str, current: int, prev_hash: str,
              events: Sequence[EventPayload], context: CommandContext,
              occurred_at: datetime | None) -> list[EventEnvelope]:
        now = datetime.now(UTC)
        sealed: list[EventEnvelope] = []
        for offset, event in enumerate(events, start=1):
            event_type, schema_version, payload = REGISTRY.encode(event)
            envelope = EventEnvelope.seal(
                prev_hash=prev_hash, stream_id=stream_id, stream_type=stream_type,
                version=current + offset, event_id=new_event_id(), event_type=event_type,
                schema_version=schema_version, occurred_at=occurred_at or now, recorded_at=now,
                actor=context.actor, correlation_id=context.correlation_id,
                causation_id=context.causation_id, payload=payload,
            )
            sealed.append(envelope)
            prev_hash = envelope.hash
        return sealed

    async def lock_in(self, conn: Conn) -> None:
        """Hold the service's append lock until the caller's transaction ends.

        A writer that reads, decides and appends without an expected version takes it before
        reading, so no other append can slip in between (append_in re-takes it harmlessly).
        """
        await conn.execute("SELECT pg_advisory_xact_lock($1)", self._lock)

    async def load(self, stream_id: str, *, as_of: datetime | None = None) -> list[EventEnvelope]:
        """Every event of a stream in version order, or those recorded up to `as_of`."""
        async with self.pool.acquire() as conn:
            return await self.load_in(conn, stream_id, as_of=as_of)

    async def load_in(
        self, conn: Conn, stream_id: str, *, as_of: datetime | None = None
    ) -> list[EventEnvelope]:
        """`load` on the caller's connection."""
        query = f"SELECT position, {_COLUMNS} FROM {self.schema}.events WHERE stream_id = $1"
        args: list[Any] = [stream_id]
        if as_of is not None:
            query += " AND recorded_at <= $2"
            args.append(as_of)
        rows = await conn.fetch(query + " ORDER BY version", *args)
        return [_row_to_envelope(r) for r in rows]

    async def read_after(self, position: int, limit: int = 500) -> list[EventEnvelope]:
        """Events after a global position, in position order (the relay's feed)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT position, {_COLUMNS} FROM {self.schema}.events"
                " WHERE position > $1 ORDER BY position LIMIT $2",
                position,
                limit,
            )
        return [_row_to_envelope(r) for r in rows]

    async def head_position(self) -> int:
        """The highest position stored."""
        async with self.pool.acquire() as conn:
            value = await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {self.schema}.events")
        return int(value)
