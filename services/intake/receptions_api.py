"""HTTP routes of citizen receptions: thin, each turns a request into one command."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from events import Official, Region
from services.intake import reception_handlers as handlers
from services.intake.api import CREATED_RESPONSES, WRITE_RESPONSES, WRITERS, context_for, day_of
from services.intake.command_routes import CommandRoute, add_command_routes, run_change
from services.intake.domain.reception_commands import (
    CancelReception,
    HoldReception,
    LinkedDirective,
    ScheduleReception,
)
from services.intake.reception_queries import ReceptionFilter
from services.intake.reception_schemas import (
    HoldReceptionRequest,
    OfficialBody,
    ReceptionPage,
    ReceptionView,
    ScheduleReceptionRequest,
)
from services.intake.schemas import ReasonRequest
from services.runtime.auth import CurrentPrincipal
from services.runtime.commands import etag, run_write
from services.runtime.context import Runtime
from services.runtime.errors import Invalid
from services.runtime.fields import (
    IDEMPOTENT,
    AsOf,
    Limit,
    Offset,
    PathId,
    PeriodDate,
    QueryText,
)

router = APIRouter(prefix="/v1/receptions", tags=["receptions"])

ReceptionId = PathId


def _officials(bodies: list[OfficialBody]) -> tuple[Official, ...]:
    return tuple(Official(name=b.name, position=b.position) for b in bodies)


@router.post("", status_code=201, response_model=ReceptionView,
             responses=CREATED_RESPONSES, dependencies=IDEMPOTENT)
async def schedule(body: ScheduleReceptionRequest, request: Request,
                   principal: CurrentPrincipal, runtime: Runtime) -> Response:
    """Schedule a citizen reception (operator, supervisor or admin of the region)."""
    principal.require(*WRITERS)
    pipeline = runtime.commands
    command = ScheduleReception(
        region=body.region, district=body.district, scheduled_on=body.scheduled_on,
        place=body.place, officials=_officials(body.officials), office_id=body.office_id,
        directive=LinkedDirective(body.directive_id, None, None) if body.directive_id else None,
        today=day_of(runtime.clock))
    context = context_for(request, principal)(body.region.value)
    return await run_write(
        request, principal,
        lambda claim: handlers.schedule_reception(pipeline, principal, command, context, claim),
        location=lambda b: f"/v1/receptions/{b['id']}")


@router.get("", response_model=ReceptionPage)
async def list_receptions(
    principal: CurrentPrincipal, runtime: Runtime,
    region: Annotated[Region | None, Query()] = None, district: QueryText = None,
    start: Annotated[PeriodDate | None, Query(alias="from", description="first day, inclusive")
                     ] = None,
    end: Annotated[PeriodDate | None, Query(alias="to", description="last day, inclusive")
                   ] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> ReceptionPage:
    """Receptions of the caller's regions by scheduled day: filter by region, district and
    days (reporting's register adds the cases registered at each and per-district totals)."""
    if start is not None and end is not None and end < start:
        raise Invalid("to is before from", field="to")
    which = ReceptionFilter([region.value] if region else None, district, start, end)
    return await handlers.find_receptions(runtime.commands, principal, which, limit, offset)


@router.get("/{reception_id}", response_model=ReceptionView)
async def get_reception(reception_id: ReceptionId, principal: CurrentPrincipal,
                        runtime: Runtime, response: Response, as_of: AsOf = None
                        ) -> ReceptionView:
    """A reception now, or as recorded at an instant."""
    state = await handlers.load_reception(runtime.commands, principal, reception_id, as_of)
    response.headers["ETag"] = etag(state.version)
    return handlers.reception_view(state)


_change = run_change(handlers.change_reception)


RECEPTION_COMMANDS = (
    CommandRoute("hold", "hold", HoldReceptionRequest, WRITERS,
                 "Record that the reception took place: the day, the officials present, the "
                 "attendance.",
                 lambda body, _, today: HoldReception(
                     held_on=body.held_on, officials_present=_officials(body.officials_present),
                     attendance=body.attendance, today=today)),
    CommandRoute("cancel", "cancel", ReasonRequest, WRITERS,
                 "Call off a scheduled reception, with the reason.",
                 lambda body, _, __: CancelReception(body.reason)),
)
add_command_routes(router, "reception_id", ReceptionView, _change, RECEPTION_COMMANDS,
                   WRITE_RESPONSES)
