"""intake fixtures: the app in process, and helpers to upload survey waves to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.intake.app import create_app
from services.runtime.auth import issue_token
from tests.support.apps import client_of, running_app

SECRET = "surveys-integration-secret-0123456789abcdef"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "region,institution_type,sector,answer,comment\n"


@pytest.fixture(scope="session")
async def intake_app(migrated_database_url: str, kafka_bootstrap: str) -> AsyncIterator[FastAPI]:
    """intake's app with its lifespan (pool, relay) running against the test servers, with no
    rate limits (tests send bursts no client would)."""
    async with running_app(create_app, migrated_database_url, kafka_bootstrap, SECRET,
                           CASETRACK_RATE_LIMITS={}) as app:
        yield app


@pytest.fixture
async def client(intake_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in process."""
    async with client_of(intake_app, "intake") as http:
        yield http


def auth(role: str = "analyst", regions: tuple[str, ...] = ("*",)) -> dict[str, str]:
    """A bearer header for one principal."""
    return {"Authorization": f"Bearer {issue_token('surveyor', role, list(regions), secret=SECRET)}"}


def wave_csv(rows: int, marker: str) -> bytes:
    """A wave of `rows` valid responses; the first comment carries `marker`."""
    answers = ("experienced", "witnessed", "none")
    lines = [f"KZ-75,university,police,{answers[n % 3]},{marker if n == 0 else ''}"
             for n in range(rows)]
    return (HEADER + "\n".join(lines) + "\n").encode()


async def post(client: httpx.AsyncClient, body: bytes, name: str, media: str = CSV,
               headers: dict[str, str] | None = None,
               period: tuple[str, str] = ("2026-03-01", "2026-04-30")) -> httpx.Response:
    """Upload a wave file (an analyst of every region, unless `headers` say otherwise)."""
    return await client.post("/v1/surveys/waves", content=body,
                             params={"name": name, "period_start": period[0],
                                     "period_end": period[1]},
                             headers={"Content-Type": media, **(headers or auth())})



@pytest.fixture
async def db(migrated_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the test database."""
    conn = await asyncpg.connect(migrated_database_url)
    yield conn
    await conn.close()
