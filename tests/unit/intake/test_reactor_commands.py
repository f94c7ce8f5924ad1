"""What other services' events mean to intake, and how refused commands answer over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from events import Actor, AssignmentKind, EventEnvelope, new_event_id
from services.intake.consumers import command_for
from services.intake.domain.commands import RecordAssignment, RecordVerdict, StartReview
from services.intake.domain.errors import FourEyesViolation, IllegalTransition, InvalidCommand
from services.runtime.problems import domain_problem

pytestmark = pytest.mark.unit


def _envelope(event_type: str, stream_id: str, payload: dict[str, Any]) -> EventEnvelope:
    now = datetime(2026, 11, 30, 5, tzinfo=UTC)
    return EventEnvelope.seal(
        prev_hash="0" * 64, stream_id=stream_id, stream_type=event_type.split(".")[0],
        version=1, event_id=new_event_id(), event_type=event_type, schema_version=1,
        occurred_at=now, recorded_at=now, actor=Actor(id="m", role="monitor", region=None),
        correlation_id=None, causation_id=None, payload=payload)


def test_an_assignment_of_a_case_becomes_record_assignment_stamped_with_its_time() -> None:
    envelope = _envelope("assignment.made", "c1", {"subject_type": "case", "office_id": "o",
                                                   "officer_id": "u", "kind": "manual"})
    command = command_for(envelope, envelope.payload)
    assert isinstance(command, RecordAssignment) and command.kind is AssignmentKind.MANUAL
    assert command.assignment_event_id == str(envelope.event_id)
    assert command.occurred_at == envelope.occurred_at


def test_an_assignment_of_a_directive_means_nothing_to_intake() -> None:
    envelope = _envelope("assignment.made", "d1", {"subject_type": "directive", "office_id": "o"})
    assert command_for(envelope, envelope.payload) is None


def test_review_events_name_the_review_by_its_stream_and_empty_findings_are_none() -> None:
    opened = _envelope("review.opened", "r1", {"subject_type": "case"})
    assert command_for(opened, opened.payload) == StartReview("r1")
    verdict = _envelope("review.verdict_recorded", "r1", {
        "subject_type": "case", "verdict": "returned", "findings": "", "flags": ["other"]})
    command = command_for(verdict, verdict.payload)
    assert isinstance(command, RecordVerdict)
    assert (command.review_id, command.verdict, command.findings, command.flags) == (
        "r1", "returned", None, ("other",))


def test_other_event_types_are_not_commands() -> None:
    claimed = _envelope("review.claimed", "r1", {"reviewer_id": "m"})
    assert command_for(claimed, claimed.payload) is None


def test_refusals_map_to_409_with_the_state_422_with_the_field_and_403_for_four_eyes() -> None:
    illegal = domain_problem(IllegalTransition("resolve", "registered", ["triage"]))
    assert illegal.status == 409 and illegal.extra["current_state"] == "registered"
    assert illegal.extra["allowed_actions"] == ["triage"]
    invalid = domain_problem(InvalidCommand("new_due_date", "too late"))
    assert invalid.status == 422 and invalid.extra["field"] == "new_due_date"
    assert domain_problem(FourEyesViolation("no")).status == 403
