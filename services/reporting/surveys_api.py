"""reporting's survey routes: the waves, and one wave's risk indicators (suppressed, compared)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.reporting import surveys
from services.reporting.api import RegionQ
from services.runtime.auth import ALL_REGIONS, CurrentPrincipal
from services.runtime.context import Runtime
from services.runtime.errors import NotFound
from services.runtime.fields import PathId

router = APIRouter(prefix="/v1/surveys", tags=["surveys"])


@router.get("/waves")
async def list_waves(principal: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    """Every imported wave in order (responses withheld below the threshold)."""
    async with runtime.pool.acquire() as conn:
        ordered = await surveys.waves(conn)
    return {"items": [wave.summary() for wave in ordered]}


@router.get("/waves/{wave_id}/indicators", responses={404: {"description": "no such wave"}})
async def wave_indicators(wave_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                          region: RegionQ = None) -> dict[str, Any]:
    """A wave's shares experienced and witnessed by cell, region, institution type and sector,
    with the previous wave's and the change; figures under 5 responses (and the complements
    that would give them away) withheld. A caller with some regions, or `region`, gets those
    regions' figures only; the national ones need every region and no filter."""
    if ALL_REGIONS in principal.regions:
        scope = None if region is None else frozenset({region.value})
    else:
        scope = principal.regions & ({region.value} if region else principal.regions)
    async with runtime.pool.acquire() as conn:
        found = surveys.wave_indicators(await surveys.waves(conn), wave_id, scope)
    if found is None:
        raise NotFound(f"no survey wave {wave_id}", field="wave_id")
    return found
