"""The catalog of central state bodies, for whoever addresses a directive (read-only data)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from events.central_bodies import central_bodies
from services.runtime.auth import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["directives"])


class CentralBodyView(BaseModel):
    """One central body: the code a directive's `addressee_body` takes, its names and sectors."""

    code: str
    names: dict[str, str]
    sectors: list[str]


class CentralBodyCatalogView(BaseModel):
    """Every central body, and the working days each has to acknowledge a directive."""

    acknowledgement_working_days: int
    bodies: list[CentralBodyView]


@router.get("/central-bodies", response_model=CentralBodyCatalogView)
async def list_central_bodies(principal: CurrentPrincipal) -> CentralBodyCatalogView:
    """The codes a directive may be addressed to as a central body (any other addressee is a
    local body, named in free text)."""
    catalog = central_bodies()
    return CentralBodyCatalogView(
        acknowledgement_working_days=catalog.acknowledgement_working_days,
        bodies=[CentralBodyView(code=b.code, names=b.names, sectors=list(b.sectors))
                for b in sorted(catalog.bodies.values(), key=lambda b: b.code)])
