"""Summary and monitoring-group activity computed by SQL + kpis over projected read models."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from events import Role
from services.reporting import kpis, queries
from services.reporting.projections import Projector
from services.reporting.rebuild import create_tables
from services.runtime.auth import Principal
from tests.unit.reporting.scenario import scenario

pytestmark = pytest.mark.integration

TODAY = date(2026, 12, 4)
"""The day the summary is read on: fixed, so the test says the same thing every day."""
EVERYWHERE = Principal("auditor", Role.ANALYST, frozenset({"*"}))
ELSEWHERE = Principal("auditor", Role.ANALYST, frozenset({"KZ-11"}))


@pytest.fixture
async def schema(migrated_database_url: str) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A throwaway read-model schema holding the projected scenario."""
    conn = await asyncpg.connect(migrated_database_url)
    name = f"rq_{uuid.uuid4().hex[:12]}"
    await create_tables(conn, name)
    projector = Projector(name)
    for fact in scenario(uuid.uuid4().hex[:8]).facts:
        async with conn.transaction():
            await projector.project(conn, fact.envelope(), fact.topic)
    yield conn, name
    await conn.execute(f"DROP SCHEMA {name} CASCADE")
    await conn.close()


async def test_the_summary_reads_the_registers_through_the_kpi_definitions(
    schema: tuple[asyncpg.Connection, str],
) -> None:
    conn, name = schema
    period = kpis.Period(date(2026, 1, 1), date(2026, 4, 30))
    body = await queries.summary(conn, EVERYWHERE, period, None, None, TODAY, schema=name)
    assert body["registered"] == 1 and body["resolved_by_outcome"] == {"confirmed": 1}
    assert body["median_days_to_resolve"] == 28.0  # 5 Jan -> 2 Feb
    assert body["review_coverage"] == 1.0 and body["reopen_rate"] == 1.0
    assert body["approval_rate"] == 1.0
    (addressee,) = body["directives_by_addressee"].values()
    assert addressee["completed_on_time"] == 1  # reported 10 Mar, due 13 Mar after extension
    hidden = await queries.summary(conn, ELSEWHERE, period, None, None, TODAY, schema=name)
    assert hidden["registered"] == 0 and hidden["by_region"] == {}


async def test_monitoring_activity_counts_only_active_members_work(
    schema: tuple[asyncpg.Connection, str],
) -> None:
    conn, name = schema
    groups = await queries.monitoring_activity(conn, EVERYWHERE, "KZ-75", None, schema=name)
    (group,) = groups
    assert (group["member_count"], group["claimed"], group["verdicts"], group["approved"]) == (
        1, 1, 1, 1)
    assert await queries.monitoring_activity(conn, ELSEWHERE, None, None, schema=name) == []
