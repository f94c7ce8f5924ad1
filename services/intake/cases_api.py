"""HTTP routes of cases: thin, each turns a request into one command."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from events import Role
from services.intake import handlers
from services.intake.api import (
    CREATED_RESPONSES,
    SUPERVISORS,
    WRITE_RESPONSES,
    WRITERS,
    context_for,
    day_of,
    expected,
    vault_of,
)
from services.intake.command_routes import CommandRoute, add_command_routes, run_change
from services.intake.domain.commands import (
    FlagForReview,
    NoteProgress,
    ReopenCase,
    ResolveCase,
    TriageCase,
    WithdrawCase,
)
from services.intake.schemas import (
    CaseView,
    DuplicateOfRequest,
    NotesRequest,
    ReasonRequest,
    RegisterCaseRequest,
    ReporterView,
    ResolveRequest,
    TriageRequest,
)
from services.runtime.auth import CurrentPrincipal
from services.runtime.commands import etag, run_write
from services.runtime.context import Runtime
from services.runtime.errors import Invalid
from services.runtime.fields import IDEMPOTENT, VERSIONED, AsOf, PathId, Purpose

router = APIRouter(prefix="/v1/cases", tags=["cases"])

CaseId = PathId


@router.post("", status_code=201, response_model=CaseView,
             responses=CREATED_RESPONSES, dependencies=IDEMPOTENT)
async def register_case(
    body: RegisterCaseRequest, request: Request, principal: CurrentPrincipal, runtime: Runtime
) -> Response:
    """Register a report as a case. Reporter and witness contacts are stored encrypted only."""
    principal.require(*WRITERS)
    pipeline, vault = runtime.commands, vault_of(runtime)
    context = context_for(request, principal)(body.region.value)
    return await run_write(
        request, principal,
        lambda claim: handlers.register_case(pipeline, vault, principal, body, context, claim,
                                             day_of(runtime.clock)),
        location=lambda b: f"/v1/cases/{b['id']}",
    )


@router.get("/{case_id}", response_model=CaseView)
async def get_case(
    case_id: CaseId,
    principal: CurrentPrincipal,
    runtime: Runtime,
    response: Response,
    as_of: AsOf = None,
) -> CaseView:
    """The current state of a case, or its state as recorded at an instant."""
    state = await handlers.load_case(runtime.commands, principal, case_id, as_of)
    response.headers["ETag"] = etag(state.version)
    return handlers.case_view(state)


change = run_change(handlers.change_case)
"""Run one single-stream case command for a request (versions, idempotency, context)."""


CASE_COMMANDS = (
    CommandRoute("triage", "triage", TriageRequest, WRITERS, "Assess risk level and category.",
                 lambda body, _, __: TriageCase(body.risk_level, body.category, body.notes)),
    CommandRoute("notes", "note_progress", NotesRequest, WRITERS,
                 "Record progress, with evidence references; the case is then in progress.",
                 lambda body, _, __: NoteProgress(body.note, tuple(body.evidence_refs))),
    CommandRoute("resolve", "resolve", ResolveRequest, WRITERS,
                 "Resolve with an outcome, a summary and the measures taken.",
                 lambda body, _, __: ResolveCase(body.outcome, body.summary,
                                                 tuple(body.measures_taken))),
    CommandRoute("reopen", "reopen", ReasonRequest, SUPERVISORS,
                 "Reopen a resolved, under-review or closed case by hand (supervisor).",
                 lambda body, _, __: ReopenCase(body.reason)),
    CommandRoute("withdraw", "withdraw", ReasonRequest, SUPERVISORS,
                 "Withdraw a case that is not yet closed (supervisor).",
                 lambda body, _, __: WithdrawCase(body.reason)),
    CommandRoute("flag-for-review", "flag_for_review", ReasonRequest, WRITERS,
                 "Ask the monitoring group to review this case.",
                 lambda body, _, __: FlagForReview(body.reason)),
)
add_command_routes(router, "case_id", CaseView, change, CASE_COMMANDS, WRITE_RESPONSES)


@router.post("/{case_id}/duplicate-of", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def duplicate_of(case_id: CaseId, body: DuplicateOfRequest, request: Request,
                       principal: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    """Close this case as a duplicate of another; both keep their histories and the link."""
    principal.require(*WRITERS)
    pipeline, exp = runtime.commands, expected(request, body.expected_version)
    ctx = context_for(request, principal)
    return await run_write(
        request, principal,
        lambda claim: handlers.mark_duplicate(pipeline, principal, case_id, exp,
                                              body.original_case_id, ctx, claim))


@router.post("/{case_id}/erase-reporter", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def erase_reporter(case_id: CaseId, body: ReasonRequest, request: Request,
                         principal: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    """Crypto-shred the reporter's and witnesses' contact (admin); every hash still verifies."""
    principal.require(Role.ADMIN)
    pipeline, vault = runtime.commands, vault_of(runtime)
    exp, ctx = expected(request, body.expected_version), context_for(request, principal)
    return await run_write(
        request, principal,
        lambda claim: handlers.erase_reporter(pipeline, vault, principal, case_id, exp,
                                              body.reason, ctx, claim))


@router.get("/{case_id}/reporter", response_model=ReporterView,
            responses={410: {"description": "the contact was erased"}})
async def disclose_reporter(
    case_id: CaseId, request: Request, principal: CurrentPrincipal, runtime: Runtime,
    purpose: Purpose,
) -> ReporterView:
    """The reporter's contact in clear, for supervisors and admins of the region; each read is
    recorded as case.reporter_disclosed (who, when, why)."""
    principal.require(*SUPERVISORS)
    if not purpose.strip():
        raise Invalid("purpose must not be blank", field="purpose", title="Invalid request")
    return await handlers.disclose_reporter(runtime.commands, vault_of(runtime), principal,
                                            case_id, purpose.strip(),
                                            context_for(request, principal))
