"""How every intake write runs: through the runtime's command pipeline, visible subjects only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from services.intake.domain.subject import SubjectState
from services.runtime.aggregate import Aggregate
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.errors import NotFound
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, Expected, UnitOfWork
from services.runtime.results import Written

StateT = TypeVar("StateT", bound=SubjectState[Any])
CommandT = TypeVar("CommandT")


@dataclass(frozen=True)
class Kind(Generic[StateT, CommandT]):
    """One of intake's aggregate types: how to load it, decide on it and who may see it."""

    aggregate: Aggregate[StateT]
    decide: Callable[[StateT, CommandT], list[Any]]

    @property
    def stream_type(self) -> str:
        """The stream type of this kind's streams."""
        return self.aggregate.stream_type

    def visible(self, state: StateT, principal: Principal, stream_id: str) -> StateT:
        """The state if the caller may see the subject; 404 otherwise (also other regions')."""
        if not state.exists or not principal.can_see(state.region_code):
            raise NotFound(f"no {state.noun} {stream_id}")
        return state


ContextFor = Callable[[str | None], CommandContext]

SubjectChange = Callable[
    [CommandPipeline, Principal, str, Expected, CommandT, ContextFor, IdempotencyClaim | None],
    Awaitable[WriteResult]]
"""Runs one command on one subject: (pipeline, caller, subject id, expected version, command,
context, idempotency claim) to the write's result."""


async def load_visible(unit: UnitOfWork, kind: Kind[StateT, Any], principal: Principal,
                       stream_id: str) -> StateT:
    """A subject the caller may see, loaded into the unit of work, or 404."""
    return kind.visible(await unit.load(kind.aggregate, stream_id), principal, stream_id)


async def read_visible(pipeline: CommandPipeline, kind: Kind[StateT, Any], principal: Principal,
                       stream_id: str, as_of: datetime | None = None) -> StateT:
    """A subject's current state (or as recorded at `as_of`) for a query, or 404."""
    if as_of is None:
        state = await pipeline.read(kind.aggregate, stream_id)
    else:
        store: EventStore = pipeline.store
        state = kind.aggregate.fold(stream_id, await store.load(stream_id, as_of=as_of))
    return kind.visible(state, principal, stream_id)


async def execute(
    pipeline: CommandPipeline,
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
) -> WriteResult:
    """Decide a command against a visible subject and append its events in one commit."""

    async def work(unit: UnitOfWork) -> WriteResult:
        state = await load_visible(unit, kind, principal, stream_id)
        unit.expect(stream_id, expected)
        events = kind.decide(state, command)
        if also is not None:
            await also(await unit.transaction(), state)
        after: StateT = unit.append(stream_id, events, context_for(state.region_code))
        return Written(view(after))

    return await pipeline.run(work, claim)


def single_stream(kind: Kind[StateT, CommandT], view: Callable[[StateT], dict[str, Any]]
                  ) -> SubjectChange[CommandT]:
    """Any command on one visible subject of a kind, answered with the subject's view."""

    async def change(pipeline: CommandPipeline, principal: Principal, stream_id: str,
                     expected: Expected, command: CommandT, context_for: ContextFor,
                     claim: IdempotencyClaim | None) -> WriteResult:
        return await execute(pipeline, kind, principal, stream_id, expected, command,
                             context_for, claim, view)

    return change
