"""A case's legal clocks as pure rules: given its events, when an extension, a notice or a
forward is asked for, then these events or this refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from events import IntakeSource, Region, ReporterReference, RiskLevel, Sector
from events.case_clocks import appeal_due, extension_limit, forward_due, notice_due
from events.cases import (
    CaseConsiderationExtended,
    CaseForwarded,
    CaseMarkedMisdirected,
    CaseReporterNotified,
    ForwardTargetKind,
    NoticeChannel,
)
from events.lifecycle import CaseStatus
from services.intake.domain.case import CaseState, decide, fold
from services.intake.domain.commands import (
    CaseCommand,
    ExtendConsideration,
    ForwardCase,
    MarkMisdirected,
    NotifyReporter,
    RegisterCase,
    TriageCase,
    WithdrawCase,
)
from services.intake.domain.errors import IllegalTransition, InvalidCommand
from tests.unit.intake.streams import MemoryStream

pytestmark = pytest.mark.unit

REGISTERED_AT = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # Monday 30 November in Almaty
CONTACT = ReporterReference(vault_ref="vault:case-1", commitment="ab" * 32)
DECIDED_ON = date(2026, 12, 15)  # the day before Independence Day (16 December, a day off)


def _case(*commands: CaseCommand, anonymous: bool = False) -> tuple[MemoryStream, CaseState]:
    stream = MemoryStream("case-1", "case")
    register = RegisterCase("Bribe", "An official asked for money.", Region("KZ-75"), Sector.LAND,
                            IntakeSource.HOTLINE, None, anonymous,
                            None if anonymous else CONTACT)
    stream.append(decide(CaseState(id="case-1"), register), at=REGISTERED_AT)
    stream.clock = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)  # what follows is decided then
    for command in commands:
        stream.append(decide(fold("case-1", stream.envelopes), command))
    return stream, fold("case-1", stream.envelopes)


def _extend(new_due: date, today: date = DECIDED_ON) -> ExtendConsideration:
    return ExtendConsideration(new_due, "awaiting the land inspection's opinion", today)


def test_the_consideration_is_due_15_working_days_after_registration_skipping_holidays() -> None:
    _, state = _case()
    # 1 December .. 22 December, 16 December (Independence Day) not counted
    assert state.due_date == appeal_due(date(2026, 11, 30)) == date(2026, 12, 22)


def test_an_extension_reaches_at_most_two_months_from_registration() -> None:
    _, state = _case()
    limit = extension_limit(date(2026, 11, 30))
    assert limit == date(2027, 1, 30)
    (extended,) = decide(state, _extend(limit))
    assert extended == CaseConsiderationExtended(
        previous_due_date=date(2026, 12, 22), new_due_date=limit,
        reason="awaiting the land inspection's opinion", notice_due_date=date(2026, 12, 21))
    with pytest.raises(InvalidCommand) as refused:
        decide(state, _extend(date(2027, 1, 31)))
    assert refused.value.field == "new_due_date"


def test_a_second_extension_still_counts_two_months_from_registration_in_all() -> None:
    _, state = _case(_extend(date(2027, 1, 15)))
    assert state.due_date == date(2027, 1, 15) and state.extensions == 1
    with pytest.raises(InvalidCommand):
        decide(state, _extend(date(2027, 2, 10), today=date(2027, 1, 10)))
    (again,) = decide(state, _extend(date(2027, 1, 30), today=date(2027, 1, 10)))
    assert isinstance(again, CaseConsiderationExtended)
    assert again.previous_due_date == date(2027, 1, 15)


@pytest.mark.parametrize("new_due", [date(2026, 12, 22), date(2026, 12, 21)])
def test_an_extension_must_move_the_due_date_later(new_due: date) -> None:
    _, state = _case()
    with pytest.raises(InvalidCommand) as refused:
        decide(state, _extend(new_due))
    assert refused.value.field == "new_due_date"


def test_an_extension_must_end_after_today() -> None:
    _, state = _case()
    with pytest.raises(InvalidCommand):
        decide(state, _extend(date(2026, 12, 28), today=date(2026, 12, 28)))


def test_the_notice_is_due_3_working_days_after_the_decision_skipping_holidays() -> None:
    # 15 December + 3 working days: 17, 18 and 21 December (16 December is a day off)
    assert notice_due(DECIDED_ON) == date(2026, 12, 21)
    _, state = _case(_extend(date(2027, 1, 20)))
    assert state.notice_due_date == date(2026, 12, 21) and state.notice_pending
    assert "notify-reporter" in state.allowed_actions()


def test_an_anonymous_reporter_cannot_be_told_and_the_log_says_so_at_once() -> None:
    _, state = _case(anonymous=True)
    events = decide(state, _extend(date(2027, 1, 20)))
    assert [type(e) for e in events] == [CaseConsiderationExtended, CaseReporterNotified]
    assert events[1] == CaseReporterNotified(channel=NoticeChannel.NOT_POSSIBLE,
                                             notified_on=DECIDED_ON)
    _, after = _case(_extend(date(2027, 1, 20)), anonymous=True)
    assert not after.notice_pending and "notify-reporter" not in after.allowed_actions()


def test_a_notice_is_recorded_once_per_extension_and_dated_between_decision_and_today() -> None:
    _, state = _case(_extend(date(2027, 1, 20)))
    with pytest.raises(InvalidCommand) as early:
        decide(state, NotifyReporter(NoticeChannel.PHONE, date(2026, 12, 14), date(2026, 12, 17)))
    with pytest.raises(InvalidCommand) as future:
        decide(state, NotifyReporter(NoticeChannel.PHONE, date(2026, 12, 18), date(2026, 12, 17)))
    assert early.value.field == future.value.field == "notified_on"
    notice = NotifyReporter(NoticeChannel.POST, date(2026, 12, 17), date(2026, 12, 17))
    assert decide(state, notice) == [CaseReporterNotified(channel=NoticeChannel.POST,
                                                          notified_on=date(2026, 12, 17))]
    _, told = _case(_extend(date(2027, 1, 20)), notice)
    with pytest.raises(IllegalTransition):
        decide(told, notice)


def test_without_an_extension_there_is_no_notice_to_record() -> None:
    _, state = _case()
    with pytest.raises(IllegalTransition):
        decide(state, NotifyReporter(NoticeChannel.PHONE, DECIDED_ON, DECIDED_ON))


def test_a_case_that_ended_cannot_be_extended() -> None:
    _, state = _case(WithdrawCase("the reporter withdrew"))
    with pytest.raises(IllegalTransition):
        decide(state, _extend(date(2027, 1, 20)))


def test_a_misdirected_case_is_due_to_be_forwarded_3_working_days_after_registration() -> None:
    assert forward_due(date(2026, 12, 14)) == date(2026, 12, 18)  # 16 December is a day off
    _, state = _case()
    assert decide(state, MarkMisdirected("an Astana school")) == [CaseMarkedMisdirected(
        reason="an Astana school", forward_due_date=date(2026, 12, 3))]
    _, marked = _case(MarkMisdirected("an Astana school"))
    with pytest.raises(IllegalTransition):
        decide(marked, MarkMisdirected("again"))


def test_a_forwarded_case_ends_here_and_names_where_it_went() -> None:
    forward = ForwardCase(ForwardTargetKind.REGION, Region("KZ-71"), None, "an Astana school")
    _, state = _case(TriageCase(RiskLevel.LOW, "education", None), forward)
    assert state.status is CaseStatus.FORWARDED and state.forwarded_to == "KZ-71"
    assert state.forward_due_date == date(2026, 12, 3)
    assert "extend-consideration" not in state.allowed_actions()
    with pytest.raises(IllegalTransition):
        decide(state, forward)


def test_a_forward_to_a_body_names_the_body_and_only_it() -> None:
    _, state = _case()
    (event,) = decide(state, ForwardCase(ForwardTargetKind.BODY, Region("KZ-71"),
                                         "Ministry of Education", "a ministry's matter"))
    assert isinstance(event, CaseForwarded)
    assert (event.target_region, event.target_body) == (None, "Ministry of Education")


@pytest.mark.parametrize(("command", "field"), [
    (ForwardCase(ForwardTargetKind.REGION, Region("KZ-75"), None, "same region"),
     "target_region"),
    (ForwardCase(ForwardTargetKind.REGION, None, None, "no region"), "target_region"),
    (ForwardCase(ForwardTargetKind.BODY, None, None, "no body"), "target_body"),
])
def test_a_forward_names_a_target_other_than_the_case_itself(command: ForwardCase,
                                                             field: str) -> None:
    _, state = _case()
    with pytest.raises(InvalidCommand) as refused:
        decide(state, command)
    assert refused.value.field == field


