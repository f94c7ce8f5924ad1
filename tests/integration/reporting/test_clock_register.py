"""The register's clock columns in Postgres: shuffled, batched and rebuilt alike, and the period
report's clock section counted from them."""

from __future__ import annotations

import random
import uuid
from datetime import date

import asyncpg
import pytest

from services.reporting.clocks import clocks_for_period
from services.reporting.rebuild import build_shadow
from tests.integration.reporting.test_projection_equivalence import exports_of, incremental
from tests.support.schemas import ThrowawaySchemas
from tests.unit.reporting.clock_scenario import clock_scenario

pytestmark = pytest.mark.integration


async def test_clock_columns_built_incrementally_in_any_order_equal_a_rebuild(
        conn: asyncpg.Connection, throwaway: ThrowawaySchemas) -> None:
    world = clock_scenario(uuid.uuid4().hex[:8])
    rng = random.Random(23)
    delivered = world.facts + rng.sample(world.facts, k=4)
    rng.shuffle(delivered)
    live_schema = await incremental(conn, throwaway, delivered, batches=rng)
    live = await exports_of(conn, live_schema)
    shadow = throwaway.new("rb")
    await build_shadow(conn, world.facts, shadow)
    assert await exports_of(conn, shadow) == live
    row = await conn.fetchrow(
        f"SELECT extensions, extended_due_date, notice_due_date, notices_late"
        f" FROM {live_schema}.case_register WHERE case_id = $1", world.extended_id)
    assert tuple(row) == (2, date(2027, 1, 29), date(2027, 1, 13), 1)
    assert "extended_due_date" in live["cases"].splitlines()[0]


async def test_the_period_reports_clock_section_counts_from_the_register(
        conn: asyncpg.Connection, throwaway: ThrowawaySchemas) -> None:
    world = clock_scenario(uuid.uuid4().hex[:8])
    schema = await incremental(conn, throwaway, world.facts, batches=random.Random(5))
    november = await clocks_for_period(conn, date(2026, 11, 1), date(2026, 11, 30), None,
                                       on=date(2027, 1, 14), schema=schema)
    assert {k: november[k] for k in ("extended_cases", "extensions", "late_notices",
                                     "notices_not_possible", "forwarded", "forwarded_late")} == {
        "extended_cases": 2, "extensions": 3, "late_notices": 2, "notices_not_possible": 1,
        "forwarded": 2, "forwarded_late": 1}
    assert november["by_region"]["KZ-71"]["forwarded"] == 1
    almaty = await clocks_for_period(conn, date(2026, 11, 1), date(2026, 11, 30), "KZ-75",
                                     on=date(2027, 1, 14), schema=schema)
    assert almaty["forwarded"] == 1 and list(almaty["by_region"]) == ["KZ-75"]
    december = await clocks_for_period(conn, date(2026, 12, 1), date(2026, 12, 31), None,
                                       schema=schema)
    assert december["extensions"] == 0 and december["late_notices_as_of"] == "2026-12-31"
    assert await clocks_for_period(conn, date(2026, 11, 1), date(2026, 11, 30), None,
                                   on=date(2027, 1, 14), schema=schema) == november
