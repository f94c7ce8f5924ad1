"""The fault suite's own system: its own Postgres and broker, so restarting them or stopping a
process disturbs no other test, and no other system's workers join its consumer groups."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from infra.local.broker import TansuBroker
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import migrate
from services.runtime.topics import ensure_topics
from tests.conftest import run_async
from tests.support.kafka import own_broker
from tests.support.system import RunningSystem, free_port


@pytest.fixture(scope="session")
def fault_postgres() -> Iterator[EmbeddedPostgres]:
    """A Postgres server of the fault suite's own (restartable)."""
    root = Path(tempfile.mkdtemp(prefix="casetrack-faults-pg-"))
    server = EmbeddedPostgres(root / "pgdata", free_port(), log_file=root / "postgres.log")
    server.start()
    server.ensure_database("casetrack")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of the fault suite's own."""
    with own_broker(tmp_path_factory.mktemp("faults-tansu") / "log") as broker:
        yield broker


@pytest.fixture(scope="session")
def fault_system(fault_postgres: EmbeddedPostgres, fault_broker: TansuBroker,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Every service and worker, running against the suite's own servers."""
    url = fault_postgres.url("casetrack")
    run_async(ensure_topics(fault_broker.bootstrap))
    run_async(migrate(url))
    with RunningSystem(url, fault_broker.bootstrap,
                       Path(tmp_path_factory.mktemp("faults-logs"))).running() as system:
        yield system


@pytest.fixture
async def fault_db(fault_system: RunningSystem) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the suite's database, for the invariant checks."""
    conn = await asyncpg.connect(fault_system.database_url)
    yield conn
    await conn.close()
