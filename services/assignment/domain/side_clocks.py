"""A subject's side clocks as assignment tracks them: the reporter's notice of an extension, the
forwarding of a misdirected case and a central body's acknowledgement of a directive addressed
to it. Their due dates come from assignment's own
`assignment.deadline_set` events; whether each was met comes from intake's events, read here
once for the planner and its rebuild alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.assignment.domain.assignment import SubjectState
from services.assignment.domain.clocks import (
    DIRECTIVE_ACKNOWLEDGEMENT,
    EXTENSION_NOTICE,
    MISDIRECTED_FORWARD,
)

EXTENDED = "case.consideration_extended"
NOTIFIED = "case.reporter_notified"
MISDIRECTED = "case.marked_misdirected"
FORWARDED = "case.forwarded"
ACKNOWLEDGED = "directive.acknowledged"
TRACKED = frozenset({EXTENDED, NOTIFIED, MISDIRECTED, ACKNOWLEDGED})
"""Intake events that start or meet a side clock (besides those that end a case)."""


def after_intake(state: SubjectState, event_type: str, ends_case: bool) -> SubjectState:
    """The side clocks' flags after one intake event: an extension owes a new notice, a notice
    meets it; marking a case misdirected starts its forwarding, and the case's end in any way
    (forwarded, resolved, withdrawn, duplicate) stops it."""
    if event_type == EXTENDED:
        return replace(state, notice_done=False)
    if event_type == NOTIFIED:
        return replace(state, notice_done=True)
    if event_type == MISDIRECTED:
        return replace(state, forward_done=False)
    if event_type == ACKNOWLEDGED:
        return replace(state, ack_done=True)
    if ends_case:  # whatever its clock: the flag reads intake's events only, as a rebuild does
        return replace(state, forward_done=True, ack_done=True)
    return state


def pending(state: SubjectState) -> list[tuple[str, date]]:
    """The side clocks still running, with their due dates (they run on a closed subject too:
    a resolved case still owes the reporter the notice of its extension)."""
    running = []
    if state.notice_due_date is not None and not state.notice_done:
        running.append((EXTENSION_NOTICE, state.notice_due_date))
    if state.forward_due_date is not None and not state.forward_done:
        running.append((MISDIRECTED_FORWARD, state.forward_due_date))
    if state.ack_due_date is not None and not state.ack_done:
        running.append((DIRECTIVE_ACKNOWLEDGEMENT, state.ack_due_date))
    return running
