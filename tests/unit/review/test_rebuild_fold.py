"""review's rebuild fold: the subject rows come out as the opener and the projection left them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from events import EventEnvelope
from events.cases import CaseReopened, CaseTriaged
from events.reviews import ReviewClaimed, ReviewOpened, ReviewVerdictRecorded
from services.review.rebuild import REVIEWS, SUBJECTS, fold
from services.runtime.rebuild_owned import Source
from tests.support.envelopes import event, registered, resolved

pytestmark = pytest.mark.unit


def opened(review_id: str, case_id: str, trigger: EventEnvelope,
           previous: str | None = None) -> EventEnvelope:
    return event(review_id, "review", 1, ReviewOpened.model_validate({
        "subject_id": case_id, "subject_type": "case", "region": "KZ-75", "reason": "high_risk",
        "due_date": date(2026, 12, 31), "previous_review_id": previous, "resolver_id": "op-1",
        "assignee_id": None, "trigger_event_id": str(trigger.event_id)}),
        cause=trigger, actor="review-opener")


def returned(review_id: str, case_id: str, version: int) -> EventEnvelope:
    return event(review_id, "review", version, ReviewVerdictRecorded.model_validate({
        "subject_id": case_id, "subject_type": "case", "verdict": "returned",
        "findings": "No evidence.", "flags": ["other"], "reviewer_id": "mon-1"}), actor="mon-1")


def reopened(case_id: str, version: int, review_id: str, verdict: EventEnvelope) -> EventEnvelope:
    return event(case_id, "case", version, CaseReopened(reason="Returned by review",
                                                        review_id=review_id, findings=None,
                                                        flags=[]), cause=verdict)


def rows(table: Any, found: dict[str, list[tuple[Any, ...]]]) -> dict[str, dict[str, Any]]:
    return {r[0]: dict(zip(table.columns, r, strict=True)) for r in found[table.name]}


def test_an_opening_clears_the_return_it_follows_and_a_later_return_stays() -> None:
    """Reviewed again after its return: cleared; returned after its last opening: still named,
    though review's own log holds that opening before the return."""
    again, left = "case-again", "case-left"
    own: list[EventEnvelope] = []
    consumed: list[EventEnvelope] = []
    for case_id in (again, left):
        first_resolution = resolved(case_id, 3)
        consumed += [registered(case_id),
                     event(case_id, "case", 2, CaseTriaged(risk_level="high", category="x",
                                                           notes=None)),
                     first_resolution]
        opening = opened(f"rv-{case_id}-1", case_id, first_resolution)
        verdict = returned(f"rv-{case_id}-1", case_id, 3)
        own += [opening, event(f"rv-{case_id}-1", "review", 2, ReviewClaimed(reviewer_id="mon-1"),
                               actor="mon-1"), verdict]
        consumed.append(reopened(case_id, 4, f"rv-{case_id}-1", verdict))
    second_resolution = resolved(again, 5)
    consumed.append(second_resolution)
    own.append(opened(f"rv-{again}-2", again, second_resolution, previous=f"rv-{again}-1"))

    found = fold(Source(own, [(e, "casetrack.intake.v1") for e in consumed]))

    subjects, reviews = rows(SUBJECTS, found), rows(REVIEWS, found)
    assert subjects[again]["returned_by_review_id"] is None
    assert subjects[again]["open_review_id"] == subjects[again]["last_review_id"] == f"rv-{again}-2"
    assert subjects[left]["returned_by_review_id"] == f"rv-{left}-1"
    assert subjects[left]["open_review_id"] is None
    assert subjects[left]["risk_level"] == "high" and subjects[left]["resolver_ids"] == ["op-1"]
    assert reviews[f"rv-{left}-1"]["status"] == "decided"
    assert reviews[f"rv-{left}-1"]["verdict"] == "returned"
    assert reviews[f"rv-{again}-2"]["status"] == "open"

