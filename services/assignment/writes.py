"""The shape of every assignment write: the command pipeline, under assignment's planning lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.assignment import tables
from services.assignment.domain.errors import DomainError
from services.assignment.planner import Planner
from services.runtime.commands import WriteResult
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, UnitOfWork
from services.runtime.problems import Problem

Claim = IdempotencyClaim | None


def problem(exc: DomainError) -> Problem:
    """A domain refusal as problem+json."""
    titles = {404: "Not Found", 409: "Conflict", 422: "Unprocessable Content"}
    title = titles.get(exc.status, "Refused")
    if exc.field:
        return Problem(exc.status, title, exc.detail, field=exc.field)
    return Problem(exc.status, title, exc.detail)


async def transact(planner: Planner, claim: Claim,
                   body: Callable[[UnitOfWork], Awaitable[WriteResult]]) -> WriteResult:
    """Run a write as one unit of work that plans under the planning lock; map refusals."""

    async def work(unit: UnitOfWork) -> WriteResult:
        await tables.lock_planning(unit.conn)
        return await body(unit)

    try:
        return await CommandPipeline(planner.store, planner.cache).run(work, claim)
    except DomainError as exc:
        raise problem(exc) from None
