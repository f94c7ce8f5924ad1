"""Review fixtures: the review schema's pool, the app on it, and intake events to feed it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from events import GENESIS_HASH, REGISTRY, Actor, EventEnvelope, EventPayload, new_event_id
from services.review.app import create_app
from services.runtime.auth import issue_token
from services.runtime.db import create_pool
from tests.support.apps import client_of, running_app

JWT_SECRET = "review-integration-secret-0123456789abcdef"


@pytest.fixture(scope="session")
async def review_pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool acting as review's application role."""
    pool = await create_pool(migrated_database_url, "review", min_size=1, max_size=8)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def review_app(migrated_database_url: str, kafka_bootstrap: str) -> AsyncIterator[FastAPI]:
    """review's app with its lifespan running (pool, relay) against the test servers."""
    async with running_app(create_app, migrated_database_url, kafka_bootstrap, JWT_SECRET) as app:
        yield app


@pytest.fixture
async def client(review_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in process."""
    async with client_of(review_app, "review") as http:
        yield http


def auth(role: str, regions: list[str], sub: str) -> dict[str, str]:
    """A bearer header for one principal."""
    return {"Authorization": f"Bearer {issue_token(sub, role, regions, secret=JWT_SECRET)}"}


class Stream:
    """Seals successive events of one intake (or assignment) stream, as their owner would."""

    def __init__(self, stream_type: str, stream_id: str | None = None) -> None:
        self.stream_type = stream_type
        self.stream_id = stream_id or str(new_event_id())
        self.prev = GENESIS_HASH
        self.version = 0

    def next(self, payload: EventPayload, actor: str = "op-1", role: str = "operator",
             region: str | None = "KZ-75") -> EventEnvelope:
        """The next sealed envelope of the stream."""
        event_type, schema_version, body = REGISTRY.encode(payload)
        self.version += 1
        now = datetime.now(UTC)
        env = EventEnvelope.seal(
            prev_hash=self.prev, stream_id=self.stream_id, stream_type=self.stream_type,
            version=self.version, event_id=new_event_id(), event_type=event_type,
            schema_version=schema_version, occurred_at=now, recorded_at=now,
            actor=Actor(id=actor, role=role, region=region),
            correlation_id=f"corr-{uuid.uuid4().hex[:8]}", causation_id=None, payload=body,
        )
        self.prev = env.hash
        return env

