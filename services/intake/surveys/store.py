"""The survey store's tables: a wave claimed by its name and content hash, its rows copied in,
and its counts appended to the log, all in one transaction (a 2xx import is whole and durable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from events import SurveyCell, SurveyWaveImported, new_event_id
from services.intake.surveys.rows import Response
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, StreamLog

SCHEMA = "intake"
STREAM_TYPE = "survey_wave"
RESPONSE_COLUMNS = ("wave_id", "row_number", "region", "institution_type", "sector", "answer",
                    "comment")
WAVE_COLUMNS = ("wave_id, name, period_start, period_end, file_format, responses, cells,"
                " imported_at, imported_by")


@dataclass(frozen=True)
class WaveFile:
    """What an upload names: the wave, its period, and the file's format and content hash."""

    name: str
    period_start: date
    period_end: date
    file_format: str
    content_sha256: str


class WaveTaken(Exception):
    """Another import claimed the same name or file meanwhile; look it up again."""


async def existing(conn: Conn, wave: WaveFile) -> list[asyncpg.Record]:
    """Waves that already hold this file or this name (at most two)."""
    return list(await conn.fetch(
        f"""SELECT {WAVE_COLUMNS}, content_sha256 FROM {SCHEMA}.survey_waves
            WHERE content_sha256 = $1 OR name = $2 ORDER BY imported_at""",
        wave.content_sha256, wave.name))


async def wave_by_id(conn: Conn, wave_id: str) -> asyncpg.Record | None:
    """One wave's import record."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {WAVE_COLUMNS} FROM {SCHEMA}.survey_waves WHERE wave_id = $1", wave_id)
    return row


async def store_wave(pool: asyncpg.Pool, log: StreamLog, wave: WaveFile,
                     responses: list[Response], cells: tuple[SurveyCell, ...],
                     context: CommandContext) -> asyncpg.Record:
    """Claim the wave, copy its rows and append its counts, in one transaction and commit."""
    wave_id = str(new_event_id())
    event = SurveyWaveImported(name=wave.name, period_start=wave.period_start,
                               period_end=wave.period_end, file_format=wave.file_format,
                               responses=len(responses), cells=cells)
    async with pool.acquire() as conn, conn.transaction():
        await log.lock_in(conn, fresh=True)  # the wave's rows come before its event
        row: asyncpg.Record | None = await conn.fetchrow(
            f"""INSERT INTO {SCHEMA}.survey_waves (wave_id, name, period_start, period_end,
                    content_sha256, file_format, responses, cells, imported_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT DO NOTHING RETURNING {WAVE_COLUMNS}""",
            wave_id, wave.name, wave.period_start, wave.period_end, wave.content_sha256,
            wave.file_format, len(responses), len(cells), context.actor.id)
        if row is None:
            raise WaveTaken(wave.name)
        await conn.copy_records_to_table(
            "survey_responses", schema_name=SCHEMA, columns=list(RESPONSE_COLUMNS),
            records=((wave_id, *response) for response in responses))
        await log.append_in(conn, wave_id, STREAM_TYPE, 0, [event], context)
    return row
