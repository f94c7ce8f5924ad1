"""The case register's clock columns and the clock KPIs, from a case's events in any order."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

import events
from events import EventEnvelope
from events.asyncapi import ANALYTICS_FACT_REF
from services.reporting.analytics import analytics_fact
from services.reporting.clocks import CaseClocks, clock_counts
from services.reporting.facts import Fact
from services.reporting.model import case_row, direct_subject, project_all
from tests.unit.reporting.clock_scenario import clock_scenario

pytestmark = pytest.mark.unit


def _rows() -> dict[str, dict[str, object]]:
    world = clock_scenario()
    rows = {}
    for case_id in (world.extended_id, world.anonymous_id, world.forwarded_late_id,
                    world.forwarded_id):
        row = case_row(case_id, [f for f in world.facts if direct_subject(f) == case_id])
        assert row is not None
        rows[case_id] = row
    return rows


def test_an_extended_case_shows_its_due_date_extensions_and_notice() -> None:
    world = clock_scenario()
    row = _rows()[world.extended_id]
    assert (row["due_date"], row["deadline_source"]) == (date(2027, 1, 15), "extension")
    assert (row["extensions"], row["extended_due_date"]) == (2, date(2027, 1, 29))
    assert (row["notice_due_date"], row["notified_on"]) == (date(2027, 1, 13), None)
    assert row["notices_late"] == 1  # the first, told two days after its due date
    # the missed notice's escalation is not the case's own deadline level
    assert row["escalation_level"] is None and row["status"] == "registered"


def test_an_anonymous_extension_records_that_notice_was_not_possible() -> None:
    world = clock_scenario()
    row = _rows()[world.anonymous_id]
    assert (row["notice_channel"], row["notified_on"], row["notices_late"]) == (
        "not_possible", date(2026, 12, 15), 0)


def test_a_forwarded_case_names_where_and_when() -> None:
    world = clock_scenario()
    rows = _rows()
    late, on_time = rows[world.forwarded_late_id], rows[world.forwarded_id]
    assert (late["status"], late["forwarded_to"], late["forward_due_date"]) == (
        "forwarded", "KZ-71", date(2026, 12, 3))
    assert on_time["forwarded_to"] == "Ministry of Education"


def test_the_clock_columns_do_not_depend_on_delivery_order_and_equal_a_rebuild() -> None:
    world = clock_scenario()
    expected = _rows()
    rng = random.Random(17)
    for _ in range(5):
        delivered = world.facts + rng.sample(world.facts, k=5)
        rng.shuffle(delivered)
        rebuilt = {r["case_id"]: r for r in project_all(delivered).cases}
        assert rebuilt == expected


def test_the_clock_kpis_count_extensions_late_notices_and_forwards_of_the_cohort() -> None:
    cases = [
        CaseClocks("KZ-75", date(2026, 11, 30), 2, date(2027, 1, 13), None, None, 1, None, None),
        CaseClocks("KZ-75", date(2026, 11, 30), 1, date(2026, 12, 21), date(2026, 12, 15),
                   "not_possible", 0, None, None),
        CaseClocks("KZ-75", date(2026, 11, 30), 0, None, None, None, 0, date(2026, 12, 3),
                   date(2026, 12, 7)),
        CaseClocks("KZ-71", date(2026, 11, 30), 0, None, None, None, 0, date(2026, 12, 3),
                   date(2026, 12, 3)),
        CaseClocks("KZ-71", date(2026, 10, 30), 3, None, None, None, 2, None, None),  # earlier
    ]
    before_owed = clock_counts(cases, date(2026, 11, 1), date(2026, 11, 30), date(2027, 1, 13))
    assert before_owed == {"extended_cases": 2, "extensions": 3, "late_notices": 1,
                           "notices_not_possible": 1, "forwarded": 2, "forwarded_late": 1}
    after = clock_counts(cases, date(2026, 11, 1), date(2026, 11, 30), date(2027, 1, 14))
    assert after["late_notices"] == 2  # the owed notice is late from the day after its due


@pytest.mark.parametrize("event_type", ["case.consideration_extended", "case.reporter_notified",
                                        "case.marked_misdirected", "case.forwarded"])
def test_a_clock_events_analytics_fact_carries_its_codes_and_dates_never_its_reason(
        event_type: str) -> None:
    golden = Path(events.__file__).parent / "golden" / f"{event_type}.v1.json"
    envelope = EventEnvelope.model_validate(json.loads(golden.read_text()))
    record = analytics_fact(Fact.of(envelope, "casetrack.intake.v1"), None, key="k" * 32)
    schema = json.loads((Path(events.__file__).parent / ANALYTICS_FACT_REF).read_text())
    assert set(record) <= set(schema["properties"])
    assert "reason" not in record and "target_body" not in record
    coded = {k: v for k, v in envelope.payload.items() if k not in ("reason", "target_body")}
    assert {k: record[k] for k in coded if coded[k] is not None} == {
        k: v for k, v in coded.items() if v is not None}
