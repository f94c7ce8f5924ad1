"""`assignment.escalated` v2 names its clock: a v1 escalation reads with `clock` null (the
subject's due date), the log untouched, and reporting keeps it as the due date's escalation."""

from __future__ import annotations

import pytest

from events import REGISTRY, AssignmentEscalated, compute_hash
from services.reporting.facts import Fact
from services.reporting.model import case_row
from tests.support.envelopes import golden, registered

pytestmark = pytest.mark.unit


def test_a_v1_escalation_reads_as_v2_with_no_clock_and_its_stored_payload_unchanged() -> None:
    v1 = golden("assignment.escalated", 1)
    read = REGISTRY.read(v1)
    assert isinstance(read, AssignmentEscalated) and read.clock is None
    assert "clock" not in v1.payload
    assert compute_hash(v1.prev_hash, v1.hashed_body()) == v1.hash


def test_the_v2_golden_sample_is_a_missed_notice_with_its_own_breach() -> None:
    v2 = golden("assignment.escalated", 2)
    read = REGISTRY.read(v2)
    assert isinstance(read, AssignmentEscalated) and read.clock == "extension_notice"
    assert read.breach.endswith(":extension_notice:overdue:2026-12-02")


def test_reporting_shows_a_v1_escalation_as_the_cases_level_and_a_side_clocks_not() -> None:
    v1, v2 = golden("assignment.escalated", 1), golden("assignment.escalated", 2)
    case = registered(v1.stream_id)
    facts = [Fact.of(case, "casetrack.intake.v1"), Fact.of(v1, "casetrack.assignment.v1")]
    row = case_row(v1.stream_id, facts)
    assert row is not None and row["escalation_level"] == "overdue"
    only_side = [facts[0], Fact.of(v2, "casetrack.assignment.v1")]
    side_row = case_row(v1.stream_id, only_side)
    assert side_row is not None and side_row["escalation_level"] is None
