"""What a running service holds, typed: the runtime every route and part of a service reads.

A service's own parts (intake's vault, assignment's planner) are opened by the lifespans it
composes into its app and looked up by their type, never from an untyped bag.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

import asyncpg
from fastapi import Depends, Request

from services.runtime.clock import SYSTEM_CLOCK, Clock
from services.runtime.eventstore import EventStore
from services.runtime.pipeline import CommandPipeline
from services.runtime.relay import OutboxRelay
from services.runtime.settings import Settings

T = TypeVar("T")


@dataclass
class ServiceRuntime:
    """What a running service holds: settings, its pool, and its event store if it owns one."""

    name: str
    settings: Settings
    pool: asyncpg.Pool
    store: EventStore | None = None
    relay: OutboxRelay | None = None
    pipeline: CommandPipeline | None = None
    clock: Clock = SYSTEM_CLOCK
    _parts: dict[type, object] = field(default_factory=dict, repr=False)

    @property
    def event_store(self) -> EventStore:
        """The service's event store (only services that own streams have one)."""
        if self.store is None:
            raise RuntimeError(f"{self.name} owns no event store")
        return self.store

    @property
    def commands(self) -> CommandPipeline:
        """The service's command pipeline, the one way its commands write."""
        if self.pipeline is None:
            raise RuntimeError(f"{self.name} owns no event store")
        return self.pipeline

    def provide(self, part: object) -> None:
        """Hold a part the service opened, found again by its type."""
        self._parts[type(part)] = part

    def part(self, kind: type[T]) -> T:
        """The part of this type the service's lifespan opened."""
        found = self._parts.get(kind)
        if not isinstance(found, kind):
            raise RuntimeError(f"{self.name} has no {kind.__name__}: no lifespan part opened one")
        return found


Part = Callable[[ServiceRuntime], AbstractAsyncContextManager[object]]
"""A service's own resource: opened on the runtime at start, closed at stop, in order."""


async def get_runtime(request: Request) -> ServiceRuntime:
    """The runtime of the app serving a request."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(get_runtime)]
