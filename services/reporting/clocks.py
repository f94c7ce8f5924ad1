"""A case's legal clocks in reporting: the case register's clock columns (a pure fold of the
case's own events) and the clock KPIs — extensions, late notices, forwarded and late-forwarded
cases — for the summary and the four-month period report.

Every count is over the cases **registered in the period** (Almaty dates), so a period's numbers
are fixed once its cases are: a notice still pending counts late once its due date is before the
day measured on (the summary: today or the period's end, whichever is earlier; the period
report: the period's end).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.calendar import AGENCY_TIME_ZONE, agency_date
from services.reporting.facts import Fact, Row
from services.runtime.db import Conn

SCHEMA = "reporting"
EXTENDED = "case.consideration_extended"
NOTIFIED = "case.reporter_notified"
MISDIRECTED = "case.marked_misdirected"
FORWARDED = "case.forwarded"
NOT_POSSIBLE = "not_possible"


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def clock_columns(own: Sequence[Fact]) -> Row:
    """The register's clock columns from a case's own events, in stream order."""
    extensions, late = 0, 0
    extended_due = notice_due = notified_on = forward_due = None
    channel = forwarded_to = forwarded_at = None
    for fact in own:
        data = fact.data
        if fact.event_type == EXTENDED:
            if notice_due is not None and notified_on is None:
                late += 1  # superseded before anyone told the reporter of it
            extensions += 1
            extended_due, notice_due = _day(data["new_due_date"]), _day(data["notice_due_date"])
            notified_on = channel = None
        elif fact.event_type == NOTIFIED and notice_due is not None and notified_on is None:
            notified_on, channel = _day(data["notified_on"]), str(data["channel"])
            late += notified_on is not None and notified_on > notice_due
        elif fact.event_type == MISDIRECTED:
            forward_due = _day(data["forward_due_date"])
        elif fact.event_type == FORWARDED:
            forward_due = _day(data["forward_due_date"])
            forwarded_to = data.get("target_region") or data.get("target_body")
            forwarded_at = fact.occurred_at
    return {"extensions": extensions, "extended_due_date": extended_due,
            "notice_due_date": notice_due, "notified_on": notified_on,
            "notice_channel": channel, "notices_late": late, "forward_due_date": forward_due,
            "forwarded_to": forwarded_to, "forwarded_at": forwarded_at}


@dataclass(frozen=True)
class CaseClocks:
    """What the clock KPIs need of one case (from its register row)."""

    region: str
    registered_on: date
    extensions: int
    notice_due_date: date | None
    notified_on: date | None
    notice_channel: str | None
    notices_late: int
    forward_due_date: date | None
    forwarded_on: date | None

    def late_notices(self, on: date) -> int:
        """Notices given late or never (superseded), plus the latest if still owed past due."""
        owed = (self.notice_due_date is not None and self.notified_on is None
                and self.notice_due_date < on)
        return self.notices_late + owed

    @property
    def forwarded_late(self) -> bool:
        """Forwarded after the 3 working days from registration."""
        return (self.forwarded_on is not None and self.forward_due_date is not None
                and self.forwarded_on > self.forward_due_date)


def case_clocks(row: Any) -> CaseClocks:
    """CaseClocks from a case_register row."""
    return CaseClocks(row["region"], agency_date(row["registered_at"]), row["extensions"],
                      row["notice_due_date"], row["notified_on"], row["notice_channel"],
                      row["notices_late"], row["forward_due_date"],
                      agency_date(row["forwarded_at"]) if row["forwarded_at"] else None)


def clock_counts(cases: Iterable[CaseClocks], start: date, end: date, on: date
                 ) -> dict[str, int]:
    """The clock KPIs of the cases registered from `start` to `end`, late notices as of `on`."""
    cohort = [c for c in cases if start <= c.registered_on <= end]
    return {
        "extended_cases": sum(1 for c in cohort if c.extensions > 0),
        "extensions": sum(c.extensions for c in cohort),
        "late_notices": sum(c.late_notices(on) for c in cohort),
        "notices_not_possible": sum(1 for c in cohort if c.notice_channel == NOT_POSSIBLE),
        "forwarded": sum(1 for c in cohort if c.forwarded_on is not None),
        "forwarded_late": sum(1 for c in cohort if c.forwarded_late),
    }


CLOCKS_SQL = """SELECT region, registered_at, extensions, notice_due_date, notified_on,
                       notice_channel, notices_late, forward_due_date, forwarded_at
                FROM {schema}.case_register
                WHERE ($1::text IS NULL OR region = $1)
                  AND (registered_at AT TIME ZONE '{time_zone}')::date BETWEEN $2 AND $3"""


async def clocks_for_period(conn: Conn, start: date, end: date, region: str | None,
                            *, on: date | None = None, schema: str = SCHEMA) -> dict[str, Any]:
    """The period report's clock section: totals and per region, for cases registered in the
    period; a notice still owed counts late once due before `on` (default: the period's end)."""
    sql = CLOCKS_SQL.format(schema=schema, time_zone=AGENCY_TIME_ZONE.key)
    rows = await conn.fetch(sql, region, start, end)
    cases = [case_clocks(r) for r in rows]
    measured = on or end
    return {
        "from": start.isoformat(), "to": end.isoformat(), "region": region,
        "late_notices_as_of": measured.isoformat(),
        **clock_counts(cases, start, end, measured),
        "by_region": {r: clock_counts([c for c in cases if c.region == r], start, end, measured)
                      for r in sorted({c.region for c in cases})},
    }
