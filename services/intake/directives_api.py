"""HTTP routes of directives: thin, each turns a request into one command."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from events import Role
from services.intake import directive_handlers as handlers
from services.intake.api import (
    CREATED_RESPONSES,
    SUPERVISORS,
    WRITERS,
    context_for,
    day_of,
    expected,
)
from services.intake.command_routes import CommandRoute, add_command_routes
from services.intake.directive_schemas import (
    AcknowledgeRequest,
    CompletionRequest,
    DirectiveView,
    ExtendRequest,
    IssueDirectiveRequest,
    ProgressRequest,
)
from services.intake.domain.commands import (
    AcknowledgeDirective,
    CancelDirective,
    DirectiveCommand,
    ExtendDeadline,
    IssueDirective,
    ReportCompletion,
    ReportProgress,
)
from services.intake.reception_queries import receptions_held
from services.intake.schemas import ReasonRequest
from services.runtime.auth import CurrentPrincipal, Principal
from services.runtime.commands import etag, run_write
from services.runtime.context import Runtime
from services.runtime.fields import IDEMPOTENT, AsOf, PathId

router = APIRouter(prefix="/v1/directives", tags=["directives"])

DirectiveId = PathId


@router.post("", status_code=201, response_model=DirectiveView,
             responses=CREATED_RESPONSES, dependencies=IDEMPOTENT)
async def issue(body: IssueDirectiveRequest, request: Request, principal: CurrentPrincipal,
                runtime: Runtime) -> Response:
    """Issue a directive (supervisor or admin); the due date must be after today (Almaty)."""
    principal.require(*SUPERVISORS)
    pipeline = runtime.commands
    command = IssueDirective(
        title=body.title, text=body.text, issuing_authority=body.issuing_authority,
        addressee_body=body.addressee_body, region=body.region, due_date=body.due_date,
        meeting_reference=body.meeting_reference, today=day_of(runtime.clock),
        receptions_required=body.receptions_required)
    context = context_for(request, principal)(body.region.value)
    return await run_write(
        request, principal,
        lambda claim: handlers.issue_directive(pipeline, principal, command, context, claim),
        location=lambda b: f"/v1/directives/{b['id']}")


@router.get("/{directive_id}", response_model=DirectiveView)
async def get_directive(
    directive_id: DirectiveId, principal: CurrentPrincipal, runtime: Runtime, response: Response,
    as_of: AsOf = None,
) -> DirectiveView:
    """A directive now, or as recorded at an instant; overdue is measured on that day."""
    state = await handlers.load_directive(runtime.commands, principal, directive_id, as_of)
    response.headers["ETag"] = etag(state.version)
    held = await receptions_held(runtime.commands.store, directive_id, as_of)
    return handlers.directive_view(state, day_of(runtime.clock, as_of), held)


async def _change(request: Request, principal: Principal, runtime: Runtime, directive_id: str,
                  expected_version: int | None, command: DirectiveCommand) -> JSONResponse:
    pipeline, exp = runtime.commands, expected(request, expected_version)
    ctx, day = context_for(request, principal), day_of(runtime.clock)
    return await run_write(
        request, principal,
        lambda claim: handlers.change_directive(pipeline, principal, directive_id, exp, command,
                                                ctx, claim, day))


DIRECTIVE_COMMANDS = (
    CommandRoute("acknowledge", "acknowledge", AcknowledgeRequest, WRITERS,
                 "The addressee confirms receipt.",
                 lambda body, _, __: AcknowledgeDirective(body.note)),
    CommandRoute("progress", "progress", ProgressRequest, WRITERS,
                 "The addressee reports progress.",
                 lambda body, _, __: ReportProgress(body.note)),
    CommandRoute("report", "report", CompletionRequest, WRITERS,
                 "The addressee reports completion; review verifies or returns it.",
                 lambda body, _, __: ReportCompletion(body.summary)),
    CommandRoute("extend", "extend", ExtendRequest, (Role.SUPERVISOR,),
                 "Move the due date: a supervisor other than the issuer, with a reason, within "
                 "the cap.",
                 lambda body, caller, _: ExtendDeadline(body.new_due_date, body.reason,
                                                        caller.sub)),
    CommandRoute("cancel", "cancel", ReasonRequest, SUPERVISORS,
                 "Cancel a directive (supervisor or admin), with the reason.",
                 lambda body, _, __: CancelDirective(body.reason)),
)
add_command_routes(router, "directive_id", DirectiveView, _change, DIRECTIVE_COMMANDS)
