"""Intake's reception command handlers and the reception view."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from events import new_event_id
from services.intake import reception_queries as queries
from services.intake.domain import reception as domain
from services.intake.domain.directive import DIRECTIVE
from services.intake.domain.reception import RECEPTION, ReceptionState
from services.intake.domain.reception_commands import (
    LinkedDirective,
    ReceptionCommand,
    ScheduleReception,
)
from services.intake.execution import Kind, read_visible, single_stream
from services.intake.reception_queries import ReceptionFilter
from services.intake.reception_schemas import OfficialView, ReceptionPage, ReceptionView
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.commands import WriteResult
from services.runtime.errors import Forbidden
from services.runtime.eventstore import CommandContext
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, UnitOfWork
from services.runtime.results import Written

RECEPTIONS: Kind[ReceptionState, ReceptionCommand] = Kind(RECEPTION, domain.decide)


def reception_view(state: ReceptionState) -> ReceptionView:
    """The API's view of a reception."""
    assert state.status and state.region and state.scheduled_on
    assert state.scheduled_at and state.updated_at
    return ReceptionView(
        id=state.id, version=state.version, status=state.status.value, region=state.region,
        district=state.district, scheduled_on=state.scheduled_on, place=state.place,
        officials=[OfficialView(name=o.name, position=o.position) for o in state.officials],
        office_id=state.office_id, directive_id=state.directive_id,
        scheduled_at=state.scheduled_at, scheduled_by=state.scheduled_by,
        updated_at=state.updated_at, held_on=state.held_on,
        officials_present=[OfficialView(name=o.name, position=o.position)
                           for o in state.officials_present],
        attendance=state.attendance, cancel_reason=state.cancel_reason,
        allowed_actions=state.allowed_actions(),
    )


def _json_view(state: ReceptionState) -> dict[str, Any]:
    return reception_view(state).model_dump(mode="json")


async def schedule_reception(
    pipeline: CommandPipeline, principal: Principal, command: ScheduleReception,
    context: CommandContext, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Schedule a reception in a region the caller serves; a named directive is read in the
    same unit of work (one the caller cannot see is as absent: 422 naming `directive_id`)."""
    if not principal.can_see(command.region.value):
        raise Forbidden(f"you may not schedule receptions in {command.region.value}",
                        field="region")
    reception_id = str(new_event_id())

    async def work(unit: UnitOfWork) -> WriteResult:
        decided = command
        if command.directive is not None:
            directive = await unit.load(DIRECTIVE, command.directive.id)
            seen = directive.exists and principal.can_see(directive.region_code)
            decided = replace(command, directive=LinkedDirective(
                command.directive.id, directive.region_code if seen else None,
                directive.status if seen else None))
        events = domain.decide(unit.new(RECEPTION, reception_id), decided)
        return Written(_json_view(unit.append(reception_id, events, context)), created=True)

    return await pipeline.run(work, claim)


change_reception = single_stream(RECEPTIONS, _json_view)
"""Hold or cancel a reception."""


async def find_receptions(pipeline: CommandPipeline, principal: Principal,
                          which: ReceptionFilter, limit: int, offset: int) -> ReceptionPage:
    """A page of the receptions the caller may see that match (`which.regions` narrows)."""
    allowed = None if ALL_REGIONS in principal.regions else set(principal.regions)
    if which.regions is not None and allowed is not None:
        which = replace(which, regions=sorted(allowed & set(which.regions)))
    elif allowed is not None:
        which = replace(which, regions=sorted(allowed))
    total, streams = await queries.find_receptions(pipeline.store, which, limit, offset)
    items = [reception_view(RECEPTION.fold(s[0].stream_id, s)) for s in streams]
    return ReceptionPage(items=items, total=total, limit=limit, offset=offset)


async def load_reception(pipeline: CommandPipeline, principal: Principal, reception_id: str,
                         as_of: Any = None) -> ReceptionState:
    """A visible reception, or 404 (also for receptions of regions the caller cannot see)."""
    return await read_visible(pipeline, RECEPTIONS, principal, reception_id, as_of)
