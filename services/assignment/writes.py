"""The shape of every assignment write: the command pipeline, under assignment's planning lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.assignment import tables
from services.assignment.planner import Planner
from services.runtime.commands import WriteResult
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import UnitOfWork

Claim = IdempotencyClaim | None


async def transact(planner: Planner, claim: Claim,
                   body: Callable[[UnitOfWork], Awaitable[WriteResult]]) -> WriteResult:
    """Run a write as one unit of work that plans under the planning lock."""

    async def work(unit: UnitOfWork) -> WriteResult:
        await tables.lock_planning(await unit.transaction())
        return await body(unit)

    return await planner.pipeline().run(work, claim)
