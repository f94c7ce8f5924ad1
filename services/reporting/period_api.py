"""reporting's HTTP edge for the four-month report and the central bodies' responsiveness."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from events import Region, Role
from services.reporting import kpis
from services.reporting.cut import CUT_PATTERN, Cut
from services.reporting.period_report import central_bodies_report, period_report
from services.reporting.projections import SCHEMA
from services.runtime.auth import ALL_REGIONS, CurrentPrincipal, Principal
from services.runtime.clock import today
from services.runtime.context import Runtime
from services.runtime.errors import Invalid, NotFound
from services.runtime.fields import PeriodDate
from services.runtime.media import XLSX

router = APIRouter(prefix="/v1", tags=["reporting"])

READERS = (Role.ADMIN, Role.MONITOR, Role.SUPERVISOR, Role.ANALYST)
FromRequired = Annotated[PeriodDate, Query(alias="from", description="first Almaty date, inclusive")]
ToRequired = Annotated[PeriodDate, Query(alias="to", description="last Almaty date, inclusive")]
RegionQ = Annotated[Region | None, Query(description="one region; a regional token's own by default")]
AsOfQ = Annotated[PeriodDate | None, Query(
    description="the Almaty date lateness is measured on (default today); pass a report's "
                "`as_of` back to recompute it")]
CutQ = Annotated[str | None, Query(
    max_length=200, pattern=CUT_PATTERN.pattern,
    description="owner:position pairs (e.g. intake:120,assignment:80,review:33): only events "
                "up to these positions in their owners' logs count (default: all held now)")]


def report_region(principal: Principal, region: Region | None) -> str | None:
    """The one region a report covers: the asked one if the caller sees it (else 404), the
    caller's only region, or every region for a national caller."""
    principal.require(*READERS)
    if region is not None:
        if not principal.can_see(region.value):
            raise NotFound(f"no report for region {region.value}", field="region")
        return region.value
    if ALL_REGIONS in principal.regions:
        return None
    if len(principal.regions) == 1:
        return next(iter(principal.regions))
    raise Invalid("a token limited to several regions asks for one of them", field="region")


def report_inputs(start: date, end: date, as_of: date | None, cut: str | None, on: date
            ) -> tuple[kpis.Period, date, Cut | None]:
    """The period, the day lateness is measured on (default `on`, today) and the cut asked for."""
    if end < start:
        raise Invalid("to is before from", field="to")
    if as_of is not None and as_of > on:
        raise Invalid("as_of is after today: lateness is measured on a day that has come",
                      field="as_of")
    try:
        parsed = Cut.parse(cut) if cut is not None else None
    except ValueError as exc:
        raise Invalid(str(exc), field="cut") from exc
    return kpis.Period(start, end), as_of or on, parsed


@router.get("/reports/period")
async def period(principal: CurrentPrincipal, runtime: Runtime, start: FromRequired,
                 end: ToRequired, region: RegionQ = None, as_of: AsOfQ = None, cut: CutQ = None
                 ) -> dict[str, Any]:
    """The four-month report: cases, directives, central bodies at a cut of the owners' logs
    (named in the answer, with the URL that recomputes it), plus the live sections."""
    scope = report_region(principal, region)
    span, on, at = report_inputs(start, end, as_of, cut, today(runtime.clock))
    async with runtime.pool.acquire() as conn:
        return await period_report(conn, SCHEMA, span, scope, on, at)


@router.get("/reports/period.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {
                "schema": {"type": "string", "format": "binary"}}},
                "description": "the report as an XLSX workbook"}})
async def period_xlsx(principal: CurrentPrincipal, runtime: Runtime, start: FromRequired,
                      end: ToRequired, region: RegionQ = None, as_of: AsOfQ = None,
                      cut: CutQ = None) -> Response:
    """The same report as a downloadable XLSX workbook."""
    scope = report_region(principal, region)
    span, on, at = report_inputs(start, end, as_of, cut, today(runtime.clock))
    async with runtime.pool.acquire() as conn:
        report = await period_report(conn, SCHEMA, span, scope, on, at)
    name = f"casetrack-report-{start.isoformat()}-{end.isoformat()}-{scope or 'all'}.xlsx"
    from services.reporting import period_document  # openpyxl loads with the first workbook

    return Response(period_document.workbook(report), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/central-bodies")
async def central_bodies(principal: CurrentPrincipal, runtime: Runtime, start: FromRequired,
                         end: ToRequired, region: RegionQ = None, as_of: AsOfQ = None,
                         cut: CutQ = None) -> dict[str, Any]:
    """Each central body's responsiveness to the directives issued to it in the period:
    acknowledged on time, reported on time, days overdue; per month too."""
    scope = report_region(principal, region)
    span, on, at = report_inputs(start, end, as_of, cut, today(runtime.clock))
    async with runtime.pool.acquire() as conn:
        return await central_bodies_report(conn, SCHEMA, span, scope, on, at)
