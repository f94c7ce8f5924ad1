"""The shape of every assignment write: one transaction under the write lock, errors mapped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.assignment import tables
from services.assignment.domain.errors import DomainError
from services.assignment.planner import Planner
from services.runtime.commands import WriteResult, conflict_problem
from services.runtime.db import Conn
from services.runtime.eventstore import ConcurrencyConflict
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.problems import Problem

Claim = IdempotencyClaim | None


def problem(exc: DomainError) -> Problem:
    """A domain refusal as problem+json."""
    titles = {404: "Not Found", 409: "Conflict", 422: "Unprocessable Content"}
    title = titles.get(exc.status, "Refused")
    if exc.field:
        return Problem(exc.status, title, exc.detail, field=exc.field)
    return Problem(exc.status, title, exc.detail)


async def transact(planner: Planner, if_match: int | None,
                   body: Callable[[Conn], Awaitable[WriteResult]]) -> WriteResult:
    """Run a write under the assignment write lock, mapping refusals and lost races."""
    pool = planner.store.pool
    try:
        async with pool.acquire() as conn, conn.transaction():
            await tables.lock_writes(conn)
            return await body(conn)
    except DomainError as exc:
        raise problem(exc) from None
    except ConcurrencyConflict as exc:
        raise conflict_problem(exc, precondition=if_match is not None) from None
