"""Survey import: a 100k-row wave uploaded to intake (CSV and XLSX) against a raw COPY of the
same rows into a table shaped like the survey store's, measured in the same run."""

from __future__ import annotations

import asyncio
import io
import random
import time
import uuid
from typing import Any

import asyncpg
import httpx

from bench.stats import rate
from events import InstitutionType, Region, Sector, SurveyAnswer

SURVEY_ROWS = 100_000
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("wave_id", "row_number", "region", "institution_type", "sector", "answer", "comment")
TABLE_DDL = """
    CREATE SCHEMA IF NOT EXISTS bench;
    DROP TABLE IF EXISTS bench.survey_responses;
    CREATE TABLE bench.survey_responses (
        wave_id text NOT NULL, row_number integer NOT NULL, region text NOT NULL,
        institution_type text NOT NULL, sector text NOT NULL, answer text NOT NULL,
        comment text, PRIMARY KEY (wave_id, row_number));
"""

Row = tuple[str, str, str, str, str]


def wave_rows(count: int = SURVEY_ROWS) -> list[Row]:
    """Deterministic responses over every region, institution type and sector; a comment on
    every tenth (the store keeps free text, so the rows carry some)."""
    pick = random.Random(17)
    regions, institutions = [r.value for r in Region], [i.value for i in InstitutionType]
    sectors, answers = [s.value for s in Sector], [a.value for a in SurveyAnswer]
    return [(pick.choice(regions), pick.choice(institutions), pick.choice(sectors),
             pick.choices(answers, weights=(1, 2, 7))[0],
             "the dean's office asked for a gift" if n % 10 == 0 else "")
            for n in range(count)]


def csv_bytes(rows: list[Row]) -> bytes:
    """The rows as a wave's CSV file."""
    lines = ["region,institution_type,sector,answer,comment", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[Row]) -> bytes:
    """The rows as a wave's XLSX workbook, with shared strings as Excel writes them (openpyxl's
    write-only mode writes inline strings, which read 2-3 times slower); not timed."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["region", "institution_type", "sector", "answer", "comment"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def raw_copy(database_url: str, rows: list[Row]) -> dict[str, Any]:
    """One COPY of the rows (as the import does), into bench.survey_responses."""
    records = [(f"bench-{uuid.uuid4()}", n, *row[:4], row[4] or None)
               for n, row in enumerate(rows, start=2)]
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(TABLE_DDL)
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("survey_responses", schema_name="bench",
                                             columns=list(COLUMNS), records=records)
        elapsed = time.perf_counter() - started
        await conn.execute("DROP TABLE bench.survey_responses")
    finally:
        await conn.close()
    return {"rows": len(rows), "seconds": round(elapsed, 2), "rows_per_s": rate(len(rows), elapsed)}


def upload(intake_url: str, bearer: str, body: bytes, media: str) -> dict[str, Any]:
    """One wave's upload to intake, timed from the first byte sent to its 201."""
    params = {"name": f"bench wave {uuid.uuid4().hex[:8]}", "period_start": "2026-03-01",
              "period_end": "2026-04-30"}
    with httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        reply = client.post(f"{intake_url}/v1/surveys/waves", content=body, params=params,
                            headers={"Content-Type": media, "Authorization": f"Bearer {bearer}"})
        elapsed = time.perf_counter() - started
    rows = reply.json().get("responses", 0) if reply.status_code == 201 else 0
    return {"status": reply.status_code, "rows": rows, "bytes": len(body),
            "seconds": round(elapsed, 2), "rows_per_s": rate(rows, elapsed)}


def measure(database_url: str, intake_url: str, bearer: str, rows: int = SURVEY_ROWS
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(baseline, figure): raw COPY of the rows; their import as CSV and as XLSX."""
    wave = wave_rows(rows)
    wave[0] = (*wave[0][:4], f"bench run {uuid.uuid4()}")  # a new file each run: never a 409
    baseline = asyncio.run(raw_copy(database_url, wave))
    figure = {"csv": upload(intake_url, bearer, csv_bytes(wave), CSV),
              "xlsx": upload(intake_url, bearer, xlsx_bytes(list(reversed(wave))), XLSX)}
    return baseline, figure
