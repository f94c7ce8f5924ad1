"""reporting's HTTP edge: registers, histories, KPIs, exports and audit checks, region-scoped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from events import IntakeSource, Region, Role, Sector
from services.reporting import exports, kpis, queries
from services.reporting.bundle_api import require_visible, verification
from services.reporting.schemas import CasePage, DirectivePage, History, Verification
from services.runtime.auth import CurrentPrincipal, Principal
from services.runtime.clock import today
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.errors import Invalid
from services.runtime.fields import Instant, Limit, Offset, PathId, PeriodDate, QueryText
from services.runtime.media import CSV, PARQUET

router = APIRouter(prefix="/v1", tags=["reporting"])

AUDITORS = (Role.ADMIN, Role.MONITOR, Role.SUPERVISOR, Role.ANALYST)
RegionQ = Annotated[Region | None, Query()]
FromQ = Annotated[PeriodDate | None, Query(alias="from", description="first Almaty date, inclusive")]
ToQ = Annotated[PeriodDate | None, Query(alias="to", description="last Almaty date, inclusive")]
InstantQ = Annotated[Instant | None, Query()]
FromRequired = Annotated[PeriodDate, Query(alias="from", description="first Almaty date, inclusive")]
ToRequired = Annotated[PeriodDate, Query(alias="to", description="last Almaty date, inclusive")]


class ExportName(StrEnum):
    """The exports reporting serves."""

    CASES = "cases"
    DIRECTIVES = "directives"
    HISTORY = "history"
    SUMMARY = "summary"
    RECEPTIONS = "receptions"


def _period(start: date | None, end: date | None, required: bool) -> kpis.Period | None:
    if start is None or end is None:
        if required:
            raise Invalid("from and to are required",
                          field="from" if start is None else "to")
        return None
    if end < start:
        raise Invalid("to is before from", field="to")
    return kpis.Period(start, end)


@router.get("/cases", response_model=CasePage)
async def list_cases(
    principal: CurrentPrincipal, runtime: Runtime, region: RegionQ = None,
    sector: Sector | None = None, source: IntakeSource | None = None,
    status: QueryText = None, district: QueryText = None, assignee: QueryText = None,
    registered_from: InstantQ = None, registered_to: InstantQ = None,
    start: FromQ = None, end: ToQ = None, limit: Limit = 50, offset: Offset = 0,
) -> CasePage:
    """The case register: filter by region, sector, source, status, district, assignee, period."""
    filters = {"region": region.value if region else None,
               "sector": sector.value if sector else None,
               "source": source.value if source else None, "status": status,
               "district": district, "assignee_id": assignee, "registered_from": registered_from,
               "registered_to": registered_to, "from": start, "to": end}
    async with runtime.pool.acquire() as conn:
        return await queries.list_cases(conn, principal, filters, limit, offset,
                                        today(runtime.clock))


@router.get("/directives", response_model=DirectivePage)
async def list_directives(
    principal: CurrentPrincipal, runtime: Runtime, region: RegionQ = None,
    status: QueryText = None, addressee: QueryText = None, assignee: QueryText = None,
    start: FromQ = None, end: ToQ = None, limit: Limit = 50, offset: Offset = 0,
) -> DirectivePage:
    """The directive register: filter by region, status, addressee, assignee, due-date period."""
    filters = {"region": region.value if region else None, "status": status,
               "addressee": addressee, "assignee_id": assignee, "from": start, "to": end}
    async with runtime.pool.acquire() as conn:
        return await queries.list_directives(conn, principal, filters, limit, offset,
                                             today(runtime.clock))


@router.get("/cases/{case_id}/history", response_model=History)
async def case_history(case_id: PathId, principal: CurrentPrincipal, runtime: Runtime) -> History:
    """Every event about a case from every service, with hashes and chain verification."""
    await require_visible(runtime, principal, case_id, "case")
    async with runtime.pool.acquire() as conn:
        return await queries.history(conn, case_id)


@router.get("/directives/{directive_id}/history", response_model=History)
async def directive_history(directive_id: PathId, principal: CurrentPrincipal, runtime: Runtime
                            ) -> History:
    """Every event about a directive from every service, with chain verification."""
    await require_visible(runtime, principal, directive_id, "directive")
    async with runtime.pool.acquire() as conn:
        return await queries.history(conn, directive_id)


@router.get("/cases/{case_id}/verify", response_model=Verification)
async def verify_case(case_id: PathId, principal: CurrentPrincipal, runtime: Runtime
                      ) -> Verification:
    """Re-verify every stream about a case: chains, inclusion proofs against the owners' signed
    checkpoints, and reporting's copy against the owners'."""
    return await verification(runtime, principal, case_id, "case")


@router.get("/directives/{directive_id}/verify", response_model=Verification)
async def verify_directive(directive_id: PathId, principal: CurrentPrincipal, runtime: Runtime
                           ) -> Verification:
    """Re-verify every stream about a directive: chains, proofs and reporting's copy."""
    return await verification(runtime, principal, directive_id, "directive")


@router.get("/reports/summary")
async def summary(principal: CurrentPrincipal, runtime: Runtime, start: FromRequired,
                  end: ToRequired, region: RegionQ = None, sector: Sector | None = None
                  ) -> dict[str, Any]:
    """KPIs for a period of Almaty dates: totals, per region, month by month (see README)."""
    period = _period(start, end, required=True)
    assert period is not None
    async with runtime.pool.acquire() as conn:
        return await queries.summary(conn, principal, period, region.value if region else None,
                                     sector.value if sector else None, today(runtime.clock))


@router.get("/monitoring-groups/activity")
async def monitoring_activity(principal: CurrentPrincipal, runtime: Runtime,
                              start: FromQ = None, end: ToQ = None, region: RegionQ = None
                              ) -> dict[str, Any]:
    """Each monitoring group's members and their review work in a period."""
    principal.require(*AUDITORS)  # as review shows groups: not to operators
    period = _period(start, end, required=False)
    async with runtime.pool.acquire() as conn:
        groups = await queries.monitoring_activity(
            conn, principal, region.value if region else None, period)
    return {"groups": groups}


@router.get("/exports/{name}.csv", response_class=StreamingResponse,
            responses={200: {"content": {CSV: {"schema": {"type": "string"}}},
                             "description": "the rows as CSV, streamed"}})
async def export_csv(name: ExportName, principal: CurrentPrincipal, runtime: Runtime,
                     start: FromQ = None, end: ToQ = None, region: RegionQ = None,
                     sector: Sector | None = None) -> StreamingResponse:
    """A register, the history or the summary as CSV, streamed, with the same filters."""
    filters = _export_filters(start, end, region, sector)
    headers = {"Content-Disposition": f'attachment; filename="{name.value}.csv"'}
    if name is ExportName.SUMMARY:
        body = await _summary_for_export(runtime, principal, filters)
        return StreamingResponse(iter(exports.summary_lines(body)), media_type=CSV,
                                 headers=headers)

    async def lines() -> AsyncIterator[str]:
        async with runtime.pool.acquire() as conn:
            async for line in exports.stream_rows(conn, name.value, principal, filters,
                                                  today(runtime.clock)):
                yield line

    return StreamingResponse(lines(), media_type=CSV, headers=headers)


@router.get("/exports/{name}.parquet", response_class=StreamingResponse,
            responses={200: {"content": {PARQUET: {"schema": {"type": "string",
                                                              "format": "binary"}}},
                             "description": "the rows as Parquet, typed columns, streamed"}})
async def export_parquet(name: ExportName, principal: CurrentPrincipal, runtime: Runtime,
                         start: FromQ = None, end: ToQ = None, region: RegionQ = None,
                         sector: Sector | None = None) -> Response:
    """The same exports as Parquet: the CSV's columns, each with its type (dates, numbers)."""
    from services.reporting import parquet  # pyarrow (~40 MB) loads with the first Parquet export

    filters = _export_filters(start, end, region, sector)
    headers = {"Content-Disposition": f'attachment; filename="{name.value}.parquet"'}
    if name is ExportName.SUMMARY:
        body = await _summary_for_export(runtime, principal, filters)
        return Response(parquet.summary_parquet(exports.summary_records(body)),
                        media_type=PARQUET, headers=headers)

    async def pieces() -> AsyncIterator[bytes]:
        async with runtime.pool.acquire() as conn, exports.open_rows(
                conn, name.value, principal, filters, today(runtime.clock)) as rows:
            async for piece in parquet.stream_parquet(rows):
                yield piece

    return StreamingResponse(pieces(), media_type=PARQUET, headers=headers)


def _export_filters(start: date | None, end: date | None, region: Region | None,
                    sector: Sector | None) -> dict[str, Any]:
    return {"region": region.value if region else None, "from": start, "to": end,
            "sector": sector.value if sector else None}


async def _summary_for_export(runtime: ServiceRuntime, principal: Principal,
                              filters: dict[str, Any]) -> dict[str, Any]:
    period = _period(filters["from"], filters["to"], required=True)
    assert period is not None
    async with runtime.pool.acquire() as conn:
        return await queries.summary(conn, principal, period, filters["region"],
                                     filters["sector"], today(runtime.clock))
