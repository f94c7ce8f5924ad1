"""Results: the KPIs of a period as charts, and a table of the 20 regions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from events import REGION_NAMES, Sector
from services.console.charts import bar_chart
from services.console.web import CurrentViewer, render, upstream
from services.runtime.clock import SYSTEM_CLOCK, today

router = APIRouter(include_in_schema=False)
DIRECTIVE_BUCKETS = ("completed_on_time", "completed_late", "overdue", "pending")


def default_period(today: date) -> tuple[str, str]:
    """This year so far, in Almaty dates."""
    return date(today.year, 1, 1).isoformat(), today.isoformat()


def directive_buckets(kpi: dict[str, Any]) -> dict[str, int]:
    """Directives due in the period by bucket, summed over addressees."""
    totals = dict.fromkeys(DIRECTIVE_BUCKETS, 0)
    for buckets in kpi.get("directives_by_addressee", {}).values():
        for bucket, count in buckets.items():
            totals[bucket] = totals.get(bucket, 0) + int(count)
    return totals


def region_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per region and city, in code order; None where the person sees no data."""
    rows = []
    for code in REGION_NAMES:
        kpi = summary["by_region"].get(code)
        rows.append({"code": code, "kpi": kpi,
                     "overdue_directives": directive_buckets(kpi)["overdue"] if kpi else None})
    return rows


@router.get("/results")
async def results(request: Request, viewer: CurrentViewer,
                  start: Annotated[str, Query(alias="from", max_length=10)] = "",
                  end: Annotated[str, Query(alias="to", max_length=10)] = "",
                  region: Annotated[str, Query(max_length=10)] = "",
                  sector: Annotated[str, Query(max_length=40)] = "") -> Response:
    """KPIs by region and period: cases by status and sector, days to resolve, directives, reviews."""
    first, last = default_period(today(SYSTEM_CLOCK))
    start, end = start or first, end or last
    summary = await upstream(request).get("reporting", "/v1/reports/summary", viewer.token, {
        "from": start, "to": end, "region": region, "sector": sector})
    charts = {
        "status": bar_chart(summary["cases_by_status"].items()),
        "sector": bar_chart(summary["cases_by_sector"].items()),
        "median": bar_chart((m["from"][:7], m["median_days_to_resolve"])
                            for m in summary["months"]),
        "directives": bar_chart(directive_buckets(summary).items()),
        "reviews": bar_chart(summary["review_outcomes"].items()),
    }
    return render(request, "results.html", {
        "summary": summary, "charts": charts, "regions": region_rows(summary),
        "filters": {"from": start, "to": end, "region": region, "sector": sector},
        "export_query": urlencode({k: v for k, v in (("from", start), ("to", end), ("region", region),
                                                      ("sector", sector)) if v}),
        "sectors": [s.value for s in Sector]}, viewer=viewer)
