"""The Reception aggregate: a citizen reception scheduled, then held or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from events import (
    EventEnvelope,
    EventPayload,
    Official,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
    ReceptionStatus,
    Region,
)
from events.lifecycle import DirectiveStatus
from events.receptions import MAX_ATTENDANCE, next_reception_status
from services.intake.domain.errors import InvalidCommand
from services.intake.domain.reception_commands import (
    CancelReception,
    HoldReception,
    LinkedDirective,
    ReceptionCommand,
    ScheduleReception,
)
from services.intake.domain.subject import SubjectState
from services.runtime.aggregate import Aggregate

STREAM_TYPE = "reception"
R = ReceptionStatus

BACKDATE_DAYS = 30
"""A reception may be scheduled (recorded) up to this many days after its date."""
AHEAD_DAYS = 366
"""…and at most this many days ahead of today."""
CLOSED_DIRECTIVES = frozenset({DirectiveStatus.CANCELLED, DirectiveStatus.VERIFIED})
"""A directive in these statuses takes no more receptions."""

ACTIONS: dict[str, frozenset[ReceptionStatus]] = {
    "hold": frozenset({R.SCHEDULED}),
    "cancel": frozenset({R.SCHEDULED}),
}
"""The operator actions (named like their endpoints) and the statuses they apply in."""


@dataclass(frozen=True)
class ReceptionState(SubjectState[ReceptionStatus]):
    """A reception as its events made it; version 0 means it does not exist."""

    noun = "reception"
    unborn = "unscheduled"
    actions = ACTIONS

    district: str = ""
    scheduled_on: date | None = None
    place: str = ""
    officials: tuple[Official, ...] = ()
    office_id: str | None = None
    directive_id: str | None = None
    scheduled_at: datetime | None = None
    scheduled_by: str | None = None
    held_on: date | None = None
    officials_present: tuple[Official, ...] = ()
    attendance: int | None = None
    cancel_reason: str | None = None


def decide(state: ReceptionState, command: ReceptionCommand) -> list[EventPayload]:
    """The events a command causes on a reception, or a DomainError."""
    match command:
        case ScheduleReception():
            state.require_new("schedule")
            return [_schedule(command)]
    state.require_begun(command)
    match command:
        case HoldReception():
            state.require("hold")
            assert state.scheduled_on is not None
            if command.held_on < state.scheduled_on:
                raise InvalidCommand("held_on", "a reception is held on or after the day it "
                                     f"was scheduled for ({state.scheduled_on.isoformat()})")
            if command.held_on > command.today:
                raise InvalidCommand("held_on", "a reception cannot be recorded as held in "
                                     "the future")
            if not 0 <= command.attendance <= MAX_ATTENDANCE:
                raise InvalidCommand("attendance", f"attendance is 0 to {MAX_ATTENDANCE}")
            return [ReceptionHeld(held_on=command.held_on,
                                  officials_present=list(command.officials_present),
                                  attendance=command.attendance)]
        case CancelReception(reason):
            state.require("cancel")
            return [ReceptionCancelled(reason=reason)]
    raise TypeError(f"not a reception command: {command!r}")


def _schedule(command: ScheduleReception) -> ReceptionScheduled:
    earliest = command.today - timedelta(days=BACKDATE_DAYS)
    latest = command.today + timedelta(days=AHEAD_DAYS)
    if not earliest <= command.scheduled_on <= latest:
        raise InvalidCommand("scheduled_on", f"a reception is scheduled between "
                             f"{earliest.isoformat()} and {latest.isoformat()}")
    if command.directive is not None:
        _check_directive(command.directive, command.region)
    return ReceptionScheduled(
        region=command.region, district=command.district, scheduled_on=command.scheduled_on,
        place=command.place, officials=list(command.officials), office_id=command.office_id,
        directive_id=command.directive.id if command.directive else None)


def _check_directive(directive: LinkedDirective, region: Region) -> None:
    if directive.region != region.value:
        raise InvalidCommand("directive_id", f"no directive {directive.id} in {region.value}")
    if directive.status in CLOSED_DIRECTIVES:
        raise InvalidCommand("directive_id", f"directive {directive.id} is {directive.status}"
                             " and takes no more receptions")


def check_case_link(state: ReceptionState, region: Region, today: date) -> None:
    """Refuse (naming `reception_id`) a case registered at a reception that does not exist,
    is in another region, or is neither held nor being held today."""
    if not state.exists or state.region is not region:
        raise InvalidCommand("reception_id", f"no reception {state.id} in {region.value}")
    being_held = state.status is R.SCHEDULED and state.scheduled_on == today
    if state.status is not R.HELD and not being_held:
        when = state.scheduled_on.isoformat() if state.scheduled_on else "?"
        raise InvalidCommand("reception_id", f"reception {state.id} is {state.status} (for "
                             f"{when}): cases are registered at a reception held or being "
                             "held today")


def evolve(state: ReceptionState, envelope: EventEnvelope, payload: EventPayload
           ) -> ReceptionState:
    """The state after one stored event."""
    s = state.after(envelope, next_reception_status(state.status, envelope.event_type))
    match payload:
        case ReceptionScheduled():
            return replace(
                s, region=payload.region, district=payload.district,
                scheduled_on=payload.scheduled_on, place=payload.place,
                officials=tuple(payload.officials), office_id=payload.office_id,
                directive_id=payload.directive_id, scheduled_at=envelope.occurred_at,
                scheduled_by=envelope.actor.id)
        case ReceptionHeld():
            return replace(s, held_on=payload.held_on,
                           officials_present=tuple(payload.officials_present),
                           attendance=payload.attendance)
        case ReceptionCancelled():
            return replace(s, cancel_reason=payload.reason)
    return s


RECEPTION = Aggregate(STREAM_TYPE, lambda reception_id: ReceptionState(id=reception_id), evolve)
"""A reception: the fold of its stream."""
fold = RECEPTION.fold
