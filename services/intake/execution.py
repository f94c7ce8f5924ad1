"""How every intake write runs: load, check visibility and version, decide, append, respond."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from events import REGISTRY, EventEnvelope, EventPayload
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult, conflict_problem
from services.runtime.db import Conn
from services.runtime.eventstore import AppendResult, CommandContext, ConcurrencyConflict, EventStore
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.problems import Problem

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")

RACE_RETRIES = 3
"""Writes without If-Match/expected_version are last-writer: re-decided this often on a race."""


@dataclass(frozen=True)
class Expected:
    """The version a caller expects: from If-Match (412 on mismatch) or expected_version (409)."""

    version: int | None = None
    precondition: bool = False

    @classmethod
    def of(cls, if_match: int | None, expected_version: int | None) -> Expected:
        """If-Match wins over a body's expected_version; neither means last-writer."""
        if if_match is not None:
            return cls(if_match, True)
        return cls(expected_version, False)


@dataclass(frozen=True)
class Kind(Generic[StateT, CommandT]):
    """One aggregate type as the write path needs it."""

    stream_type: str
    noun: str
    empty: Callable[[str], StateT]
    evolve: Callable[[StateT, EventEnvelope, EventPayload], StateT]
    decide: Callable[[StateT, CommandT], list[EventPayload]]
    region_of: Callable[[StateT], str | None]
    exists: Callable[[StateT], bool]
    version_of: Callable[[StateT], int]

    def replay(self, state: StateT, envelopes: Sequence[EventEnvelope]) -> StateT:
        """Fold envelopes onto a state."""
        for envelope in envelopes:
            payload = REGISTRY.decode(envelope.event_type, envelope.schema_version,
                                      envelope.payload)
            state = self.evolve(state, envelope, payload)
        return state


Also = Callable[[Conn, AppendResult], Awaitable[None]]
ContextFor = Callable[[str | None], CommandContext]


async def load_visible(store: EventStore, conn: Conn, kind: Kind[StateT, Any],
                       principal: Principal, stream_id: str, as_of: Any = None) -> StateT:
    """A subject the caller may see, or 404 (also for other regions' subjects)."""
    state = kind.replay(kind.empty(stream_id), await store.load_in(conn, stream_id, as_of=as_of))
    if not kind.exists(state) or not principal.can_see(kind.region_of(state)):
        raise Problem(404, "Not Found", f"no {kind.noun} {stream_id}")
    return state


async def execute(
    store: EventStore,
    kind: Kind[StateT, CommandT],
    principal: Principal,
    stream_id: str,
    expected: Expected,
    command: CommandT,
    context_for: ContextFor,
    claim: IdempotencyClaim | None,
    view: Callable[[StateT], dict[str, Any]],
    *,
    also: Callable[[Conn, StateT], Awaitable[None]] | None = None,
    status: int = 200,
) -> WriteResult:
    """Decide a command against a visible subject and append its events atomically."""
    for attempt in range(RACE_RETRIES):
        async with store.pool.acquire() as conn, conn.transaction():
            if expected.version is None:
                await store.lock_in(conn)  # last-writer: decide on the state nobody can change
            state = await load_visible(store, conn, kind, principal, stream_id)
            current = kind.version_of(state)
            if expected.version is not None and expected.version != current:
                raise conflict_problem(ConcurrencyConflict(stream_id, expected.version, current),
                                       precondition=expected.precondition)
            events = kind.decide(state, command)

            def respond(result: AppendResult, before: StateT = state) -> tuple[int, dict[str, Any]]:
                return status, view(kind.replay(before, result.envelopes))

            async def side_effect(conn: Conn, _: AppendResult, before: StateT = state) -> None:
                if also is not None:
                    await also(conn, before)

            try:
                result = await store.append_in(
                    conn, stream_id, kind.stream_type, current, events,
                    context_for(kind.region_of(state)), idempotency=claim,
                    response_for=respond, also=side_effect)
            except ConcurrencyConflict as exc:
                if expected.version is not None or attempt == RACE_RETRIES - 1:
                    raise conflict_problem(exc, precondition=expected.precondition) from None
                continue
            return respond(result)
    raise AssertionError("unreachable")
