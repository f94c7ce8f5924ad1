"""KPI definitions checked against a hand-computed fixture (values worked out in the comments)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.reporting import kpis
from services.reporting.kpis import CaseFacts, DirectiveFacts, Period, ReviewFacts
from tests.support.timeline import at

pytestmark = pytest.mark.unit

FIRST_FOUR_MONTHS = Period(date(2026, 1, 1), date(2026, 4, 30))
TODAY = date(2026, 6, 1)


def case(case_id: str, region: str, registered: str, resolved: str | None = None,
         outcome: str | None = None, status: str = "resolved", due: str | None = None,
         reopens: int = 0, reviews: int = 0) -> CaseFacts:
    return CaseFacts(case_id, region, "land", status, date.fromisoformat(registered),
                     date.fromisoformat(resolved) if resolved else None, outcome,
                     date.fromisoformat(due) if due else None, reopens, reviews)


CASES = [
    # 15 working days after Mon 5 Jan 2026, skipping 7 Jan (Orthodox Christmas): 27 Jan.
    case("A", "KZ-75", "2026-01-05", "2026-01-27", "confirmed"),               # 22 days, on time
    # after Mon 2 Mar: 9 Mar (8 Mar moved) and 23-25 Mar (Nauryz) are off: deadline 27 Mar.
    case("B", "KZ-75", "2026-03-02", "2026-03-30", "not_confirmed", reopens=1, reviews=1),  # late
    case("C", "KZ-75", "2026-02-10", "2026-02-15", "confirmed", due="2026-02-20", reviews=1),
    case("D", "KZ-11", "2026-04-01", status="triaged", due="2026-04-10"),     # open, deadline gone
    case("F", "KZ-75", "2025-12-31", "2026-01-10", "referred_to_law_enforcement"),  # 10 days
    case("G", "KZ-11", "2026-05-03", status="registered"),                   # after the period
]
REVIEWS = [ReviewFacts("KZ-75", "approved", date(2026, 3, 1)),
           ReviewFacts("KZ-75", "returned", date(2026, 3, 5)),
           ReviewFacts("KZ-75", "approved", date(2026, 5, 2)),
           ReviewFacts("KZ-11", None, None)]
DIRECTIVES = [
    DirectiveFacts("KZ-75", "Akimat", "reported", date(2026, 2, 27), date(2026, 2, 26)),
    DirectiveFacts("KZ-75", "Akimat", "verified", date(2026, 3, 13), date(2026, 3, 20)),
    DirectiveFacts("KZ-11", "Police", "acknowledged", date(2026, 4, 15), None),
    DirectiveFacts("KZ-11", "Police", "issued", date(2026, 4, 30), None),
    DirectiveFacts("KZ-11", "Police", "cancelled", date(2026, 3, 1), None),
    DirectiveFacts("KZ-11", "Police", "issued", date(2026, 5, 5), None),
]


def report() -> dict[str, Any]:
    return kpis.summary(CASES, REVIEWS, DIRECTIVES, FIRST_FOUR_MONTHS, TODAY)


def test_working_day_deadlines_skip_weekends_holidays_and_moved_days_off() -> None:
    deadlines = {c.case_id: c.deadline for c in CASES}
    assert deadlines["A"] == date(2026, 1, 27)
    assert deadlines["B"] == date(2026, 3, 27)
    assert deadlines["C"] == date(2026, 2, 20)  # assignment's deadline wins


def test_counts_outcomes_median_and_p90_for_the_first_four_months() -> None:
    body = report()
    assert body["registered"] == 4  # A B C D; F is before, G after
    assert body["resolved"] == 4  # A B C F
    assert body["resolved_by_outcome"] == {"confirmed": 2, "not_confirmed": 1,
                                           "referred_to_law_enforcement": 1}
    assert body["median_days_to_resolve"] == 16.0  # [5, 10, 22, 28]
    assert body["p90_days_to_resolve"] == 28.0  # nearest rank ceil(0.9 * 4) = 4th


def test_breaches_reopens_reviews_and_approvals() -> None:
    body = report()
    assert body["deadline_breaches"] == 2  # B resolved after 27 Mar, D open past 10 Apr
    assert body["reopen_rate"] == 0.25
    assert body["review_coverage"] == 0.5
    assert body["approval_rate"] == 0.5  # the 2 May approval is outside the period


def test_directives_by_addressee_use_the_extended_due_date_and_skip_cancelled() -> None:
    assert report()["directives_by_addressee"] == {
        "Akimat": {"completed_on_time": 1, "completed_late": 1, "overdue": 0, "pending": 0},
        "Police": {"completed_on_time": 0, "completed_late": 0, "overdue": 1, "pending": 1},
    }


def test_per_region_breakdown_and_month_by_month_series() -> None:
    body = report()
    assert {r: k["registered"] for r, k in body["by_region"].items()} == {"KZ-11": 1, "KZ-75": 3}
    months = body["months"]
    assert [m["from"] for m in months] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert [m["to"] for m in months][-1] == "2026-04-30"
    assert [m["registered"] for m in months] == [1, 1, 1, 1]
    assert [m["resolved"] for m in months] == [2, 1, 1, 0]
    assert months[0]["median_days_to_resolve"] == 16.0  # A 22, F 10
    assert [m["deadline_breaches"] for m in months] == [0, 0, 1, 1]


def test_period_boundaries_are_inclusive_dates() -> None:
    one_day = Period(date(2026, 1, 27), date(2026, 1, 27))
    assert kpis.resolved_in(CASES, one_day)[0].case_id == "A"
    assert kpis.registered(CASES, Period(date(2026, 1, 6), date(2026, 3, 1))) == 1  # C only


def test_a_case_counts_on_its_almaty_date_not_its_utc_date() -> None:
    row = {"case_id": "T", "region": "KZ-75", "sector": "land", "status": "resolved",
           "registered_at": at("2026-04-30 20:00"), "resolved_at": at("2026-05-01 18:59"),
           "outcome": "confirmed", "due_date": None, "reopen_count": 0, "reviews_opened": 0,
           "extensions": 0, "notice_due_date": None, "notified_on": None, "notice_channel": None,
           "notices_late": 0, "forward_due_date": None, "forwarded_at": None}
    facts = kpis.case_facts(row)
    assert facts.registered_on == date(2026, 5, 1)  # 01:00 in Almaty (UTC+5)
    assert facts.resolved_on == date(2026, 5, 1)  # 23:59 in Almaty
    assert kpis.registered([facts], FIRST_FOUR_MONTHS) == 0
    assert kpis.days_to_resolve([facts], Period(date(2026, 5, 1), date(2026, 5, 31))) == [0]


def test_empty_periods_have_no_rates_and_no_medians() -> None:
    body = kpis.kpis([], [], [], FIRST_FOUR_MONTHS, TODAY)
    assert body["median_days_to_resolve"] is None and body["reopen_rate"] is None
    assert body["approval_rate"] is None and body["registered"] == 0


def test_the_breakdown_counts_the_periods_registrations_by_status_and_sector_and_its_verdicts() -> None:
    body = report()
    # registered in Jan-Apr: A, B, C (resolved) and D (triaged); F is from 2025, G from May.
    assert body["cases_by_status"] == {"resolved": 3, "triaged": 1}
    assert body["cases_by_sector"] == {"land": 4}
    # verdicts recorded in the period: 1 Mar approved, 5 Mar returned (2 May is after it).
    assert body["review_outcomes"] == {"approved": 1, "returned": 1}
    assert "cases_by_status" not in body["by_region"]["KZ-75"]
