"""assignment's rebuild fold: a subject's routing facts and status come from the intake events
the planner applied, its holder, clock and version from its own stream."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from events import AssignmentEscalated, AssignmentMade, DeadlineSet
from events.cases import CaseReopened, CaseTriaged
from services.assignment.rebuild import ESCALATIONS, SUBJECTS, fold
from services.runtime.rebuild_owned import Source
from tests.support.envelopes import event, registered, resolved

pytestmark = pytest.mark.unit


def test_a_subject_row_joins_its_intake_status_with_its_own_stream() -> None:
    """Closed by a resolution and open again on reopening; held by whom its stream last named."""
    case_id = "case-1"
    made = AssignmentMade.model_validate({
        "subject_id": case_id, "subject_type": "case", "region": "KZ-75", "office_id": "o-1",
        "officer_id": "officer-1", "kind": "automatic", "rule": "regional", "reason": "rules",
        "previous_officer_id": None})
    deadline = DeadlineSet.model_validate({
        "subject_id": case_id, "subject_type": "case", "due_date": date(2026, 12, 21),
        "clock": "appeal", "basis_event_id": "e-1"})
    escalated = AssignmentEscalated.model_validate({
        "subject_id": case_id, "subject_type": "case", "level": "overdue",
        "due_date": date(2026, 12, 21), "breach": "case-1:overdue:2026-12-21",
        "clock": "appeal"})
    own = [event(case_id, "assignment", v, p) for v, p in
           ((1, deadline), (2, made), (3, escalated))]
    consumed = [registered(case_id),
                event(case_id, "case", 2, CaseTriaged(risk_level="low", category="x", notes=None)),
                resolved(case_id, 3),
                event(case_id, "case", 4, CaseReopened(reason="Again", review_id=None,
                                                       findings=None, flags=[])),
                event("case-unknown", "case", 2, CaseTriaged(risk_level="high", category="x",
                                                             notes=None))]

    found = fold(Source(own, [(e, "casetrack.intake.v1") for e in consumed]))

    subjects = [dict(zip(SUBJECTS.columns, r, strict=True)) for r in found[SUBJECTS.name]]
    assert len(subjects) == 1
    row: dict[str, Any] = subjects[0]
    assert (row["status"], row["risk_level"], row["officer_id"], row["office_id"]) == (
        "open", "low", "officer-1", "o-1")
    assert (row["due_date"], row["clock"], row["version"]) == (date(2026, 12, 21), "appeal", 3)
    assert row["basis_event_id"] == str(consumed[0].event_id)
    breach = dict(zip(ESCALATIONS.columns, found[ESCALATIONS.name][0], strict=True))
    assert breach["breach"] == "case-1:overdue:2026-12-21" and breach["level"] == "overdue"
