"""Integration fixtures: a migrated database, a superuser connection that drops the schemas a
test made, and the intake event store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import Actor
from infra.local.broker import TansuBroker
from infra.migrate import migrate
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore
from tests.support.kafka import own_broker
from tests.support.schemas import ThrowawaySchemas


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
def throwaway() -> ThrowawaySchemas:
    """The schemas this test makes for itself."""
    return ThrowawaySchemas()


@pytest.fixture
async def conn(migrated_database_url: str, throwaway: ThrowawaySchemas
               ) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection; the throwaway schemas the test made are dropped after it."""
    connection = await asyncpg.connect(migrated_database_url)
    yield connection
    for name in throwaway.names:
        await connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    await connection.close()


@pytest.fixture
def store(intake_pool: asyncpg.Pool) -> EventStore:
    """intake's event store."""
    return EventStore(intake_pool, "intake")


@pytest.fixture
def context() -> CommandContext:
    """An operator in Almaty."""
    return CommandContext(actor=Actor(id="op-1", role="operator", region="KZ-75"),
                          correlation_id="corr-test")


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[TansuBroker]:
    """A Tansu broker (memory only) of the test's own, so that restarting it disturbs nobody."""
    with own_broker(tmp_path / "tansu.log") as broker:
        yield broker


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    """A plain producer on the session's broker, for tests that put messages in place."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    await producer.start()
    yield producer
    await producer.stop()
