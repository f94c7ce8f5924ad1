"""reporting's survey routes: the waves, and one wave's risk indicators (suppressed, compared)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.reporting import surveys
from services.reporting.api import RegionQ
from services.runtime.auth import ALL_REGIONS, CurrentPrincipal
from services.runtime.context import Runtime
from services.runtime.errors import NotFound
from services.runtime.fields import PathId

router = APIRouter(prefix="/v1/surveys", tags=["surveys"])


class Published(BaseModel):
    """A figure as published: withheld whole (nulls) when suppressed."""

    suppressed: bool
    n: int | None = Field(description="responses; null when suppressed")
    share_experienced: float | None = Field(description="share who faced corruption, 4 decimals")
    share_witnessed: float | None = Field(description="share who saw it happen, 4 decimals")


class Figure(Published):
    """One cell, margin or total of a wave, with the previous wave's and the change."""

    region: str | None
    institution_type: str | None
    sector: str | None
    previous: Published | None = Field(description="the previous wave's figure of the same key")
    delta_experienced: float | None = Field(description="null if either side is withheld")
    delta_witnessed: float | None


class WaveSummary(BaseModel):
    """A wave: its name, period and responses (withheld under the threshold)."""

    id: str
    name: str
    period_start: date
    period_end: date
    imported_at: str
    responses: int | None


class WaveList(BaseModel):
    """Every wave, in wave order."""

    items: list[WaveSummary]


class WaveIndicators(BaseModel):
    """A wave's risk indicators against the wave before it."""

    wave: WaveSummary
    previous_wave: WaveSummary | None
    threshold: int = Field(description="figures of fewer responses are withheld")
    total: Figure | None = Field(description="null for a caller or filter of some regions")
    by_region: list[Figure]
    by_institution_type: list[Figure]
    by_sector: list[Figure]
    cells: list[Figure]


@router.get("/waves", response_model=WaveList)
async def list_waves(principal: CurrentPrincipal, runtime: Runtime) -> dict[str, Any]:
    """Every imported wave in order (responses withheld below the threshold)."""
    async with runtime.pool.acquire() as conn:
        ordered = await surveys.waves(conn)
    return {"items": [wave.summary() for wave in ordered]}


@router.get("/waves/{wave_id}/indicators", response_model=WaveIndicators,
            responses={404: {"description": "no such wave"}})
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
