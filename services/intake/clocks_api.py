"""HTTP routes of a case's legal clocks: extend the consideration, record the reporter's notice,
mark a case misdirected and forward it. Thin: each turns a request into one command."""

from __future__ import annotations

from fastapi import APIRouter

from events.cases import NoticeChannel
from services.intake.api import SUPERVISORS, WRITE_RESPONSES, WRITERS
from services.intake.cases_api import change
from services.intake.clock_schemas import (
    ExtendConsiderationRequest,
    ForwardRequest,
    NotifyReporterRequest,
)
from services.intake.command_routes import CommandRoute, add_command_routes
from services.intake.domain.commands import (
    ExtendConsideration,
    ForwardCase,
    MarkMisdirected,
    NotifyReporter,
)
from services.intake.schemas import CaseView, ReasonRequest

router = APIRouter(prefix="/v1/cases", tags=["cases"])


CLOCK_COMMANDS = (
    CommandRoute(
        "extend-consideration", "extend_consideration", ExtendConsiderationRequest, SUPERVISORS,
        """Extend an open case's consideration by a motivated decision (supervisor, admin): after
        the current due date and today, at most two months from registration in all. The reporter
        is to be told within 3 working days (`notify-reporter`); with no contact held, intake
        records at once that notice is not possible.""",
        lambda body, _, today: ExtendConsideration(body.new_due_date, body.reason, today)),
    CommandRoute(
        "notify-reporter", "notify_reporter", NotifyReporterRequest, WRITERS,
        """Record that the reporter was told of the latest extension: channel and day (not after
        today, not before the decision). Only while a notice is pending.""",
        lambda body, _, today: NotifyReporter(NoticeChannel(body.channel.value), body.notified_on,
                                              today)),
    CommandRoute(
        "misdirected", "mark_misdirected", ReasonRequest, WRITERS,
        """Say the case belongs to another region or body: it is due to be forwarded within 3
        working days of its registration, and assignment escalates it if it is not.""",
        lambda body, _, __: MarkMisdirected(body.reason)),
    CommandRoute(
        "forward", "forward", ForwardRequest, WRITERS,
        """Forward a misdirected case to another region or state body, with the reason; the case
        ends here as `forwarded` (late if after 3 working days from registration).""",
        lambda body, _, __: ForwardCase(body.target_kind, body.target_region, body.target_body,
                                        body.reason)),
)
add_command_routes(router, "case_id", CaseView, change, CLOCK_COMMANDS, WRITE_RESPONSES)
