"""HTTP edge of the survey store: upload a wave's file (CSV or XLSX) and get its import back.

The import is synchronous: the answer comes once the wave's rows and its event are committed
(100k rows take seconds, see `make bench`), so a 2xx is the whole wave, durable.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from events import Role
from services.intake.surveys import store
from services.intake.surveys.cells import count_cells
from services.intake.surveys.rows import REQUIRED, FileFormat, WaveRows, read_wave
from services.intake.surveys.upload import MAX_UPLOAD_BYTES, MEDIA_TYPES, format_of, receive
from services.runtime.auth import ALL_REGIONS, CurrentPrincipal, Principal
from services.runtime.commands import command_context
from services.runtime.context import Runtime
from services.runtime.fields import Line, PeriodDate
from services.runtime.logs import get_logger
from services.runtime.problems import Problem

router = APIRouter(prefix="/v1/surveys", tags=["surveys"])
log = get_logger(__name__)

UPLOADERS = (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)
WAVES_PATH = "/v1/surveys/waves"


class WaveView(BaseModel):
    """A wave as imported: what the survey store holds of it (its rows stay there)."""

    id: str
    name: str
    period_start: date
    period_end: date
    file_format: FileFormat
    responses: int
    cells: int
    imported_at: str
    imported_by: str


WaveName = Annotated[Line, Query(max_length=200, description="the wave's name (unique)")]
_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {"required": True, "description": (
        f"the wave's file, at most {MAX_UPLOAD_BYTES} bytes; header row with the columns "
        f"{', '.join(REQUIRED)} and optionally comment (free text, kept only in intake)"),
        "content": {media: {"schema": {"type": "string", "format": "binary"}}
                    for media in MEDIA_TYPES}},
}
_PROBLEMS = {"description": "rows that fail (row, column, problem); nothing was imported",
             "content": {"application/problem+json": {"schema": {"type": "object", "properties": {
                 "problems": {"type": "array", "items": {"type": "object", "properties": {
                     "row": {"type": "integer"}, "column": {"type": ["string", "null"]},
                     "problem": {"type": "string"}}}},
                 "problem_count": {"type": "integer"}, "rows_read": {"type": "integer"}}}}}}


@router.post("/waves", status_code=201, response_model=WaveView, openapi_extra=_UPLOAD_DOC,
             responses={200: {"model": WaveView, "description": "this file was imported before:"
                              " the wave it made, unchanged"},
                        201: {"headers": {"Location": {}}},
                        409: {"description": "the name or the file belongs to another wave"},
                        413: {"description": f"the file exceeds {MAX_UPLOAD_BYTES} bytes"},
                        415: {"description": "the file is neither CSV nor XLSX"},
                        422: _PROBLEMS})
async def import_wave(request: Request, principal: CurrentPrincipal, runtime: Runtime,
                      name: WaveName, period_start: PeriodDate, period_end: PeriodDate
                      ) -> JSONResponse:
    """Import a wave of anonymous responses (analyst, supervisor or admin); a caller with some
    regions only may import rows of those regions. A row that fails refuses the whole file."""
    principal.require(*UPLOADERS)
    if period_end < period_start:
        raise Problem(422, "Invalid request", "period_end is before period_start",
                      field="period_end")
    upload = await receive(request.stream(), format_of(request.headers.get("content-type")),
                           request.headers.get("content-length"))
    try:
        wave = store.WaveFile(name, period_start, period_end, upload.file_format.value,
                              upload.sha256)
        async with runtime.pool.acquire() as conn:
            answered = _answer_of(await store.existing(conn, wave), wave)
        if answered is not None:
            return answered
        rows = await asyncio.to_thread(read_wave, upload.file, upload.file_format,
                                       _regions(principal))
    finally:
        upload.file.close()
    if rows.problem_count:
        raise _refusal(rows)
    try:
        record = await store.store_wave(runtime.pool, runtime.event_store, wave, rows.responses,
                                        count_cells(rows.responses),
                                        command_context(request, principal))
    except store.WaveTaken:
        async with runtime.pool.acquire() as conn:
            answered = _answer_of(await store.existing(conn, wave), wave)
        if answered is None:
            raise
        return answered
    log.info("survey.wave_imported", wave_id=record["wave_id"], responses=len(rows.responses),
             file_format=wave.file_format, bytes=upload.size)
    return JSONResponse(_view(record), status_code=201,
                        headers={"Location": f"{WAVES_PATH}/{record['wave_id']}"})


def _regions(principal: Principal) -> frozenset[str] | None:
    return None if ALL_REGIONS in principal.regions else principal.regions


def _answer_of(found: list[asyncpg.Record], wave: store.WaveFile) -> JSONResponse | None:
    """The original answer for the same file and name; 409 when either belongs to another."""
    same = [r for r in found
            if r["content_sha256"] == wave.content_sha256 and r["name"] == wave.name]
    if same:
        return JSONResponse(_view(same[0]), status_code=200)
    if not found:
        return None
    other = found[0]
    same_file = other["content_sha256"] == wave.content_sha256
    raise Problem(409, "Conflict", (
        f"this file was imported as wave {other['name']!r}" if same_file else
        "another file was imported under this name"), field="file" if same_file else "name",
        wave_id=other["wave_id"])


def _refusal(rows: WaveRows) -> Problem:
    return Problem(422, "Unprocessable Content",
                   f"{rows.problem_count} problem(s) in the file; nothing was imported",
                   field="file", problem_count=rows.problem_count, rows_read=rows.rows_read,
                   problems=[{"row": p.row, "column": p.column, "problem": p.problem}
                             for p in rows.problems])


def _view(record: asyncpg.Record) -> dict[str, Any]:
    return WaveView(id=record["wave_id"], name=record["name"],
                    period_start=record["period_start"], period_end=record["period_end"],
                    file_format=FileFormat(record["file_format"]), responses=record["responses"],
                    cells=record["cells"], imported_at=record["imported_at"].isoformat(),
                    imported_by=record["imported_by"]).model_dump(mode="json")
