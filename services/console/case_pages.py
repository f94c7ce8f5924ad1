"""The case page: state now or as of a moment, the merged timeline, and its verification."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from events.calendar import AGENCY_TIME_ZONE
from services.console import timeline
from services.console.upstream import ApiRefused, Upstream
from services.console.verification import AUDITORS, Badge, OwnersCheck, owners_verify
from services.console.web import CurrentViewer, Viewer, render, upstream

router = APIRouter(include_in_schema=False)


def parse_as_of(value: str) -> datetime | None:
    """An as-of picker value (Almaty wall time, `YYYY-MM-DDTHH:MM`) as an aware instant."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=AGENCY_TIME_ZONE)


async def _history(client: Upstream, viewer: Viewer, case_id: str) -> dict[str, Any] | None:
    try:
        body: dict[str, Any] = await client.get("reporting", f"/v1/cases/{case_id}/history",
                                                viewer.token)
    except ApiRefused as exc:
        if exc.status == 404:  # intake knows the case; reporting has not projected it yet
            return None
        raise
    return body


async def _case(client: Upstream, viewer: Viewer, case_id: str, moment: datetime | None
                ) -> tuple[dict[str, Any], bool]:
    """The case as of the moment, and whether it existed then (else its current state)."""
    params = {"as_of": moment.isoformat()} if moment else None
    try:
        case: dict[str, Any] = await client.get("intake", f"/v1/cases/{case_id}", viewer.token,
                                                params)
    except ApiRefused as exc:
        if exc.status != 404 or moment is None:
            raise
        current: dict[str, Any] = await client.get("intake", f"/v1/cases/{case_id}", viewer.token)
        return current, False
    return case, True


@router.get("/cases/{case_id}")
async def case_page(request: Request, viewer: CurrentViewer, case_id: str,
                    as_of: Annotated[str, Query(max_length=40)] = "",
                    verify: Annotated[bool, Query()] = False) -> Response:
    """One case: its state (as of a moment if asked), every event from every service, badges.

    Re-verifying against every owning service fetches each stream again, so it runs when asked
    (`?verify=true`, the badge's button), not on every view.
    """
    client = upstream(request)
    try:
        moment = parse_as_of(as_of)
    except ValueError:
        moment, as_of_error = None, True
    else:
        as_of_error = False
    role = viewer.principal.role.value
    (case, existed), history, checked = await asyncio.gather(
        _case(client, viewer, case_id, moment),
        _history(client, viewer, case_id),
        owners_verify(client, viewer.token, role, "case", case_id) if verify else _unasked())
    events = history["events"] if history else []
    badge = Badge(chain=history["chain_verified"] if history else None, owners=checked.owners,
                  checkpoint=checked.checkpoint)
    return render(request, "case.html", {
        "case": case, "existed": existed, "entries": timeline.entries(events, moment),
        "badge": badge, "verified_on_request": verify, "may_verify": role in AUDITORS,
        "as_of": moment.astimezone(AGENCY_TIME_ZONE).strftime("%Y-%m-%dT%H:%M") if moment else "",
        "as_of_error": as_of_error, "in_reporting": history is not None}, viewer=viewer)


async def _unasked() -> OwnersCheck:
    return OwnersCheck()
