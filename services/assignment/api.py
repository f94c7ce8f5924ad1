"""assignment's HTTP edge: roster, manual assignment, assignment state and workload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from events import Region
from services.assignment import handlers, queries, roster_handlers
from services.assignment.planner import Planner
from services.assignment.schemas import (
    AssignmentView,
    AssignRequest,
    ChangeOfficeRequest,
    ChangeOfficerRequest,
    EnrollOfficerRequest,
    OfficerView,
    OfficeView,
    OpenOfficeRequest,
    OptionalReasonRequest,
    ReasonRequest,
    WorkloadView,
)
from services.assignment.settings import get_assignment_settings
from services.assignment.writes import Claim
from services.runtime.auth import CurrentPrincipal, Principal
from services.runtime.clock import today
from services.runtime.commands import (
    WriteResult,
    command_context,
    etag,
    parse_if_match,
    run_write,
)
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.eventstore import CommandContext
from services.runtime.fields import IDEMPOTENT, IfMatch, PathId, QueryText

router = APIRouter(prefix="/v1", tags=["assignment"])
RegionQuery = Annotated[Region | None, Query(description="only this region")]
OfficeQuery = Annotated[QueryText, Query(description="only this office")]
VersionedWrite = Callable[[Planner, CommandContext, int | None, Claim], Awaitable[WriteResult]]


def _planner(runtime: ServiceRuntime) -> Planner:
    return runtime.part(Planner)


async def _change(request: Request, principal: Principal, runtime: ServiceRuntime,
                  if_match: str | None, write: VersionedWrite) -> Response:
    """Run a write on an existing stream at the version the caller's If-Match names."""
    planner, context = _planner(runtime), command_context(request, principal)
    version = parse_if_match(if_match)
    return await run_write(request, principal, lambda c: write(planner, context, version, c))


@router.post("/offices", status_code=201, response_model=OfficeView, dependencies=IDEMPOTENT)
async def open_office(body: OpenOfficeRequest, request: Request, principal: CurrentPrincipal,
                      runtime: Runtime) -> Response:
    """Open an office (admin; supervisors for their own regions' project offices)."""
    planner, context = _planner(runtime), command_context(request, principal,
                                                   body.region.value if body.region else None)
    return await run_write(request, principal,
                           lambda c: roster_handlers.open_office(planner, principal, body, context, c),
                           location=lambda b: f"/v1/offices/{b['id']}")


@router.get("/offices", response_model=list[OfficeView])
async def list_offices(principal: CurrentPrincipal, runtime: Runtime,
                       region: RegionQuery = None) -> list[OfficeView]:
    """Offices in the caller's regions, and national agency units."""
    async with runtime.pool.acquire() as conn:
        return await queries.offices(conn, principal, region.value if region else None)


@router.get("/offices/{office_id}", response_model=OfficeView)
async def get_office(office_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                     response: Response) -> OfficeView:
    """One office."""
    planner = _planner(runtime)
    state = await roster_handlers.read_office(planner, principal, office_id)
    response.headers["ETag"] = etag(state.version)
    return roster_handlers.office_view(state)


@router.patch("/offices/{office_id}", response_model=OfficeView, dependencies=IDEMPOTENT)
async def change_office(office_id: PathId, body: ChangeOfficeRequest, request: Request,
                        principal: CurrentPrincipal, runtime: Runtime,
                        if_match: IfMatch = None) -> Response:
    """Rename an office."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: roster_handlers.change_office(
                             p, principal, office_id, body.name, v, ctx, c))


@router.post("/offices/{office_id}/close", response_model=OfficeView, dependencies=IDEMPOTENT)
async def close_office(office_id: PathId, body: ReasonRequest, request: Request,
                       principal: CurrentPrincipal, runtime: Runtime,
                       if_match: IfMatch = None) -> Response:
    """Close an office with no active officers."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: roster_handlers.close_office(
                             p, principal, office_id, body.reason, v, ctx, c))


@router.post("/officers", status_code=201, response_model=OfficerView, dependencies=IDEMPOTENT)
async def enroll_officer(body: EnrollOfficerRequest, request: Request,
                         principal: CurrentPrincipal, runtime: Runtime) -> Response:
    """Enroll an officer (id = their login `sub`) in an office."""
    planner, context = _planner(runtime), command_context(request, principal)
    return await run_write(request, principal,
                           lambda c: roster_handlers.enroll_officer(planner, principal, body, context, c),
                           location=lambda b: f"/v1/officers/{b['id']}")


@router.get("/officers", response_model=list[OfficerView])
async def list_officers(principal: CurrentPrincipal, runtime: Runtime,
                        region: RegionQuery = None, office: OfficeQuery = None
                        ) -> list[OfficerView]:
    """Officers in the caller's regions, and of national agency units."""
    async with runtime.pool.acquire() as conn:
        return await queries.officers(conn, principal, region.value if region else None, office)


@router.get("/officers/{officer_id}", response_model=OfficerView)
async def get_officer(officer_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                      response: Response) -> OfficerView:
    """One officer."""
    planner = _planner(runtime)
    state = await roster_handlers.read_officer(planner, principal, officer_id)
    response.headers["ETag"] = etag(state.version)
    return roster_handlers.officer_view(state)


@router.patch("/officers/{officer_id}", response_model=OfficerView, dependencies=IDEMPOTENT)
async def change_officer(officer_id: PathId, body: ChangeOfficerRequest, request: Request,
                         principal: CurrentPrincipal, runtime: Runtime,
                         if_match: IfMatch = None) -> Response:
    """Change an officer's name, office, sectors or capacity."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: roster_handlers.change_officer(
                             p, principal, officer_id, body, v, ctx, c))


@router.post("/officers/{officer_id}/deactivate", response_model=OfficerView, dependencies=IDEMPOTENT)
async def deactivate_officer(officer_id: PathId, body: ReasonRequest, request: Request,
                             principal: CurrentPrincipal, runtime: Runtime,
                             if_match: IfMatch = None) -> Response:
    """Deactivate an officer; their open work is handed over by the rules."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: roster_handlers.deactivate_officer(
                             p, principal, officer_id, body.reason, v, ctx, c))


@router.post("/officers/{officer_id}/reactivate", response_model=OfficerView, dependencies=IDEMPOTENT)
async def reactivate_officer(officer_id: PathId, body: OptionalReasonRequest, request: Request,
                             principal: CurrentPrincipal, runtime: Runtime,
                             if_match: IfMatch = None) -> Response:
    """Reactivate an officer."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: roster_handlers.reactivate_officer(
                             p, principal, officer_id, body.reason, v, ctx, c))


@router.get("/assignments/{subject_id}", response_model=AssignmentView)
async def get_assignment(subject_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                         response: Response) -> AssignmentView:
    """Who holds a case or directive, by which rule or decision, and its due date."""
    async with runtime.pool.acquire() as conn:
        view = await queries.assignment(conn, runtime.event_store, principal, subject_id)
    response.headers["ETag"] = etag(view.version)
    return view


@router.post("/assignments/{subject_id}", dependencies=IDEMPOTENT)
async def assign(subject_id: PathId, body: AssignRequest, request: Request,
                 principal: CurrentPrincipal, runtime: Runtime,
                 if_match: IfMatch = None) -> Response:
    """Assign or reassign by hand (supervisor of the region); rules never override it."""
    return await _change(request, principal, runtime, if_match,
                         lambda p, ctx, v, c: handlers.assign_manually(
                             p, principal, subject_id, body, v, ctx, c))


@router.get("/workload", response_model=WorkloadView)
async def workload(principal: CurrentPrincipal, runtime: Runtime, region: RegionQuery = None,
                   office: OfficeQuery = None) -> WorkloadView:
    """Open items and overdue counts per officer in the caller's regions."""
    async with runtime.pool.acquire() as conn:
        return await queries.workload(conn, principal, region.value if region else None, office,
                                      today(runtime.clock,
                                            get_assignment_settings().clock_offset_days))
