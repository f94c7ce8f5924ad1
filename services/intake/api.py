"""intake's HTTP edge: turn requests into commands and results into responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from events import Role
from services.intake import handlers
from services.intake.schemas import CaseView, RegisterCaseRequest
from services.intake.vault import Vault
from services.runtime.auth import CurrentPrincipal
from services.runtime.commands import etag, run_write
from services.runtime.eventstore import CommandContext
from services.runtime.http import Runtime
from services.runtime.problems import Problem

router = APIRouter(prefix="/v1", tags=["cases"])

WRITERS = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)


def _context(request: Request, principal: CurrentPrincipal, region: str | None) -> CommandContext:
    return CommandContext(actor=principal.actor(region),
                          correlation_id=request.state.correlation_id,
                          causation_id=request.state.request_id)


@router.post("/cases", status_code=201, response_model=CaseView,
             responses={201: {"headers": {"ETag": {}, "Location": {}}}})
async def register_case(
    body: RegisterCaseRequest, request: Request, principal: CurrentPrincipal, runtime: Runtime
) -> Response:
    """Register a report as a case. The reporter contact is stored encrypted, never logged."""
    principal.require(*WRITERS)
    store, vault = runtime.store, runtime.extras["vault"]
    assert store is not None and isinstance(vault, Vault)
    context = _context(request, principal, body.region.value)
    return await run_write(
        runtime, request, principal,
        lambda claim: handlers.register_case(store, vault, principal, body, context, claim),
        location=lambda b: f"/v1/cases/{b['id']}",
    )


@router.get("/cases/{case_id}", response_model=CaseView)
async def get_case(
    case_id: str,
    principal: CurrentPrincipal,
    runtime: Runtime,
    response: Response,
    as_of: Annotated[datetime | None, Query(description="state as recorded at this instant")] = None,
) -> CaseView:
    """The current state of a case, or its state as of an instant."""
    if as_of is not None and as_of.tzinfo is None:
        raise Problem(422, "Invalid request", "as_of needs a time zone", field="as_of")
    assert runtime.store is not None
    state = await handlers.load_case(runtime.store, principal, case_id, as_of)
    response.headers["ETag"] = etag(state.version)
    return handlers.case_view(state)
