"""The one command pipeline: load, decide, then one transaction and one commit.

Every write of every service runs as a unit of work: the idempotency key is claimed, the streams
it touches are loaded (a cached state plus the events after it), the pure domain decides, and one
statement stores every new event together with the key's answer; one commit makes all of it
durable at once. No lock is held across the commit but the key's own and the events table's
ROW EXCLUSIVE one (which excludes no writer; it tells the relay's horizon who writes here);
writers of one stream meet only at `UNIQUE (stream_id, version)`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from asyncpg.transaction import Transaction

from events import EventEnvelope, EventPayload
from services.runtime.aggregate import Aggregate
from services.runtime.db import Conn
from services.runtime.eventstore import (
    AnswerRace,
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    Head,
    seal,
)
from services.runtime.idempotency import (
    AlreadyAnswered,
    IdempotencyClaim,
    answer_arguments,
    claim_in,
    stored_response,
)
from services.runtime.metrics import APPEND_SECONDS, COMMAND_SECONDS, COMMIT_SECONDS
from services.runtime.results import Written, http_status
from services.runtime.stream_cache import Loaded, StreamCache
from services.runtime.tracing import tracer

S = TypeVar("S")

RACE_RETRIES = 30
"""A command without an expected version is re-decided up to this often when it loses a race
(each round of racers has a winner, so this many writers at once on one stream all land)."""


@dataclass(frozen=True)
class Expected:
    """The version a caller expects: from If-Match (412 on mismatch) or expected_version (409)."""

    version: int | None = None
    precondition: bool = False

    @classmethod
    def of(cls, if_match: int | None, expected_version: int | None) -> Expected:
        """If-Match wins over a body's expected_version; neither means "at the head"."""
        if if_match is not None:
            return cls(if_match, True)
        return cls(expected_version, False)


ANY = Expected()


class StaleVersion(Exception):
    """A stream is not at the version the caller expected (or moved while it decided)."""

    def __init__(self, stream_id: str, expected: int, current: int, precondition: bool) -> None:
        super().__init__(f"stream {stream_id} is at version {current}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current = current
        self.precondition = precondition


class UnitOfWork:
    """One command's transaction: the streams it read, the events it appends, one answer.

    `conn` serves reads. A transaction is opened only when the command needs one (a key to
    hold, a row to write besides the events: `await unit.transaction()`); a command that only
    reads and appends writes everything in its one final statement, which is atomic by itself.
    """

    def __init__(self, store: EventStore, cache: StreamCache, conn: Conn) -> None:
        self.store = store
        self.conn = conn
        self._cache = cache
        self._loaded: dict[str, Loaded] = {}
        self._expected: dict[str, Expected] = {}
        self._transaction: Transaction | None = None
        self.pending: list[EventEnvelope] = []

    async def transaction(self) -> Conn:
        """The connection inside this unit's transaction (begun on first use), for writes.

        The events table's lock comes first: the unit may write a key, vault or other row
        before its events, and the relay's horizon counts only writers holding that lock.
        """
        if self._transaction is None:
            self._transaction = self.conn.transaction()
            await self._transaction.start()
            await self.store.lock_in(self.conn, fresh=True)
        return self.conn

    async def finish(self, answer: tuple[Any, ...], succeeded: bool) -> None:
        """Write what the unit appends with the key's answer and commit; or roll back."""
        if not succeeded:
            if self._transaction is not None:
                await self._transaction.rollback()
            return
        try:
            if self.pending or answer[0] is not None:
                with APPEND_SECONDS.labels(self.store.schema).time(), \
                        tracer().start_as_current_span("casetrack.append", attributes={
                            "casetrack.events": len(self.pending)}):
                    await self.store.write(self.conn, self.pending, answer, notify=False)
        except BaseException:
            if self._transaction is not None:
                await self._transaction.rollback()
            raise
        if self._transaction is not None:
            with COMMIT_SECONDS.labels(self.store.schema).time(), \
                    tracer().start_as_current_span("casetrack.commit"):
                await self._transaction.commit()
        if self.pending:  # after the commit, never inside it (wakeup.py says why)
            self.store.wakeup.committed()

    async def load(self, aggregate: Aggregate[S], stream_id: str) -> S:
        """A stream's current state: its cached state and the events after it."""
        loaded = await load_cached(self.store, self._cache, self.conn, aggregate, stream_id)
        self._loaded[stream_id] = loaded
        return loaded.state  # type: ignore[no-any-return]

    async def load_with_history(self, aggregate: Aggregate[S], stream_id: str
                                ) -> tuple[S, list[EventEnvelope]]:
        """A stream's current state and every event of it (for views that show its history)."""
        history = await self.store.load_in(self.conn, stream_id)
        state = aggregate.fold(stream_id, history)
        head = Head(history[-1].version, history[-1].hash) if history else Head()
        self._loaded[stream_id] = Loaded(aggregate, state, head)
        return state, history

    def new(self, aggregate: Aggregate[S], stream_id: str) -> S:
        """A stream this command creates (a fresh id): nothing to read."""
        state = aggregate.initial(stream_id)
        self._loaded[stream_id] = Loaded(aggregate, state, Head())
        self._expected[stream_id] = Expected(0)
        return state

    def expect(self, stream_id: str, expected: Expected) -> None:
        """Refuse (StaleVersion) unless a loaded stream is at the version the caller expects."""
        self._expected[stream_id] = expected
        head = self._loaded[stream_id].head
        if expected.version is not None and expected.version != head.version:
            raise StaleVersion(stream_id, expected.version, head.version, expected.precondition)

    def append(self, stream_id: str, events: Sequence[EventPayload], context: CommandContext,
               occurred_at: datetime | None = None) -> Any:
        """Seal events after a loaded stream's head; returns the state they lead to."""
        loaded = self._loaded[stream_id]
        sealed = seal(loaded.head, stream_id, loaded.aggregate.stream_type, events, context,
                      occurred_at)
        if not sealed:
            return loaded.state
        state = loaded.aggregate.fold(stream_id, sealed, loaded.state)
        self._loaded[stream_id] = Loaded(loaded.aggregate, state,
                                         Head(sealed[-1].version, sealed[-1].hash))
        self.pending.extend(sealed)
        return state

    def appended(self, stream_id: str) -> tuple[EventEnvelope, ...]:
        """The events this unit appends to one stream."""
        return tuple(e for e in self.pending if e.stream_id == stream_id)

    def expected_of(self, stream_id: str) -> Expected:
        """What the caller expected of a stream this unit read."""
        return self._expected.get(stream_id, ANY)

    def remember(self) -> None:
        """After the commit: the streams' new states are the cache's."""
        for stream_id, loaded in self._loaded.items():
            self._cache.put(stream_id, loaded)


async def load_cached(store: EventStore, cache: StreamCache, conn: Conn,
                      aggregate: Aggregate[Any], stream_id: str) -> Loaded:
    """A stream as committed now, read from its cached state onwards."""
    known = cache.get(aggregate.stream_type, stream_id)
    after = known.head.version if known else 0
    tail = await store.load_in(conn, stream_id, after_version=after)
    state = aggregate.fold(stream_id, tail, known.state if known else None)
    head = Head(tail[-1].version, tail[-1].hash) if tail else (known.head if known else Head())
    return Loaded(aggregate, state, head)


Work = Callable[[UnitOfWork], Awaitable[Written]]


def command_name(work: Work, unit: UnitOfWork) -> str:
    """A command's metric label: the type of the first event it appended (case.registered for
    RegisterCase), else the name of the function that ran it."""
    if unit.pending:
        return unit.pending[0].event_type
    return getattr(work, "__qualname__", "command").split(".<locals>")[0]


class CommandPipeline:
    """Runs commands as units of work against one service's event store."""

    def __init__(self, store: EventStore, cache: StreamCache | None = None) -> None:
        self.store = store
        self.cache = cache or StreamCache()

    async def read(self, aggregate: Aggregate[S], stream_id: str) -> S:
        """A stream's current state, for queries (no transaction, the cache kept warm)."""
        async with self.store.pool.acquire() as conn:
            loaded = await load_cached(self.store, self.cache, conn, aggregate, stream_id)
        self.cache.put(stream_id, loaded)
        return loaded.state  # type: ignore[no-any-return]

    async def run(self, work: Work, claim: IdempotencyClaim | None = None) -> Written:
        """Run `work` in one transaction with one commit; retry it when it lost a race.

        Raises AlreadyAnswered (with the stored answer) for a repeated idempotency key,
        StaleVersion when the caller's expected version does not hold.
        """
        schema = self.store.schema
        started = time.perf_counter()
        for attempt in range(RACE_RETRIES):
            async with self.store.pool.acquire() as conn:
                unit = UnitOfWork(self.store, self.cache, conn)
                try:
                    try:
                        if claim is not None:
                            await claim_in(await unit.transaction(), schema, claim)
                        written = await work(unit)
                    except BaseException:
                        await unit.finish((), succeeded=False)
                        raise
                    answer = answer_arguments(claim, http_status(written), written.view)
                    await unit.finish(answer, succeeded=True)
                except ConcurrencyConflict as exc:
                    expected = unit.expected_of(exc.stream_id)
                    if expected.version is None and attempt < RACE_RETRIES - 1:
                        await asyncio.sleep(random.uniform(0, 0.002) * attempt)
                        continue
                    head = await self.store.head_in(conn, exc.stream_id)
                    raise StaleVersion(exc.stream_id, exc.expected, head.version,
                                       expected.precondition) from None
                except AnswerRace:
                    assert claim is not None
                    stored = await stored_response(conn, schema, claim)
                    assert stored is not None
                    raise AlreadyAnswered(stored) from None
                unit.remember()
                COMMAND_SECONDS.labels(schema, command_name(work, unit)).observe(
                    time.perf_counter() - started)
                return written
        raise AssertionError("unreachable: the last attempt raises or returns")
