"""A log of its own per test: a fresh schema with an event store and the verifiable-log tables."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from infra.migrate import ServiceSchema, migrate
from services.review.app import create_app
from services.runtime.auth import issue_token
from services.runtime.db import create_pool
from services.runtime.eventstore import EventStore
from tests.support.apps import client_of, running_app


@pytest.fixture
async def log_schema(migrated_database_url: str) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """(schema name, pool acting as its role) for a fresh event store with a verifiable log."""
    name = f"tlog_{uuid.uuid4().hex[:10]}"
    await migrate(migrated_database_url, (ServiceSchema(name, ("_event_store", "_tlog")),))
    pool = await create_pool(migrated_database_url, name, min_size=1, max_size=4)
    yield name, pool
    await pool.close()


@pytest.fixture
def log_store(log_schema: tuple[str, asyncpg.Pool]) -> EventStore:
    """The event store the log follows."""
    name, pool = log_schema
    return EventStore(pool, name)


JWT_SECRET = "tlog-integration-secret-0123456789abcdef"


@pytest.fixture(scope="session")
async def review_log_app(migrated_database_url: str, kafka_bootstrap: str) -> AsyncIterator[FastAPI]:
    """review's app (an owning service) with its lifespan running, so its log keeper runs.

    It shares the session's key folder with every other review app of the session: processes of
    one service sign its one log with one key.
    """
    async with running_app(create_app, migrated_database_url, kafka_bootstrap, JWT_SECRET) as app:
        yield app


@pytest.fixture
async def log_client(review_log_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in process."""
    async with client_of(review_log_app, "review") as http:
        yield http


def bearer(role: str) -> dict[str, str]:
    """A bearer header for a caller in every region."""
    return {"Authorization": f"Bearer {issue_token(f'{role}-1', role, ['*'], secret=JWT_SECRET)}"}
