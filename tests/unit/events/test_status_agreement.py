"""Intake and reporting read the same status of a case or directive after every event of its life.

Golden streams are replayed prefix by prefix: intake folds the stream through its aggregate,
reporting projects the same events (with other services' events about the subject arriving
before, between and after them, duplicated) through its register rows, its rebuild and the
status its analytics record carries.
"""

from __future__ import annotations

import random

import pytest

from events import EventEnvelope
from events.lifecycle import case_status, directive_status
from services.intake.domain import case as cases
from services.intake.domain import directive as directives
from services.reporting.analytics import status_at
from services.reporting.facts import Fact
from services.reporting.model import case_row, directive_row, project_all
from tests.support.timeline import Stream, assignment_made, review_opened, verdict
from tests.unit.events.golden_streams import CASE_STREAMS, DIRECTIVE_STREAMS, GoldenStream

pytestmark = pytest.mark.unit
ALL_STREAMS = CASE_STREAMS + DIRECTIVE_STREAMS


def _sealed(golden: GoldenStream) -> list[EventEnvelope]:
    stream = Stream(golden.stream_type, f"{golden.stream_type}-{abs(hash(golden.name))}")
    for minute, step in enumerate(golden.steps):
        stream.add(step.event_type, step.payload, f"2026-11-30 04:{minute:02d}")
    return stream.envelopes


def _others(subject_id: str, subject_type: str) -> list[Fact]:
    """Assignment and review events about the subject, from their own topics."""
    assignment = Stream("assignment", subject_id)
    assignment.add("assignment.made", {**assignment_made(subject_id, "officer-1"),
                                       "subject_type": subject_type}, "2026-11-30 03:59")
    review = Stream("review", f"review-of-{subject_id}")
    review.add("review.opened", {**review_opened(subject_id), "subject_type": subject_type},
               "2026-11-30 04:30")
    review.add("review.verdict_recorded", {**verdict(subject_id), "subject_type": subject_type},
               "2026-11-30 04:40")
    return [Fact.of(e, s.topic) for s in (assignment, review) for e in s.envelopes]


def _intake_status(golden: GoldenStream, prefix: list[EventEnvelope]) -> str | None:
    aggregate = cases.CASE if golden.stream_type == "case" else directives.DIRECTIVE
    state = aggregate.fold(prefix[0].stream_id, prefix)
    return None if state.status is None else str(state.status)


def _reporting_status(golden: GoldenStream, subject_id: str, facts: list[Fact]) -> str | None:
    row_of = case_row if golden.stream_type == "case" else directive_row
    row = row_of(subject_id, facts)
    models = project_all(facts)
    rebuilt = models.cases if golden.stream_type == "case" else models.directives
    key = f"{golden.stream_type}_id"
    (rebuilt_row,) = [r for r in rebuilt if r[key] == subject_id]
    assert row is not None and rebuilt_row["status"] == row["status"], "rebuild = incremental"
    return str(row["status"])


@pytest.mark.parametrize("golden", ALL_STREAMS, ids=[g.name for g in ALL_STREAMS])
def test_intake_and_reporting_agree_on_the_status_after_every_event(golden: GoldenStream) -> None:
    envelopes = _sealed(golden)
    subject_id = envelopes[0].stream_id
    others = _others(subject_id, golden.stream_type)
    rng = random.Random(golden.name)
    for n, step in enumerate(golden.steps, start=1):
        prefix = envelopes[:n]
        own = [Fact.of(e, "casetrack.intake.v1") for e in prefix]
        arrived = own + rng.sample(others, k=rng.randint(0, len(others)))
        delivered = arrived + rng.sample(arrived, k=len(arrived) // 2)
        rng.shuffle(delivered)
        intake = _intake_status(golden, prefix)
        reporting = _reporting_status(golden, subject_id, delivered)
        analytics = status_at(own[-1], delivered)  # what the analytics record of the event says
        assert intake == reporting == analytics == step.status, f"after {step.event_type} (#{n})"


def test_a_case_not_yet_registered_has_no_status() -> None:
    assert case_status(["case.triaged", "case.assigned"]) is None
    assert directive_status(["directive.deadline_extended"]) is None


def test_unknown_event_types_leave_the_status_as_it_was() -> None:
    assert case_status(["case.registered", "case.shrugged"]) == "registered"
    assert directive_status(["directive.issued", "directive.pondered"]) == "issued"
