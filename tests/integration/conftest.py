"""Integration fixtures: a migrated database and the intake event store on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from events import Actor
from infra.migrate import migrate
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore


@pytest.fixture(scope="session")
async def migrated_database_url(database_url: str) -> str:
    """The test database with every service schema migrated."""
    await migrate(database_url)
    return database_url


@pytest.fixture(scope="session")
async def intake_pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool acting as intake's application role."""
    pool = await create_pool(migrated_database_url, "intake", min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
def store(intake_pool: asyncpg.Pool) -> EventStore:
    """intake's event store."""
    return EventStore(intake_pool, "intake")


@pytest.fixture
def context() -> CommandContext:
    """An operator in Almaty."""
    return CommandContext(actor=Actor(id="op-1", role="operator", region="KZ-75"),
                          correlation_id="corr-test")
