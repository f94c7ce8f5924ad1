"""Central state bodies' responsiveness to directives: pure functions over directive facts.

A directive is addressed to a central body when its `addressee_body` is a catalog code
(`events/central_bodies.py`); the rules below are the README's "Central bodies' responsiveness".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from events.calendar import agency_date
from events.central_bodies import CentralBodyCatalog, central_bodies
from services.reporting.facts import Fact
from services.reporting.kpis import Period

LOCAL = "local"
"""The one row every directive to a local (free-text) addressee is counted under."""


@dataclass(frozen=True)
class BodyDirective:
    """What responsiveness needs of one directive, from its own stream."""

    directive_id: str
    region: str
    addressee: str
    issued_on: date
    acknowledged_on: date | None
    original_due: date
    due: date
    """The due date in force: extensions granted on or before the date they replace move it."""
    extended: int
    extended_after_due: int
    reported_on: date | None
    cancelled: bool


def body_directive(directive_id: str, own: Sequence[Fact]) -> BodyDirective | None:
    """One directive's responsiveness facts, from its stream's events (None before its issue)."""
    stream = sorted(own, key=lambda f: f.version)
    issued = next((f for f in stream if f.event_type == "directive.issued"), None)
    if issued is None:
        return None
    original = date.fromisoformat(str(issued.data["due_date"])[:10])
    due, extended, late_extensions = original, 0, 0
    acknowledged = reported = None
    cancelled = False
    for fact in stream:
        on = agency_date(fact.occurred_at)
        if fact.event_type == "directive.acknowledged" and acknowledged is None:
            acknowledged = on
        elif fact.event_type == "directive.completion_reported" and reported is None:
            reported = on
        elif fact.event_type == "directive.cancelled":
            cancelled = True
        elif fact.event_type == "directive.deadline_extended":
            extended += 1
            if on <= due:
                due = date.fromisoformat(str(fact.data["new_due_date"])[:10])
            else:  # the body was already late: a later extension does not excuse it
                late_extensions += 1
    return BodyDirective(directive_id, str(issued.data.get("region")),
                         str(issued.data.get("addressee_body", "")), agency_date(issued.occurred_at),
                         acknowledged, original, due, extended, late_extensions, reported, cancelled)


def body_directives(facts: Iterable[Fact]) -> list[BodyDirective]:
    """Every issued directive among the facts (other streams are ignored)."""
    streams: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.stream_type == "directive":
            streams.setdefault(fact.stream_id, []).append(fact)
    found = (body_directive(sid, stream) for sid, stream in sorted(streams.items()))
    return [d for d in found if d is not None]


def acknowledgement(d: BodyDirective, as_of: date, catalog: CentralBodyCatalog) -> str:
    """`on_time`, `late`, `missed` (not acknowledged, deadline passed) or `pending`."""
    due = catalog.acknowledgement_due(d.issued_on)
    if d.acknowledged_on is not None and d.acknowledged_on <= as_of:
        return "on_time" if d.acknowledged_on <= due else "late"
    return "missed" if due < as_of else "pending"


def report_state(d: BodyDirective, as_of: date) -> str:
    """`on_time`, `late` (reported after the due date), `overdue` (not reported, due passed)
    or `pending`."""
    if d.reported_on is not None and d.reported_on <= as_of:
        return "on_time" if d.reported_on <= d.due else "late"
    return "overdue" if d.due < as_of else "pending"


def days_overdue(d: BodyDirective, as_of: date) -> int:
    """Calendar days past the due date: until the report for a late one, until `as_of` for an
    overdue one; 0 otherwise."""
    state = report_state(d, as_of)
    if state == "late" and d.reported_on is not None:
        return (d.reported_on - d.due).days
    return (as_of - d.due).days if state == "overdue" else 0


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def body_counts(directives: Sequence[BodyDirective], as_of: date,
                catalog: CentralBodyCatalog) -> dict[str, Any]:
    """One body's counts over its directives (cancelled ones are only counted as such)."""
    live = [d for d in directives if not d.cancelled]
    acks = [acknowledgement(d, as_of, catalog) for d in live]
    reports = [report_state(d, as_of) for d in live]
    late_days = [days_overdue(d, as_of) for d in live if report_state(d, as_of) in ("late", "overdue")]
    acked_or_missed = sum(1 for a in acks if a != "pending")
    decided = sum(1 for r in reports if r != "pending")
    return {
        "issued": len(directives), "cancelled": len(directives) - len(live),
        "acknowledged_on_time": acks.count("on_time"), "acknowledged_late": acks.count("late"),
        "acknowledgement_missed": acks.count("missed"),
        "acknowledgement_pending": acks.count("pending"),
        "acknowledged_on_time_rate": _rate(acks.count("on_time"), acked_or_missed),
        "reported_on_time": reports.count("on_time"), "reported_late": reports.count("late"),
        "overdue": reports.count("overdue"), "pending": reports.count("pending"),
        "reported_on_time_rate": _rate(reports.count("on_time"), decided),
        "extended": sum(1 for d in live if d.extended),
        "extended_after_due": sum(1 for d in live if d.extended_after_due),
        "days_overdue_total": sum(late_days), "days_overdue_max": max(late_days, default=0),
        "days_overdue_mean": round(sum(late_days) / len(late_days), 2) if late_days else None,
    }


def responsiveness(directives: Sequence[BodyDirective], period: Period, as_of: date,
                   region: str | None = None, catalog: CentralBodyCatalog | None = None
                   ) -> dict[str, Any]:
    """Per central body (and local bodies as one row), the directives issued in the period and
    how the body answered them by `as_of`; the same per month of the period."""
    catalog = catalog or central_bodies()
    scoped = [d for d in directives if region is None or d.region == region]

    def table(within: Period) -> dict[str, Any]:
        issued = [d for d in scoped if within.holds(d.issued_on)]
        bodies = {}
        for code in sorted({d.addressee for d in issued if catalog.body_of(d.addressee)}):
            body = catalog.bodies[code]
            bodies[code] = {"names": body.names,
                            **body_counts([d for d in issued if d.addressee == code], as_of, catalog)}
        local = [d for d in issued if catalog.body_of(d.addressee) is None]
        return {"from": within.start.isoformat(), "to": within.end.isoformat(),
                "bodies": bodies, LOCAL: body_counts(local, as_of, catalog)}

    return {**table(period), "as_of": as_of.isoformat(),
            "acknowledgement_working_days": catalog.acknowledgement_working_days,
            "months": [table(month) for month in period.months()]}
