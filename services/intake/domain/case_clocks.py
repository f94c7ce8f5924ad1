"""A case's legal clocks: extension of consideration, the reporter's notice, forwarding.

The rules (DESIGN §6, `events/case_clocks.py`): a supervisor's motivated decision extends the
consideration to at most two months from registration in all, and the reporter is told within
3 working days of the decision; a misdirected appeal is forwarded within 3 working days of its
registration. Pure: `today` comes with the command.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from events import EventEnvelope, EventPayload
from events.calendar import agency_date
from events.case_clocks import extension_limit, forward_due, notice_due
from events.cases import (
    CaseConsiderationExtended,
    CaseForwarded,
    CaseMarkedMisdirected,
    CaseReporterNotified,
    ForwardTargetKind,
    NoticeChannel,
)
from services.intake.domain.case_state import CaseState
from services.intake.domain.commands import (
    ClockCommand,
    ExtendConsideration,
    ForwardCase,
    MarkMisdirected,
    NotifyReporter,
)
from services.intake.domain.errors import InvalidCommand


def decide_clock(state: CaseState, command: ClockCommand) -> list[EventPayload]:
    """The events a clock command causes on a registered case, or a DomainError."""
    match command:
        case ExtendConsideration():
            return _extend(state, command)
        case NotifyReporter():
            state.require("notify-reporter")
            assert state.extended_on is not None
            if command.notified_on > command.today:
                raise InvalidCommand("notified_on", "the notice cannot be dated after today")
            if command.notified_on < state.extended_on:
                raise InvalidCommand("notified_on", "the notice cannot predate the extension "
                                     f"decided on {state.extended_on.isoformat()}")
            return [CaseReporterNotified(channel=command.channel,
                                         notified_on=command.notified_on)]
        case MarkMisdirected(reason):
            state.require("misdirected")
            return [CaseMarkedMisdirected(reason=reason, forward_due_date=_forward_due(state))]
        case ForwardCase():
            return [_forward(state, command)]


def _extend(state: CaseState, command: ExtendConsideration) -> list[EventPayload]:
    state.require("extend-consideration")
    assert state.registered_at is not None and state.due_date is not None
    new, current = command.new_due_date, state.due_date
    if new <= current:
        raise InvalidCommand("new_due_date",
                             f"the new due date must be after the current one, {current}")
    if new <= command.today:
        raise InvalidCommand("new_due_date", "the new due date must be after today")
    limit = extension_limit(agency_date(state.registered_at))
    if new > limit:
        raise InvalidCommand("new_due_date", "an extension reaches at most two months from "
                             f"registration in all: {limit.isoformat()} at the latest")
    extended = CaseConsiderationExtended(previous_due_date=current, new_due_date=new,
                                         reason=command.reason,
                                         notice_due_date=notice_due(command.today))
    if state.has_contact:
        return [extended]
    # No contact is held (anonymous, or erased): nobody can be told, and the log says so at once
    # rather than leaving a notice clock that can only be missed.
    return [extended, CaseReporterNotified(channel=NoticeChannel.NOT_POSSIBLE,
                                           notified_on=command.today)]


def _forward_due(state: CaseState) -> date:
    assert state.registered_at is not None
    return forward_due(agency_date(state.registered_at))


def _forward(state: CaseState, command: ForwardCase) -> CaseForwarded:
    state.require("forward")
    if command.target_kind is ForwardTargetKind.REGION:
        if command.target_region is None:
            raise InvalidCommand("target_region", "a forward to a region names the region")
        if command.target_region == state.region:
            raise InvalidCommand("target_region",
                                 f"the case is already in {command.target_region.value}")
    elif command.target_body is None:
        raise InvalidCommand("target_body", "a forward to a body names the body")
    return CaseForwarded(
        target_kind=command.target_kind,
        target_region=command.target_region if command.target_kind is ForwardTargetKind.REGION
        else None,
        target_body=command.target_body if command.target_kind is ForwardTargetKind.BODY
        else None,
        reason=command.reason, forward_due_date=_forward_due(state))


def evolve_clock(s: CaseState, envelope: EventEnvelope, payload: EventPayload) -> CaseState:
    """The state after one clock event (other events leave it as it is)."""
    match payload:
        case CaseConsiderationExtended():
            return replace(s, extended_due_date=payload.new_due_date,
                           extensions=s.extensions + 1,
                           extended_on=agency_date(envelope.occurred_at),
                           notice_due_date=payload.notice_due_date, notified_on=None,
                           notice_channel=None)
        case CaseReporterNotified():
            return replace(s, notified_on=payload.notified_on, notice_channel=payload.channel)
        case CaseMarkedMisdirected():
            return replace(s, misdirected_reason=payload.reason,
                           forward_due_date=payload.forward_due_date)
        case CaseForwarded():
            target = payload.target_region.value if payload.target_region else payload.target_body
            return replace(s, forwarded_to=target, forwarded_at=envelope.occurred_at,
                           forward_due_date=payload.forward_due_date,
                           finished_at=envelope.occurred_at)
    return s
