"""reporting's HTTP edge: registers and histories, scoped to the caller's regions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from events import IntakeSource, Region, Sector
from services.reporting import queries
from services.reporting.schemas import CasePage, History
from services.runtime.auth import CurrentPrincipal
from services.runtime.http import Runtime
from services.runtime.problems import Problem

router = APIRouter(prefix="/v1", tags=["registers"])


@router.get("/cases", response_model=CasePage)
async def list_cases(
    principal: CurrentPrincipal,
    runtime: Runtime,
    region: Region | None = None,
    sector: Sector | None = None,
    source: IntakeSource | None = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    district: Annotated[str | None, Query(max_length=120)] = None,
    registered_from: datetime | None = None,
    registered_to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    """The case register: filter by region, sector, source, status, district, period."""
    filters = {"region": region.value if region else None,
               "sector": sector.value if sector else None,
               "source": source.value if source else None, "status": status,
               "district": district, "registered_from": registered_from,
               "registered_to": registered_to}
    async with runtime.pool.acquire() as conn:
        return await queries.list_cases(conn, principal, filters, limit, offset)


@router.get("/cases/{case_id}/history", response_model=History)
async def case_history(case_id: str, principal: CurrentPrincipal, runtime: Runtime) -> History:
    """Every event about a case from every service, with hashes and chain verification."""
    async with runtime.pool.acquire() as conn:
        region = await queries.case_region(conn, case_id)
        if region is None or not principal.can_see(region):
            raise Problem(404, "Not Found", f"no case {case_id}")
        return await queries.history(conn, case_id)
