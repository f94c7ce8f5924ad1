"""The Reception aggregate: schedule, hold, cancel; dates and attendance bounded; which
receptions a case may name."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from events import (
    Official,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
    ReceptionStatus,
    Region,
)
from events.lifecycle import DirectiveStatus
from events.receptions import MAX_ATTENDANCE
from services.intake.domain.errors import IllegalTransition, InvalidCommand
from services.intake.domain.reception import (
    AHEAD_DAYS,
    BACKDATE_DAYS,
    ReceptionState,
    check_case_link,
    decide,
    fold,
)
from services.intake.domain.reception_commands import (
    CancelReception,
    HoldReception,
    LinkedDirective,
    ScheduleReception,
)
from tests.unit.intake.streams import MemoryStream

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 30)
ALMATY = Region("KZ-75")
AKIM = Official(name="Nurlan Seitkali", position="deputy akim of the district")
SCHEDULE = ScheduleReception(
    region=ALMATY, district="Alatau", scheduled_on=TODAY + timedelta(days=3),
    place="Alatau district akimat, hall 2", officials=(AKIM,), office_id="office-kz75",
    directive=None, today=TODAY)


def _scheduled(command: ScheduleReception = SCHEDULE) -> tuple[MemoryStream, ReceptionState]:
    stream = MemoryStream("rec-1", "reception")
    stream.append(decide(ReceptionState(id="rec-1"), command))
    return stream, fold("rec-1", stream.envelopes)


def _hold(on: date, today: date = TODAY + timedelta(days=5), attendance: int = 12
          ) -> HoldReception:
    return HoldReception(held_on=on, officials_present=(AKIM,), attendance=attendance,
                         today=today)


def test_scheduling_records_the_reception_and_allows_holding_or_cancelling_it() -> None:
    events = decide(ReceptionState(id="rec-1"), SCHEDULE)
    assert events == [ReceptionScheduled(
        region=ALMATY, district="Alatau", scheduled_on=SCHEDULE.scheduled_on,
        place="Alatau district akimat, hall 2", officials=[AKIM], office_id="office-kz75",
        directive_id=None)]
    _, state = _scheduled()
    assert state.status is ReceptionStatus.SCHEDULED and state.scheduled_by == "op-1"
    assert state.allowed_actions() == ["hold", "cancel"]


@pytest.mark.parametrize("offset", [-BACKDATE_DAYS - 1, AHEAD_DAYS + 1])
def test_a_reception_date_too_far_back_or_ahead_is_refused_naming_scheduled_on(
        offset: int) -> None:
    command = replace(SCHEDULE, scheduled_on=TODAY + timedelta(days=offset))
    with pytest.raises(InvalidCommand) as refused:
        decide(ReceptionState(id="rec-1"), command)
    assert refused.value.field == "scheduled_on"


@pytest.mark.parametrize("offset", [-BACKDATE_DAYS, 0, AHEAD_DAYS])
def test_a_reception_date_at_the_bounds_is_accepted(offset: int) -> None:
    command = replace(SCHEDULE, scheduled_on=TODAY + timedelta(days=offset))
    assert len(decide(ReceptionState(id="rec-1"), command)) == 1


def test_a_reception_scheduled_twice_is_an_illegal_transition() -> None:
    _, state = _scheduled()
    with pytest.raises(IllegalTransition):
        decide(state, SCHEDULE)


def test_a_directive_of_another_region_or_none_at_all_is_refused_naming_directive_id() -> None:
    for linked in (LinkedDirective("dir-1", "KZ-71", DirectiveStatus.ISSUED),
                   LinkedDirective("dir-1", None, None)):
        with pytest.raises(InvalidCommand) as refused:
            decide(ReceptionState(id="rec-1"), replace(SCHEDULE, directive=linked))
        assert refused.value.field == "directive_id"


@pytest.mark.parametrize("status", [DirectiveStatus.CANCELLED, DirectiveStatus.VERIFIED])
def test_a_closed_directive_takes_no_more_receptions(status: DirectiveStatus) -> None:
    linked = LinkedDirective("dir-1", "KZ-75", status)
    with pytest.raises(InvalidCommand, match="takes no more receptions"):
        decide(ReceptionState(id="rec-1"), replace(SCHEDULE, directive=linked))


def test_a_reception_names_an_open_directive_of_its_region() -> None:
    linked = LinkedDirective("dir-1", "KZ-75", DirectiveStatus.IN_PROGRESS)
    events = decide(ReceptionState(id="rec-1"), replace(SCHEDULE, directive=linked))
    assert isinstance(events[0], ReceptionScheduled) and events[0].directive_id == "dir-1"


def test_holding_records_the_day_the_officials_present_and_the_attendance() -> None:
    stream, state = _scheduled()
    events = decide(state, _hold(SCHEDULE.scheduled_on, attendance=41))
    assert events == [ReceptionHeld(held_on=SCHEDULE.scheduled_on, officials_present=[AKIM],
                                    attendance=41)]
    stream.append(events)
    held = fold("rec-1", stream.envelopes)
    assert held.status is ReceptionStatus.HELD and held.attendance == 41
    assert held.allowed_actions() == []


def test_a_reception_cannot_be_held_before_its_day_or_in_the_future() -> None:
    _, state = _scheduled()
    before = SCHEDULE.scheduled_on - timedelta(days=1)
    with pytest.raises(InvalidCommand) as early:
        decide(state, _hold(before))
    with pytest.raises(InvalidCommand) as future:
        decide(state, _hold(SCHEDULE.scheduled_on, today=SCHEDULE.scheduled_on - timedelta(days=1)))
    assert early.value.field == future.value.field == "held_on"


def test_a_held_or_cancelled_reception_can_be_neither_held_nor_cancelled_again() -> None:
    stream, state = _scheduled()
    stream.append(decide(state, CancelReception("the hall is closed for repairs")))
    cancelled = fold("rec-1", stream.envelopes)
    assert cancelled.status is ReceptionStatus.CANCELLED
    assert cancelled.cancel_reason == "the hall is closed for repairs"
    for command in (_hold(SCHEDULE.scheduled_on), CancelReception("again")):
        with pytest.raises(IllegalTransition):
            decide(cancelled, command)


def test_nothing_but_scheduling_applies_to_a_reception_that_does_not_exist() -> None:
    with pytest.raises(IllegalTransition):
        decide(ReceptionState(id="rec-x"), CancelReception("no"))


def test_cancelling_gives_the_reason() -> None:
    _, state = _scheduled()
    assert decide(state, CancelReception("moved")) == [ReceptionCancelled(reason="moved")]


def test_a_case_may_name_a_held_reception_or_one_being_held_today_in_its_region() -> None:
    stream, state = _scheduled(replace(SCHEDULE, scheduled_on=TODAY))
    check_case_link(state, ALMATY, TODAY)  # being held today
    with pytest.raises(InvalidCommand):
        check_case_link(state, ALMATY, TODAY + timedelta(days=1))  # scheduled, not held
    stream.append(decide(state, _hold(TODAY, today=TODAY)))
    held = fold("rec-1", stream.envelopes)
    check_case_link(held, ALMATY, TODAY + timedelta(days=10))


def test_a_case_may_not_name_a_missing_foreign_future_or_cancelled_reception() -> None:
    stream, state = _scheduled()
    stream.append(decide(state, CancelReception("moved")))
    cancelled = fold("rec-1", stream.envelopes)
    for reception, region in ((ReceptionState(id="rec-x"), ALMATY), (state, Region("KZ-71")),
                              (state, ALMATY), (cancelled, ALMATY)):
        with pytest.raises(InvalidCommand) as refused:
            check_case_link(reception, region, TODAY)
        assert refused.value.field == "reception_id"


@pytest.mark.parametrize("attendance", [-1, MAX_ATTENDANCE + 1])
def test_attendance_outside_its_bounds_is_refused_naming_attendance(attendance: int) -> None:
    _, state = _scheduled()
    with pytest.raises(InvalidCommand) as refused:
        decide(state, _hold(SCHEDULE.scheduled_on, attendance=attendance))
    assert refused.value.field == "attendance"


@pytest.mark.parametrize("attendance", [0, MAX_ATTENDANCE])
def test_attendance_at_its_bounds_is_recorded(attendance: int) -> None:
    _, state = _scheduled()
    (held,) = decide(state, _hold(SCHEDULE.scheduled_on, attendance=attendance))
    assert isinstance(held, ReceptionHeld) and held.attendance == attendance
