"""HTTP routes of a case's legal clocks: extend the consideration, record the reporter's notice,
mark a case misdirected and forward it. Thin: each turns a request into one command."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from events.cases import NoticeChannel
from services.intake.api import SUPERVISORS, WRITERS, day_of
from services.intake.cases_api import WRITE_RESPONSES, CaseId, change
from services.intake.clock_schemas import (
    ExtendConsiderationRequest,
    ForwardRequest,
    NotifyReporterRequest,
)
from services.intake.domain.commands import (
    ExtendConsideration,
    ForwardCase,
    MarkMisdirected,
    NotifyReporter,
)
from services.intake.schemas import CaseView, ReasonRequest
from services.runtime.auth import CurrentPrincipal
from services.runtime.context import Runtime
from services.runtime.fields import VERSIONED

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post("/{case_id}/extend-consideration", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def extend_consideration(case_id: CaseId, body: ExtendConsiderationRequest,
                               request: Request, principal: CurrentPrincipal,
                               runtime: Runtime) -> JSONResponse:
    """Extend an open case's consideration by a motivated decision (supervisor, admin): after
    the current due date and today, at most two months from registration in all. The reporter
    is to be told within 3 working days (`notify-reporter`); with no contact held, intake
    records at once that notice is not possible."""
    principal.require(*SUPERVISORS)
    command = ExtendConsideration(body.new_due_date, body.reason, day_of(runtime.clock))
    return await change(request, principal, runtime, case_id, body.expected_version, command)


@router.post("/{case_id}/notify-reporter", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def notify_reporter(case_id: CaseId, body: NotifyReporterRequest, request: Request,
                          principal: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    """Record that the reporter was told of the latest extension: channel and day (not after
    today, not before the decision). Only while a notice is pending."""
    principal.require(*WRITERS)
    command = NotifyReporter(NoticeChannel(body.channel.value), body.notified_on,
                             day_of(runtime.clock))
    return await change(request, principal, runtime, case_id, body.expected_version, command)


@router.post("/{case_id}/misdirected", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def mark_misdirected(case_id: CaseId, body: ReasonRequest, request: Request,
                           principal: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    """Say the case belongs to another region or body: it is due to be forwarded within 3
    working days of its registration, and assignment escalates it if it is not."""
    principal.require(*WRITERS)
    return await change(request, principal, runtime, case_id, body.expected_version,
                         MarkMisdirected(body.reason))


@router.post("/{case_id}/forward", response_model=CaseView,
             responses=WRITE_RESPONSES, dependencies=VERSIONED)
async def forward(case_id: CaseId, body: ForwardRequest, request: Request,
                  principal: CurrentPrincipal, runtime: Runtime) -> JSONResponse:
    """Forward a misdirected case to another region or state body, with the reason; the case
    ends here as `forwarded` (late if after 3 working days from registration)."""
    principal.require(*WRITERS)
    command = ForwardCase(body.target_kind, body.target_region, body.target_body, body.reason)
    return await change(request, principal, runtime, case_id, body.expected_version, command)
