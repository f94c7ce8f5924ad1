"""The registers of cases and directives, an operator's own work, and CSV exports passed through."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from events import IntakeSource, Sector
from events.lifecycle import CaseStatus, DirectiveStatus
from services.console.pages import Paging
from services.console.web import CurrentViewer, NotFound, Viewer, render, upstream
from services.runtime.media import CSV

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=120)]
PageQ = Annotated[int, Query(ge=1, le=10_000)]
CASE_STATUSES = tuple(str(s) for s in CaseStatus)
DIRECTIVE_STATUSES = tuple(str(s) for s in DirectiveStatus)
EXPORTS = ("cases", "directives", "summary")


def _query(filters: dict[str, str], **extra: Any) -> str:
    return urlencode({k: v for k, v in {**filters, **extra}.items() if v not in ("", None)})


async def _register(request: Request, viewer: Viewer, name: str, filters: dict[str, str],
                    page: int, export_filters: dict[str, str], **choices: Any) -> Response:
    """One page of reporting's register `name` (cases, directives) as filtered, with the link to
    its CSV export (which takes fewer filters) and the choices the filter form offers."""
    paging = Paging(page)
    body = await upstream(request).get("reporting", f"/v1/{name}", viewer.token,
                                       {**filters, "limit": paging.size, "offset": paging.offset})
    return render(request, f"{name}.html", {
        "rows": body["items"], "paging": paging.of(body["total"]), "filters": filters,
        "query": _query(filters), "export": f"/exports/{name}.csv?" + _query(export_filters),
        **choices}, viewer=viewer)


@router.get("/cases")
async def cases(request: Request, viewer: CurrentViewer, region: Text = "", sector: Text = "",
                source: Text = "", status: Text = "", district: Text = "",
                start: Annotated[str, Query(alias="from", max_length=10)] = "",
                end: Annotated[str, Query(alias="to", max_length=10)] = "",
                page: PageQ = 1) -> Response:
    """The case register with reporting's filters; overdue cases stand out."""
    filters = {"region": region, "sector": sector, "source": source, "status": status,
               "district": district, "from": start, "to": end}
    return await _register(request, viewer, "cases", filters, page,
                           {"region": region, "sector": sector, "from": start, "to": end},
                           sectors=[s.value for s in Sector],
                           sources=[s.value for s in IntakeSource], statuses=CASE_STATUSES)


@router.get("/directives")
async def directives(request: Request, viewer: CurrentViewer, region: Text = "",
                     status: Text = "", addressee: Text = "",
                     start: Annotated[str, Query(alias="from", max_length=10)] = "",
                     end: Annotated[str, Query(alias="to", max_length=10)] = "",
                     page: PageQ = 1) -> Response:
    """The directive register; overdue directives stand out with their days overdue."""
    filters = {"region": region, "status": status, "addressee": addressee, "from": start,
               "to": end}
    return await _register(request, viewer, "directives", filters, page,
                           {"region": region, "from": start, "to": end},
                           statuses=DIRECTIVE_STATUSES)


@router.get("/my-work")
async def my_work(request: Request, viewer: CurrentViewer, page: PageQ = 1) -> Response:
    """An operator's assigned cases and directives, nearest deadline first."""
    client, me = upstream(request), viewer.principal.sub
    paging = Paging(page)
    case_page, directive_page = await asyncio.gather(
        client.get("reporting", "/v1/cases", viewer.token,
                   {"assignee": me, "limit": 200, "offset": 0}),
        client.get("reporting", "/v1/directives", viewer.token,
                   {"assignee": me, "limit": paging.size, "offset": paging.offset}))
    open_cases = sorted((c for c in case_page["items"]
                         if c["status"] not in ("closed", "withdrawn", "duplicate")),
                        key=lambda c: (c["deadline"], c["id"]))
    open_directives = [d for d in directive_page["items"]
                       if d["status"] not in ("verified", "cancelled")]
    return render(request, "my_work.html", {
        "cases": open_cases, "directives": open_directives,
        "more_cases": case_page["total"] > len(case_page["items"])}, viewer=viewer)


@router.get("/exports/{name}.csv")
async def export(request: Request, viewer: CurrentViewer, name: str, region: Text = "",
                 sector: Text = "", start: Annotated[str, Query(alias="from", max_length=10)] = "",
                 end: Annotated[str, Query(alias="to", max_length=10)] = "") -> Response:
    """reporting's CSV export with the page's filters, streamed through with the person's token."""
    if name not in EXPORTS:
        raise NotFound
    chunks = await upstream(request).stream(
        "reporting", f"/v1/exports/{name}.csv", viewer.token,
        {"region": region, "sector": sector, "from": start, "to": end})
    return StreamingResponse(chunks, media_type=CSV, headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"})

