"""Intake's directive command handlers and the directive view (lateness on an explicit day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from events import new_event_id
from events.calendar import kazakhstan_calendar
from services.intake.directive_schemas import DirectiveView
from services.intake.domain import directive as domain
from services.intake.domain.commands import DirectiveCommand, IssueDirective
from services.intake.domain.directive import DIRECTIVE, DirectiveState, lateness
from services.intake.execution import ContextFor, Kind, execute, read_visible
from services.intake.reception_queries import receptions_held
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.errors import Forbidden
from services.runtime.eventstore import CommandContext
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, Expected, UnitOfWork
from services.runtime.results import Written

DIRECTIVES: Kind[DirectiveState, DirectiveCommand] = Kind(DIRECTIVE, domain.decide)


def directive_view(state: DirectiveState, today: date, receptions_held: int) -> DirectiveView:
    """The API's view of a directive, overdue measured against `today` (Asia/Almaty), with the
    held receptions that name it (see `reception_handlers.receptions_held`)."""
    assert state.status and state.region and state.due_date and state.original_due_date
    assert state.issued_at and state.updated_at
    late = lateness(state, today, kazakhstan_calendar())
    assert late is not None
    return DirectiveView(
        id=state.id, version=state.version, status=state.status.value, title=state.title,
        text=state.text, issuing_authority=state.issuing_authority,
        addressee_body=state.addressee_body, region=state.region, due_date=state.due_date,
        original_due_date=state.original_due_date, effective_due_date=late.effective_due_date,
        meeting_reference=state.meeting_reference, issued_at=state.issued_at,
        issued_by=state.issued_by, updated_at=state.updated_at,
        acknowledgement=state.acknowledgement, progress=list(state.progress),
        completion_summary=state.completion_summary, reported_on=state.reported_on,
        review_id=state.review_id, findings=state.findings, extensions=state.extensions,
        cancel_reason=state.cancel_reason, as_of_date=today, overdue=late.overdue,
        days_overdue=late.days_overdue, receptions_required=state.receptions_required,
        receptions_held=receptions_held, allowed_actions=state.allowed_actions(),
    )


async def issue_directive(
    pipeline: CommandPipeline, principal: Principal, command: IssueDirective,
    context: CommandContext, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Issue a directive in a region the caller serves."""
    if not principal.can_see(command.region.value):
        raise Forbidden(f"you may not issue directives in {command.region.value}",
                      field="region")
    directive_id = str(new_event_id())

    async def work(unit: UnitOfWork) -> WriteResult:
        events = domain.decide(unit.new(DIRECTIVE, directive_id), command)
        state = unit.append(directive_id, events, context)
        return Written(directive_view(state, command.today, 0).model_dump(mode="json"),
                       created=True)

    return await pipeline.run(work, claim)


async def change_directive(
    pipeline: CommandPipeline, principal: Principal, directive_id: str, expected: Expected,
    command: DirectiveCommand, context_for: ContextFor, claim: IdempotencyClaim | None,
    today: date,
) -> WriteResult:
    """Any single-stream directive command."""
    held = await receptions_held(pipeline.store, directive_id)
    return await execute(pipeline, DIRECTIVES, principal, directive_id, expected, command,
                         context_for, claim,
                         lambda s: directive_view(s, today, held).model_dump(mode="json"))


async def load_directive(pipeline: CommandPipeline, principal: Principal, directive_id: str,
                         as_of: Any = None) -> DirectiveState:
    """A visible directive, or 404."""
    return await read_visible(pipeline, DIRECTIVES, principal, directive_id, as_of)
