"""Every KPI of the summary report, defined once: pure functions over register facts, plus their SQL.

Periods are inclusive ranges of dates in Asia/Almaty; a timestamp counts on its Almaty date.
The README's "KPI definitions" section states the same rules in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median as _median
from typing import Any

from events.calendar import (
    add_months,
    agency_date,
    kazakhstan_calendar,
    procedure_clocks,
)
from services.reporting.clocks import CaseClocks, case_clocks, clock_counts

RESOLVED_STATES = frozenset({"resolved", "under_review", "closed"})
NOT_PURSUED = frozenset({"withdrawn", "duplicate", "forwarded"})


@dataclass(frozen=True)
class Period:
    """An inclusive range of Almaty dates."""

    start: date
    end: date

    def holds(self, day: date | None) -> bool:
        """Whether a date falls in the period."""
        return day is not None and self.start <= day <= self.end

    def months(self) -> list[Period]:
        """The period cut at month boundaries, in order."""
        cuts, first = [], self.start.replace(day=1)
        while first <= self.end:
            last = add_months(first, 1) - timedelta(days=1)
            cuts.append(Period(max(first, self.start), min(last, self.end)))
            first = add_months(first, 1)
        return cuts


@dataclass(frozen=True)
class CaseFacts:
    """What the KPIs need of one case."""

    case_id: str
    region: str
    sector: str
    status: str
    registered_on: date
    resolved_on: date | None
    outcome: str | None
    due_date: date | None
    reopen_count: int
    reviews_opened: int
    clocks: CaseClocks | None = None
    """The case's legal clocks (extensions, notice, forwarding), when known."""

    @property
    def deadline(self) -> date:
        """The case's deadline: assignment's, else 15 working days after registration."""
        if self.due_date is not None:
            return self.due_date
        return kazakhstan_calendar().add_working_days(self.registered_on,
                                                      procedure_clocks().appeal_working_days)

    @property
    def open(self) -> bool:
        """Still awaiting a resolution (reopened and escalated cases count as open)."""
        return self.status not in RESOLVED_STATES | NOT_PURSUED


@dataclass(frozen=True)
class ReviewFacts:
    """What the KPIs need of one review."""

    region: str | None
    verdict: str | None
    verdict_on: date | None


@dataclass(frozen=True)
class DirectiveFacts:
    """What the KPIs need of one directive."""

    region: str
    addressee: str
    status: str
    due_date: date
    completed_on: date | None


def registered(cases: Iterable[CaseFacts], period: Period) -> int:
    """Cases registered in the period."""
    return sum(1 for c in cases if period.holds(c.registered_on))


def resolved_in(cases: Iterable[CaseFacts], period: Period) -> list[CaseFacts]:
    """Cases whose latest resolution falls in the period (the resolved cohort)."""
    return [c for c in cases if period.holds(c.resolved_on)]


def resolved_by_outcome(cases: Iterable[CaseFacts], period: Period) -> dict[str, int]:
    """The resolved cohort counted by outcome."""
    counts: dict[str, int] = {}
    for case in resolved_in(cases, period):
        counts[case.outcome or "unknown"] = counts.get(case.outcome or "unknown", 0) + 1
    return dict(sorted(counts.items()))


def days_to_resolve(cases: Iterable[CaseFacts], period: Period) -> list[int]:
    """Calendar days from registration to latest resolution, for the resolved cohort."""
    return sorted((c.resolved_on - c.registered_on).days for c in resolved_in(cases, period)
                  if c.resolved_on is not None)


def median(values: Sequence[int]) -> float | None:
    """The median (mean of the middle two for an even count); None when empty."""
    return float(_median(values)) if values else None


def percentile(values: Sequence[int], pct: int) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1])


def deadline_breaches(cases: Iterable[CaseFacts], period: Period, today: date) -> int:
    """Resolved in the period after the deadline, or still open with the deadline passed in it."""
    as_of = min(period.end, today)
    return len({c.case_id for c in cases if _breached(c, period, as_of)})


def _breached(case: CaseFacts, period: Period, as_of: date) -> bool:
    if period.holds(case.resolved_on) and case.resolved_on is not None:
        return case.resolved_on > case.deadline
    return case.open and period.holds(case.deadline) and case.deadline < as_of


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def reopen_rate(cases: Iterable[CaseFacts], period: Period) -> float | None:
    """Share of the resolved cohort that was reopened at least once."""
    cohort = resolved_in(cases, period)
    return _share(sum(1 for c in cohort if c.reopen_count > 0), len(cohort))


def review_coverage(cases: Iterable[CaseFacts], period: Period) -> float | None:
    """Share of the resolved cohort that has had at least one review opened."""
    cohort = resolved_in(cases, period)
    return _share(sum(1 for c in cohort if c.reviews_opened > 0), len(cohort))


def approval_rate(reviews: Iterable[ReviewFacts], period: Period) -> float | None:
    """Share of verdicts recorded in the period that approved."""
    verdicts = [r for r in reviews if r.verdict and period.holds(r.verdict_on)]
    return _share(sum(1 for r in verdicts if r.verdict == "approved"), len(verdicts))


def _counted(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def breakdown(cases: Sequence[CaseFacts], reviews: Sequence[ReviewFacts], period: Period
              ) -> dict[str, dict[str, int]]:
    """Cases registered in the period by current status and by sector; verdicts in it by verdict."""
    cohort = [c for c in cases if period.holds(c.registered_on)]
    return {
        "cases_by_status": _counted(c.status for c in cohort),
        "cases_by_sector": _counted(c.sector for c in cohort),
        "review_outcomes": _counted(r.verdict for r in reviews
                                    if r.verdict and period.holds(r.verdict_on)),
    }


def directives_by_addressee(directives: Iterable[DirectiveFacts], period: Period, today: date
                            ) -> dict[str, dict[str, int]]:
    """Directives due in the period (after extensions), by addressee: on time, late, overdue, pending."""
    as_of = min(period.end, today)
    table: dict[str, dict[str, int]] = {}
    for d in directives:
        if d.status == "cancelled" or not period.holds(d.due_date):
            continue
        if d.completed_on is not None:
            bucket = "completed_on_time" if d.completed_on <= d.due_date else "completed_late"
        else:
            bucket = "overdue" if d.due_date < as_of else "pending"
        row = table.setdefault(d.addressee, {"completed_on_time": 0, "completed_late": 0,
                                             "overdue": 0, "pending": 0})
        row[bucket] += 1
    return dict(sorted(table.items()))


def kpis(cases: Sequence[CaseFacts], reviews: Sequence[ReviewFacts],
         directives: Sequence[DirectiveFacts], period: Period, today: date) -> dict[str, Any]:
    """Every KPI for one period over the given facts."""
    days = days_to_resolve(cases, period)
    return {
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "registered": registered(cases, period),
        "resolved": len(resolved_in(cases, period)),
        "resolved_by_outcome": resolved_by_outcome(cases, period),
        "median_days_to_resolve": median(days), "p90_days_to_resolve": percentile(days, 90),
        "deadline_breaches": deadline_breaches(cases, period, today),
        "reopen_rate": reopen_rate(cases, period),
        "review_coverage": review_coverage(cases, period),
        "approval_rate": approval_rate(reviews, period),
        "directives_by_addressee": directives_by_addressee(directives, period, today),
        **clock_counts([c.clocks for c in cases if c.clocks], period.start, period.end,
                       min(period.end, today)),
    }


def summary(cases: Sequence[CaseFacts], reviews: Sequence[ReviewFacts],
            directives: Sequence[DirectiveFacts], period: Period, today: date) -> dict[str, Any]:
    """The KPIs for the period with its breakdowns, per region, and month by month."""
    regions = sorted({c.region for c in cases} | {d.region for d in directives}
                     | {r.region for r in reviews if r.region})

    def of_region(region: str) -> Callable[[Any], bool]:
        return lambda item: item.region == region

    return {
        **kpis(cases, reviews, directives, period, today),
        **breakdown(cases, reviews, period),
        "by_region": {
            region: kpis([c for c in cases if of_region(region)(c)],
                         [r for r in reviews if of_region(region)(r)],
                         [d for d in directives if of_region(region)(d)], period, today)
            for region in regions
        },
        "months": [kpis(cases, reviews, directives, month, today) for month in period.months()],
    }


CASES_SQL = """SELECT case_id, region, sector, status, registered_at, resolved_at, outcome,
                      due_date, reopen_count, reviews_opened, extensions, notice_due_date,
                      notified_on, notice_channel, notices_late, forward_due_date, forwarded_at
               FROM {schema}.case_register
               WHERE ($1::text[] IS NULL OR region = ANY($1::text[]))
                 AND ($2::text IS NULL OR sector = $2)"""
REVIEWS_SQL = """SELECT r.region, r.verdict, r.verdict_at FROM {schema}.review_register r
                 LEFT JOIN {schema}.case_register c ON c.case_id = r.subject_id
                 WHERE ($1::text[] IS NULL OR r.region = ANY($1::text[]))
                   AND ($2::text IS NULL OR c.sector = $2)"""
DIRECTIVES_SQL = """SELECT region, addressee_body, status, due_date, completed_at
                    FROM {schema}.directive_register
                    WHERE ($1::text[] IS NULL OR region = ANY($1::text[]))"""


def case_facts(row: Any) -> CaseFacts:
    """CaseFacts from a case_register row."""
    return CaseFacts(row["case_id"], row["region"], row["sector"], row["status"],
                     agency_date(row["registered_at"]),
                     agency_date(row["resolved_at"]) if row["resolved_at"] else None,
                     row["outcome"], row["due_date"], row["reopen_count"], row["reviews_opened"],
                     case_clocks(row))


def review_facts(row: Any) -> ReviewFacts:
    """ReviewFacts from a review_register row."""
    return ReviewFacts(row["region"], row["verdict"],
                       agency_date(row["verdict_at"]) if row["verdict_at"] else None)


def directive_facts(row: Any) -> DirectiveFacts:
    """DirectiveFacts from a directive_register row."""
    return DirectiveFacts(row["region"], row["addressee_body"], row["status"], row["due_date"],
                          agency_date(row["completed_at"]) if row["completed_at"] else None)

