"""e2e fixtures: the services running as processes against the test database and broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from infra.migrate import migrate
from services.runtime.topics import ensure_topics
from tests.conftest import fresh_database
from tests.support.system import RunningSystem


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """The e2e system's own database: its workers never see the integration tests' data."""
    with fresh_database(postgres_server_url, "e2e") as url:
        yield url


@pytest.fixture(scope="session")
async def prepared(database_url: str, kafka_bootstrap: str) -> tuple[str, str]:
    """Topics created and schemas migrated, as `make run` does before starting services."""
    await ensure_topics(kafka_bootstrap)
    await migrate(database_url)
    return database_url, kafka_bootstrap


@pytest.fixture(scope="session")
def system(prepared: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[RunningSystem]:
    """The running system, shared by the e2e tests of a session."""
    database_url, bootstrap = prepared
    with RunningSystem(database_url, bootstrap,
                       Path(tmp_path_factory.mktemp("logs"))).running() as running:
        yield running


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection for checking what was stored."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
