"""Export cells and the read-time columns (deadline, overdue, days overdue)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.reporting.exports import cell, csv_line, summary_lines
from services.reporting.queries import day_starts, with_days_overdue, with_overdue
from tests.support.timeline import at

pytestmark = pytest.mark.unit


def case_row(**overrides: Any) -> dict[str, Any]:
    return {"case_id": "c", "region": "KZ-75", "sector": "land", "status": "triaged",
            "registered_at": at("2026-01-05 04:00"), "resolved_at": None, "outcome": None,
            "due_date": None, "reopen_count": 0, "reviews_opened": 0, "extensions": 0,
            "notice_due_date": None, "notified_on": None, "notice_channel": None,
            "notices_late": 0, "forward_due_date": None, "forwarded_at": None, **overrides}


def test_cells_are_utc_timestamps_iso_dates_and_lowercase_booleans() -> None:
    assert cell(at("2026-01-05 04:00")) == "2026-01-05T04:00:00.000000Z"
    assert cell(date(2026, 1, 5)) == "2026-01-05" and cell(True) == "true" and cell(None) == ""
    assert csv_line(["a,b", 1]) == '"a,b",1\r\n'


def test_an_open_case_is_overdue_after_its_working_day_deadline() -> None:
    assert with_overdue(case_row(), date(2026, 1, 27))["overdue"] is False
    late = with_overdue(case_row(), date(2026, 1, 28))
    assert late["deadline"] == date(2026, 1, 27) and late["overdue"] is True


def test_a_case_resolved_after_its_deadline_stays_marked_overdue() -> None:
    row = case_row(status="resolved", resolved_at=at("2026-01-28 04:00"), outcome="confirmed")
    assert with_overdue(row, date(2026, 6, 1))["overdue"] is True
    row = case_row(status="resolved", resolved_at=at("2026-01-26 04:00"), outcome="confirmed")
    assert with_overdue(row, date(2026, 6, 1))["overdue"] is False


def test_days_overdue_count_to_the_completion_report_or_today_and_not_for_cancelled() -> None:
    base = {"due_date": date(2026, 3, 13), "status": "issued", "completed_at": None}
    assert with_days_overdue(base, date(2026, 3, 20))["days_overdue"] == 7
    done = {**base, "status": "reported", "completed_at": at("2026-03-15 20:00")}
    assert with_days_overdue(done, date(2026, 6, 1))["days_overdue"] == 3  # 16 Mar in Almaty
    cancelled = {**base, "status": "cancelled"}
    assert with_days_overdue(cancelled, date(2026, 6, 1))["days_overdue"] == 0


def test_the_summary_csv_flattens_totals_regions_and_months() -> None:
    kpi = {"from": "2026-01-01", "to": "2026-01-31", "registered": 2,
           "resolved_by_outcome": {"confirmed": 1}, "directives_by_addressee": {}}
    body = {**kpi, "region": None, "sector": None, "time_zone": "Asia/Almaty",
            "by_region": {"KZ-75": kpi}, "months": [kpi]}
    lines = summary_lines(body)
    assert lines[0] == "scope,period_from,period_to,metric,key,value\r\n"
    assert "all,2026-01-01,2026-01-31,registered,,2\r\n" in lines
    assert "region:KZ-75,2026-01-01,2026-01-31,resolved_by_outcome,confirmed,1\r\n" in lines
    assert "month:2026-01,2026-01-01,2026-01-31,registered,,2\r\n" in lines


def test_period_filters_start_and_end_at_almaty_midnight() -> None:
    assert day_starts(date(2026, 5, 1)) == at("2026-04-30 19:00")
    assert day_starts(date(2026, 4, 30), after=True) == at("2026-04-30 19:00")
    assert day_starts(None) is None
