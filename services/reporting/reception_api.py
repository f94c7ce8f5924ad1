"""reporting's reception routes: the register and the per-district summary of a period."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from events import ReceptionStatus
from services.reporting import receptions
from services.reporting.api import FromQ, FromRequired, RegionQ, ToQ, ToRequired, _period
from services.reporting.schemas import ReceptionPage
from services.runtime.auth import CurrentPrincipal
from services.runtime.context import Runtime
from services.runtime.fields import Limit, Offset, QueryText

router = APIRouter(prefix="/v1/receptions", tags=["receptions"])

StatusQ = Annotated[ReceptionStatus | None, Query()]


@router.get("", response_model=ReceptionPage)
async def list_receptions(
    principal: CurrentPrincipal, runtime: Runtime, region: RegionQ = None,
    district: QueryText = None, status: StatusQ = None, directive_id: QueryText = None,
    start: FromQ = None, end: ToQ = None, limit: Limit = 50, offset: Offset = 0,
) -> ReceptionPage:
    """The reception register: filter by region, district, status, directive, scheduled day."""
    _period(start, end, required=False)
    filters = {"region": region.value if region else None, "district": district,
               "status": status.value if status else None, "directive_id": directive_id,
               "from": start, "to": end}
    async with runtime.pool.acquire() as conn:
        return await receptions.list_receptions(conn, principal, filters, limit, offset)


@router.get("/summary")
async def reception_summary(principal: CurrentPrincipal, runtime: Runtime,
                            start: FromRequired, end: ToRequired, region: RegionQ = None
                            ) -> dict[str, Any]:
    """Receptions held, attendance and cases registered at them, per district, in a period of
    Almaty dates; receptions scheduled for it and cancelled (see README)."""
    period = _period(start, end, required=True)
    assert period is not None
    async with runtime.pool.acquire() as conn:
        return await receptions.reception_summary(conn, principal, period.start, period.end,
                                                  region.value if region else None)
