"""The Case aggregate: given events, when a command, then events or an error."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from events import (
    AssignmentKind,
    CaseOutcome,
    CaseVerdictIgnored,
    IntakeSource,
    Region,
    ReporterReference,
    RiskLevel,
    Sector,
)
from events.lifecycle import CaseStatus
from services.intake.domain.case import (
    CaseState,
    decide_register,
    fold,
)
from services.intake.domain.commands import (
    CaseCommand,
    DiscloseReporter,
    EraseReporter,
    LinkDuplicate,
    MarkDuplicate,
    NoteProgress,
    RecordAssignment,
    RecordVerdict,
    RegisterCase,
    ReopenCase,
    ResolveCase,
    StartReview,
    TriageCase,
    WithdrawCase,
)
from services.intake.domain.errors import IllegalTransition, InvalidCommand
from tests.unit.intake.streams import T0, Driven, driven_case

pytestmark = pytest.mark.unit

REGISTER = RegisterCase(title="Bribe", description="Asked for money", region=Region("KZ-75"),
                        sector=Sector.LAND, source=IntakeSource.HOTLINE, district=None,
                        anonymous=True, reporter=None)
NAMED = replace(REGISTER, anonymous=False,
                reporter=ReporterReference(vault_ref="v-1", commitment="a" * 64))
TRIAGE = TriageCase(RiskLevel.HIGH, "extortion", None)
NOTE = NoteProgress("called the akimat", ("doc-1",))
RESOLVE = ResolveCase(CaseOutcome.CONFIRMED, "confirmed", ("dismissed",))


def _case(case_id: str = "c1") -> Driven[CaseState, CaseCommand]:
    return driven_case(case_id)


def _resolved() -> Driven[CaseState, CaseCommand]:
    case = _case()
    for command in (REGISTER, TRIAGE, NOTE, RESOLVE):
        case.do(command)
    return case


def test_registering_a_new_case_records_case_registered() -> None:
    (event,) = decide_register(CaseState(id="c1"), REGISTER)
    assert event.event_type == "case.registered"


def test_a_case_cannot_be_registered_twice() -> None:
    case = _case()
    case.do(REGISTER)
    with pytest.raises(IllegalTransition):
        case.do(REGISTER)


def test_an_empty_stream_is_a_case_that_does_not_exist() -> None:
    assert not fold("c1", []).exists


def test_the_whole_life_register_triage_note_resolve_review_close() -> None:
    case = _resolved()
    assert case.state.status is CaseStatus.RESOLVED and case.state.outcome is CaseOutcome.CONFIRMED
    case.do(StartReview("r1"))
    assert case.state.status.value == "under_review"
    (closed,) = case.do(RecordVerdict("r1", "approved", "v1", None, ()))
    assert closed.event_type == "case.closed" and case.state.status.value == "closed"
    assert fold("c1", case.stream.envelopes) == case.state


def test_an_illegal_transition_names_the_state_and_the_allowed_actions() -> None:
    case = _case()
    case.do(REGISTER)
    with pytest.raises(IllegalTransition) as refused:
        case.do(RESOLVE)
    assert refused.value.state == "registered"
    assert refused.value.allowed == case.state.allowed_actions()
    assert "triage" in refused.value.allowed and "resolve" not in refused.value.allowed


def test_a_returned_verdict_reopens_and_work_can_resume() -> None:
    case = _resolved()
    case.do(StartReview("r1"))
    (reopened,) = case.do(RecordVerdict("r1", "returned", "v1", "no evidence", ("missing",)))
    assert reopened.event_type == "case.reopened" and case.state.status is CaseStatus.REOPENED
    case.do(NOTE)
    case.do(RESOLVE)
    assert case.state.status.value == "resolved" and case.state.reopen_count == 1


def test_an_escalated_verdict_keeps_the_case_open_at_the_agency_until_it_is_resolved_again(
) -> None:
    case = _resolved()
    case.do(StartReview("r1"))
    (escalated,) = case.do(RecordVerdict("r1", "escalated", "v1", "needs the centre", ()))
    assert escalated.event_type == "case.escalated" and case.state.status is CaseStatus.ESCALATED
    assert {"notes", "resolve", "reopen"} <= set(case.state.allowed_actions())
    assert not {"withdraw", "duplicate-of"} & set(case.state.allowed_actions())
    (late,) = case.do(RecordVerdict("r1", "approved", "v2", None, ()))
    assert isinstance(late, CaseVerdictIgnored) and case.state.status is CaseStatus.ESCALATED
    case.do(RESOLVE)
    case.do(StartReview("r2"))
    assert case.state.status is CaseStatus.UNDER_REVIEW and case.state.review_id == "r2"


def test_a_verdict_for_a_closed_case_is_recorded_as_ignored_with_a_reason() -> None:
    case = _resolved()
    case.do(RecordVerdict("r1", "approved", "v1", None, ()))
    (ignored,) = case.do(RecordVerdict("r2", "returned", "v2", None, ()))
    assert isinstance(ignored, CaseVerdictIgnored) and "closed" in ignored.reason
    assert case.state.status is CaseStatus.CLOSED


def test_the_same_verdict_twice_has_no_second_effect() -> None:
    case = _resolved()
    case.do(RecordVerdict("r1", "approved", "v1", None, ()))
    assert case.do(RecordVerdict("r1", "approved", "v1", None, ())) == []


def test_an_assignment_before_triage_is_recorded_and_triage_still_applies() -> None:
    case = _case()
    case.do(REGISTER)
    case.do(RecordAssignment("office-1", "officer-1", "a1", AssignmentKind.AUTOMATIC,
                             T0 + timedelta(hours=1)))
    assert case.state.status is CaseStatus.ASSIGNED
    case.do(TRIAGE)
    assert case.state.status is CaseStatus.ASSIGNED and case.state.risk_level is RiskLevel.HIGH


def test_an_older_assignment_arriving_late_does_not_override_a_newer_one() -> None:
    case = _case()
    case.do(REGISTER)
    case.do(RecordAssignment("office-2", "officer-2", "a2", AssignmentKind.MANUAL, T0 + timedelta(hours=2)))
    assert case.do(RecordAssignment("office-1", "officer-1", "a1", AssignmentKind.AUTOMATIC,
                                    T0 + timedelta(hours=1))) == []
    assert case.state.officer_id == "officer-2"


def test_marking_a_duplicate_ends_the_case_and_links_it_on_the_original() -> None:
    duplicate, original = _case("dup"), _case("orig")
    duplicate.do(REGISTER)
    original.do(REGISTER)
    duplicate.do(MarkDuplicate("orig"))
    original.do(LinkDuplicate("dup"))
    assert duplicate.state.status is CaseStatus.DUPLICATE and duplicate.state.duplicate_of == "orig"
    assert original.state.duplicates == ("dup",) and original.state.status is CaseStatus.REGISTERED


def test_a_case_cannot_duplicate_itself() -> None:
    case = _case()
    case.do(REGISTER)
    with pytest.raises(InvalidCommand):
        case.do(MarkDuplicate("c1"))


def test_a_withdrawn_case_accepts_no_more_work() -> None:
    case = _case()
    case.do(REGISTER)
    case.do(WithdrawCase("reporter withdrew"))
    with pytest.raises(IllegalTransition):
        case.do(TRIAGE)
    assert "withdraw" not in case.state.allowed_actions()


def test_a_supervisor_can_reopen_a_closed_case() -> None:
    case = _resolved()
    case.do(RecordVerdict("r1", "approved", "v1", None, ()))
    (reopened,) = case.do(ReopenCase("new facts"))
    assert reopened.event_type == "case.reopened" and case.state.status is CaseStatus.REOPENED


def test_disclosure_and_erasure_need_a_contact_and_erasure_happens_once() -> None:
    anonymous = _case()
    anonymous.do(REGISTER)
    with pytest.raises(IllegalTransition):
        anonymous.do(DiscloseReporter("sup", "supervisor", "call back"))
    named = _case("c2")
    named.do(NAMED)
    named.do(DiscloseReporter("sup", "supervisor", "call back"))
    named.do(EraseReporter("subject request"))
    assert named.state.reporter_erased and not named.state.has_contact
    with pytest.raises(IllegalTransition):
        named.do(EraseReporter("again"))
    with pytest.raises(IllegalTransition):
        named.do(DiscloseReporter("sup", "supervisor", "call back"))
