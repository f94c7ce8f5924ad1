"""A wave's upload through intake's HTTP edge into the survey store and the log: idempotent,
refused whole on a bad row (nothing changed), bounded, and with no free text in the log."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from openpyxl import Workbook

from services.intake.surveys import upload
from tests.integration.intake.conftest import CSV, HEADER, XLSX, auth, post, wave_csv

pytestmark = pytest.mark.integration

async def counts(conn: asyncpg.Connection, name: str) -> tuple[int, int, int]:
    """Waves of that name, their rows, their events."""
    return (await conn.fetchval("SELECT count(*) FROM intake.survey_waves WHERE name = $1", name),
            await conn.fetchval("""SELECT count(*) FROM intake.survey_responses r
                                   JOIN intake.survey_waves w USING (wave_id)
                                   WHERE w.name = $1""", name),
            await conn.fetchval("""SELECT count(*) FROM intake.events e
                                   JOIN intake.survey_waves w ON w.wave_id = e.stream_id
                                   WHERE w.name = $1""", name))


async def test_a_wave_is_stored_whole_and_its_event_holds_counts_but_no_free_text(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    name, marker = f"wave-{uuid.uuid4().hex[:8]}", f"secret-{uuid.uuid4().hex}"
    answer = await post(client, wave_csv(30, marker), name)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["responses"], body["cells"], body["file_format"]) == (30, 1, "csv")
    assert answer.headers["location"] == f"/v1/surveys/waves/{body['id']}"
    assert await counts(db, name) == (1, 30, 1)
    assert await db.fetchval("SELECT count(*) FROM intake.survey_responses WHERE comment = $1",
                             marker) == 1
    event = await db.fetchrow("SELECT * FROM intake.events WHERE stream_id = $1", body["id"])
    assert event["event_type"] == "survey_wave.imported" and event["stream_type"] == "survey_wave"
    assert marker not in event["payload"]
    assert '"experienced": 10' in event["payload"]


async def test_the_same_file_again_answers_the_original_wave_and_adds_nothing(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    name = f"wave-{uuid.uuid4().hex[:8]}"
    file = wave_csv(12, uuid.uuid4().hex)
    first = await post(client, file, name)
    again = await post(client, file, name)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await counts(db, name) == (1, 12, 1)


async def test_a_file_or_a_name_of_another_wave_is_refused_with_409(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    name, file = f"wave-{uuid.uuid4().hex[:8]}", wave_csv(6, uuid.uuid4().hex)
    assert (await post(client, file, name)).status_code == 201
    same_file = await post(client, file, f"{name}-renamed")
    same_name = await post(client, wave_csv(7, uuid.uuid4().hex), name)
    assert (same_file.status_code, same_file.json()["field"]) == (409, "file")
    assert (same_name.status_code, same_name.json()["field"]) == (409, "name")
    assert await counts(db, f"{name}-renamed") == (0, 0, 0)
    assert await counts(db, name) == (1, 6, 1)


async def test_a_bad_row_refuses_the_whole_file_with_each_problem_and_changes_nothing(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    name = f"wave-{uuid.uuid4().hex[:8]}"
    file = (HEADER + "KZ-75,university,police,none,\nKZ-99,university,police,none,\n"
            "KZ-75,university,police,sometimes,\n").encode()
    answer = await post(client, file, name)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["field"] == "file" and problem["problem_count"] == 2
    assert [(p["row"], p["column"]) for p in problem["problems"]] == [(3, "region"), (4, "answer")]
    assert await counts(db, name) == (0, 0, 0)
    assert (await post(client, file, name)).status_code == 422  # a refusal is not remembered


async def test_an_xlsx_wave_imports_like_a_csv(client: httpx.AsyncClient,
                                               db: asyncpg.Connection) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Region", "Institution type", "Sector", "Answer"])
    for n in range(9):
        sheet.append(["KZ-71", "college", "health", ("experienced", "none", "none")[n % 3]])
    out = io.BytesIO()
    book.save(out)
    name = f"wave-{uuid.uuid4().hex[:8]}"
    answer = await post(client, out.getvalue(), name, XLSX)
    assert answer.status_code == 201, answer.text
    assert answer.json()["file_format"] == "xlsx"
    assert await counts(db, name) == (1, 9, 1)


async def test_a_body_neither_csv_nor_xlsx_is_refused_with_415(client: httpx.AsyncClient) -> None:
    answer = await post(client, b'{"region": "KZ-75"}', f"wave-{uuid.uuid4().hex[:8]}",
                        "application/json")
    assert answer.status_code == 415
    assert answer.json()["field"] == "Content-Type"


async def test_a_file_past_the_bound_is_refused_with_413_and_nothing_stored(
        client: httpx.AsyncClient, db: asyncpg.Connection,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 1_000)
    name = f"wave-{uuid.uuid4().hex[:8]}"

    async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length to refuse early
        file = wave_csv(100, "x")
        for start in range(0, len(file), 256):
            yield file[start:start + 256]

    answer = await client.post("/v1/surveys/waves", content=chunks(),
                               params={"name": name, "period_start": "2026-03-01",
                                       "period_end": "2026-04-30"},
                               headers={"Content-Type": CSV, **auth()})
    assert answer.status_code == 413
    assert await counts(db, name) == (0, 0, 0)


async def test_operators_and_monitors_may_not_upload_and_a_regional_analyst_only_their_rows(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    name = f"wave-{uuid.uuid4().hex[:8]}"
    for role in ("operator", "monitor"):
        assert (await post(client, wave_csv(5, "x"), name, headers=auth(role))).status_code == 403
    elsewhere = await post(client, wave_csv(5, "x"), name, headers=auth("analyst", ("KZ-71",)))
    assert elsewhere.status_code == 422
    assert elsewhere.json()["problems"][0]["column"] == "region"
    assert await counts(db, name) == (0, 0, 0)


async def test_a_period_that_ends_before_it_starts_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/surveys/waves", content=wave_csv(5, "x"),
                               params={"name": "backwards", "period_start": "2026-04-30",
                                       "period_end": "2026-03-01"},
                               headers={"Content-Type": CSV, **auth()})
    assert (answer.status_code, answer.json()["field"]) == (422, "period_end")


async def test_a_wave_name_with_a_control_character_is_refused_naming_it(
        client: httpx.AsyncClient) -> None:
    answer = await post(client, wave_csv(5, "x"), "bad\x00name")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["name"]
