"""The clock scanner spends at most its budget per pass and the next pass resumes where it stopped."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.assignment.consumers import default_clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.assignment.scanner import scan
from services.runtime.db import create_pool
from services.runtime.eventstore import EventStore
from tests.integration.assignment.test_clock_replay import registered

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool acting as assignment's application role."""
    p = await create_pool(migrated_database_url, "assignment", max_size=4)
    yield p
    await p.close()


async def _escalations(pool: asyncpg.Pool, ids: list[str]) -> int:
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = ANY($1::text[])"
            " AND event_type = 'assignment.escalated'", ids)
    return count


async def test_a_pass_out_of_budget_stops_after_one_subject_and_later_passes_cover_every_one(
        pool: asyncpg.Pool) -> None:
    planner = Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())
    at = datetime.now(UTC) - timedelta(days=60)
    ids = sorted(f"zz-budget-{uuid.uuid4()}" for _ in range(3))
    async with pool.acquire() as conn, conn.transaction():
        for case_id in ids:
            await planner.on_intake(conn, registered(case_id, "KZ-62", at), "casetrack.intake.v1")
    after = ids[0][:-1]  # just before the first of ours: earlier subjects are other tests'
    passes = 0
    while after is not None:
        report = await scan(pool, planner, budget_seconds=0.0, after=after)
        assert not report.skipped
        assert report.escalated <= 1  # an exhausted budget lets one subject through, no more
        after, passes = report.resume_after, passes + 1
    assert passes >= len(ids)
    assert await _escalations(pool, ids) == len(ids)
