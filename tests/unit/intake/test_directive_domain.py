"""The Directive aggregate: lifecycle, four-eyes extension, and overdue from a working-day calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from events import Actor, Region
from events.calendar import kazakhstan_calendar
from events.lifecycle import DirectiveStatus
from services.intake.domain.commands import (
    AcknowledgeDirective,
    CancelDirective,
    DirectiveCommand,
    ExtendDeadline,
    IssueDirective,
    RecordVerdict,
    ReportCompletion,
    ReportProgress,
    StartReview,
)
from services.intake.domain.directive import (
    DIRECTIVE,
    DirectiveState,
    decide,
    fold,
    lateness,
)
from services.intake.domain.errors import FourEyesViolation, IllegalTransition, InvalidCommand
from tests.unit.intake.streams import Driven

pytestmark = pytest.mark.unit

ISSUER = Actor(id="sup-issuer", role="supervisor", region="KZ-75")
ISSUE = IssueDirective(title="Revise the land regulation", text="Analyse and report.",
                       issuing_authority="Anti-Corruption Agency", addressee_body="Land dept",
                       region=Region("KZ-75"), due_date=date(2026, 12, 16),
                       meeting_reference="Protocol 14", today=date(2026, 11, 30))
CALENDAR = kazakhstan_calendar()


def _issued() -> Driven[DirectiveState, DirectiveCommand]:
    directive = Driven(DIRECTIVE, decide, "d1", actor=ISSUER)
    directive.do(ISSUE)
    return directive


def test_the_whole_life_issue_acknowledge_progress_report_review_verify() -> None:
    directive = _issued()
    for command in (AcknowledgeDirective("received"), ReportProgress("half done"),
                    ReportCompletion("done"), StartReview("r1")):
        directive.do(command)
    assert directive.state.status is DirectiveStatus.UNDER_REVIEW
    (verified,) = directive.do(RecordVerdict("r1", "approved", "v1", None, ()))
    assert verified.event_type == "directive.verified"
    assert fold("d1", directive.stream.envelopes) == directive.state


def test_a_returned_report_goes_back_to_work() -> None:
    directive = _issued()
    directive.do(AcknowledgeDirective(None))
    directive.do(ReportCompletion("done"))
    directive.do(RecordVerdict("r1", "returned", "v1", "no proof", ()))
    assert directive.state.status is DirectiveStatus.RETURNED
    assert set(directive.state.allowed_actions()) >= {"progress", "report"}


def test_the_due_date_must_come_after_the_issue_date() -> None:
    with pytest.raises(InvalidCommand) as refused:
        decide(DirectiveState(id="d1"), replace(ISSUE, due_date=ISSUE.today))
    assert refused.value.field == "due_date"


def test_progress_before_acknowledgement_is_an_illegal_transition() -> None:
    with pytest.raises(IllegalTransition) as refused:
        _issued().do(ReportProgress("early"))
    assert refused.value.state == "issued" and refused.value.allowed == [
        "acknowledge", "extend", "cancel"]


def test_the_issuer_cannot_extend_their_own_directive() -> None:
    with pytest.raises(FourEyesViolation):
        _issued().do(ExtendDeadline(date(2026, 12, 30), "more time", "sup-issuer"))


def test_an_extension_must_move_the_due_date_later() -> None:
    with pytest.raises(InvalidCommand) as refused:
        _issued().do(ExtendDeadline(date(2026, 12, 10), "earlier", "sup-other"))
    assert refused.value.field == "new_due_date"


def test_an_extension_is_capped_at_two_months_after_the_original_due_date() -> None:
    directive = _issued()
    directive.do(ExtendDeadline(date(2027, 1, 16), "first", "sup-other"))
    directive.do(ExtendDeadline(date(2027, 2, 16), "second, at the cap", "sup-other"))
    with pytest.raises(InvalidCommand):
        directive.do(ExtendDeadline(date(2027, 2, 17), "past the cap", "sup-other"))
    assert directive.state.original_due_date == date(2026, 12, 16)
    assert directive.state.extensions == 2


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day() -> None:
    late = lateness(_issued().state, date(2026, 12, 17), CALENDAR)
    assert late is not None and late.effective_due_date == date(2026, 12, 17)
    assert not late.overdue


def test_overdue_counts_working_days_after_the_effective_due_date() -> None:
    late = lateness(_issued().state, date(2026, 12, 21), CALENDAR)
    assert late is not None and late.overdue and late.days_overdue == 2  # Fri 18, Mon 21


def test_lateness_of_a_reported_directive_is_measured_at_the_report_not_today() -> None:
    directive = _issued()
    directive.do(AcknowledgeDirective(None))
    directive.do(ReportCompletion("done"))
    late = lateness(directive.state, date(2027, 6, 1), CALENDAR)
    assert late is not None and not late.overdue


def test_a_cancelled_directive_is_never_overdue() -> None:
    directive = _issued()
    directive.do(CancelDirective("withdrawn at the meeting"))
    late = lateness(directive.state, date(2027, 6, 1), CALENDAR)
    assert late is not None and not late.overdue and directive.state.allowed_actions() == []


def test_an_escalated_verdict_hands_a_directive_to_the_agency_and_it_is_reported_again() -> None:
    directive = _issued()
    directive.do(AcknowledgeDirective(None))
    directive.do(ReportCompletion("done"))
    (escalated,) = directive.do(RecordVerdict("r1", "escalated", "v1", "nothing changed", ()))
    assert escalated.event_type == "directive.escalated"
    assert directive.state.status is DirectiveStatus.ESCALATED
    assert directive.state.findings == "nothing changed" and directive.state.reported_on is None
    assert directive.do(RecordVerdict("r1", "escalated", "v1", "nothing changed", ())) == []
    directive.do(ReportCompletion("done, with the centre's measures"))
    assert directive.state.status is DirectiveStatus.REPORTED


def test_an_escalated_verdict_without_findings_is_kept_as_ignored() -> None:
    directive = _issued()
    directive.do(AcknowledgeDirective(None))
    directive.do(ReportCompletion("done"))
    (ignored,) = directive.do(RecordVerdict("r1", "escalated", "v1", None, ()))
    assert ignored.event_type == "directive.verdict_ignored"
    assert directive.state.status is DirectiveStatus.REPORTED
