"""A log of its own per test: a fresh schema with an event store and the verifiable-log tables."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from infra.migrate import ServiceSchema, migrate
from services.runtime.db import create_pool
from services.runtime.eventstore import EventStore


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
