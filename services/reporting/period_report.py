"""The four-month report: cases, directives and central bodies computed at a cut through the
same pure projection as the read models, plus the live sections of `sections.py`.

Reproducible: the report names its cut (per owner, the last log position included) and the
`as_of` date it measured lateness on; asking again with both gives the same numbers and the same
`digest`, however many events arrived since (see the README's "Four-month report").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import orjson

from events.calendar import AGENCY_TIME_ZONE
from events.central_bodies import central_bodies
from services.reporting import kpis, responsiveness, sections
from services.reporting.cut import Cut, current_cut, facts_at, summarize
from services.reporting.facts import Fact, Row
from services.reporting.model import ModelBuilder
from services.reporting.responsiveness import BodyDirective
from services.runtime.db import Conn

REPORT_STREAMS = ("case", "directive", "assignment", "review")
"""The stream types the cut-based sections read."""
FORMAT = "casetrack.period_report"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AtCut:
    """What the cut-based sections read: the registers as the facts at the cut make them."""

    cases: list[kpis.CaseFacts]
    reviews: list[kpis.ReviewFacts]
    directives: list[Row]
    body_directives: list[BodyDirective]


def at_cut(facts: Sequence[Fact]) -> AtCut:
    """The read models of a set of facts, by the projection's own pure functions."""
    builder = ModelBuilder()
    for fact in facts:
        builder.add(fact, verified=True)  # the history rows are not needed: skip the hashing
    models = builder.finish()
    return AtCut([kpis.case_facts(r) for r in models.cases],
                 [kpis.review_facts(r) for r in models.reviews], models.directives,
                 responsiveness.body_directives(facts))


def _in_region(region: str | None) -> Callable[[Any], bool]:
    return lambda item: region is None or item.region == region


def cases_section(at: AtCut, period: kpis.Period, as_of: date, region: str | None
                  ) -> dict[str, Any]:
    """Cases found and handled: the summary's KPIs, breakdowns and months (see kpis.py)."""
    keep = _in_region(region)
    directives = [kpis.directive_facts(r) for r in at.directives
                  if region is None or r["region"] == region]
    return kpis.summary([c for c in at.cases if keep(c)], [r for r in at.reviews if keep(r)],
                        directives, period, as_of)


def directives_section(at: AtCut, period: kpis.Period, as_of: date, region: str | None
                       ) -> dict[str, Any]:
    """Directives issued in the period: their status now, addressees and how they were answered."""
    status = {r["directive_id"]: r["status"] for r in at.directives}
    catalog = central_bodies()
    issued = [d for d in at.body_directives
              if _in_region(region)(d) and period.holds(d.issued_on)]
    live = [d for d in issued if not d.cancelled]
    reports = [responsiveness.report_state(d, as_of) for d in live]
    by_status: dict[str, int] = {}
    for d in issued:
        by_status[status[d.directive_id]] = by_status.get(status[d.directive_id], 0) + 1
    return {
        "issued": len(issued), "by_status": dict(sorted(by_status.items())),
        "to_central_bodies": sum(1 for d in issued if catalog.body_of(d.addressee)),
        "to_local_bodies": sum(1 for d in issued if not catalog.body_of(d.addressee)),
        "extended": sum(1 for d in live if d.extended),
        "reported_on_time": reports.count("on_time"), "reported_late": reports.count("late"),
        "overdue": reports.count("overdue"), "pending": reports.count("pending"),
        "cancelled": len(issued) - len(live),
    }


def central_bodies_section(at: AtCut, period: kpis.Period, as_of: date, region: str | None
                           ) -> dict[str, Any]:
    """Each central body's responsiveness to the directives issued to it in the period."""
    return responsiveness.responsiveness(at.body_directives, period, as_of, region)


CUT_SECTIONS: dict[str, Callable[[AtCut, kpis.Period, date, str | None], dict[str, Any]]] = {
    "cases": cases_section,
    "directives": directives_section,
    "central_bodies": central_bodies_section,
}
"""Sections computed from the facts at the cut, in the report's order."""


def digest(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys) of the reproducible part of a report."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def compute(facts: Sequence[Fact], cut: Cut, period: kpis.Period, as_of: date,
            region: str | None) -> dict[str, Any]:
    """The reproducible part of the report from the facts at the cut (pure)."""
    held = summarize(facts)
    at = at_cut(facts)
    body = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "from": period.start.isoformat(), "to": period.end.isoformat(), "region": region,
        "as_of": as_of.isoformat(), "time_zone": AGENCY_TIME_ZONE.key,
        "cut": dict(sorted(cut.positions.items())), "facts": held.counts,
        "facts_digest": held.digest,
        "sections": {name: section(at, period, as_of, region)
                     for name, section in CUT_SECTIONS.items()},
    }
    return {**body, "digest": digest(body)}


def recompute_query(report: dict[str, Any]) -> str:
    """The query string that asks for the same report again."""
    params = {"from": report["from"], "to": report["to"], "as_of": report["as_of"],
              "cut": Cut(report["cut"]).text()}
    if report["region"]:
        params["region"] = report["region"]
    return urlencode(params, safe=":,")


async def period_report(conn: Conn, schema: str, period: kpis.Period, region: str | None,
                        as_of: date, cut: Cut | None = None) -> dict[str, Any]:
    """The report at `cut` (default: everything held now), with the live sections beside it."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        cut = cut or await current_cut(conn, schema)
        facts = await facts_at(conn, schema, cut, REPORT_STREAMS)
        live = await sections.live_sections(conn, period.start, period.end, region, schema)
    report = compute(facts, cut, period, as_of, region)
    return {**report, "recompute": f"/v1/reports/period?{recompute_query(report)}",
            "live_sections": live}


async def central_bodies_report(conn: Conn, schema: str, period: kpis.Period,
                                region: str | None, as_of: date, cut: Cut | None = None
                                ) -> dict[str, Any]:
    """The central bodies' responsiveness alone, at a cut (default: now), from directive facts."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        cut = cut or await current_cut(conn, schema)
        facts = await facts_at(conn, schema, cut, ("directive",))
    table = responsiveness.responsiveness(responsiveness.body_directives(facts), period, as_of,
                                          region)
    return {"region": region, "cut": dict(sorted(cut.positions.items())), **table}

