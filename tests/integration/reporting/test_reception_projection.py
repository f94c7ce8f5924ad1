"""The receptions read model in Postgres: any delivery order and batching equals the rebuild,
and the summaries count held receptions, attendance and the cases registered at them."""

from __future__ import annotations

import random
import uuid
from datetime import date

import asyncpg
import pytest

from events import Role
from services.reporting import receptions
from services.reporting.exports import stream_rows
from services.reporting.facts import Fact
from services.reporting.projections import Projector
from services.reporting.rebuild import AUDITOR, build_shadow, create_tables
from services.runtime.auth import Principal
from tests.support.schemas import ThrowawaySchemas
from tests.unit.reporting.reception_scenario import reception_world

pytestmark = pytest.mark.integration

ON = date(2026, 6, 1)
EXPORTS = ("receptions", "cases", "directives", "history")


async def _exports(conn: asyncpg.Connection, schema: str) -> dict[str, str]:
    return {name: "".join([line async for line in stream_rows(conn, name, AUDITOR, {}, ON,
                                                                 schema)])
            for name in EXPORTS}


async def _incremental(conn: asyncpg.Connection, throwaway: ThrowawaySchemas, facts: list[Fact],
                       rng: random.Random) -> str:
    schema = throwaway.new("rr")
    await create_tables(conn, schema)
    projector = Projector(schema)
    start = 0
    while start < len(facts):
        size = rng.randint(1, 4)
        async with conn.transaction():
            await projector.project_batch(
                conn, [(f.envelope(), f.topic) for f in facts[start:start + size]])
        start += size
    return schema


async def test_receptions_built_incrementally_in_any_order_equal_their_rebuild(
        conn: asyncpg.Connection, throwaway: ThrowawaySchemas) -> None:
    world = reception_world(uuid.uuid4().hex[:8])
    shadow = throwaway.new("rb")
    await build_shadow(conn, world.facts, shadow)
    rebuilt = await _exports(conn, shadow)
    rng = random.Random(5)
    for _ in range(3):
        delivered = world.facts + rng.sample(world.facts, k=4)
        rng.shuffle(delivered)
        assert await _exports(conn, await _incremental(conn, throwaway, delivered, rng)) == rebuilt
    assert len(rebuilt["receptions"].splitlines()) == 4  # header + 3 receptions
    held_line = next(line for line in rebuilt["receptions"].splitlines()
                     if line.startswith(world.held_id))
    assert held_line.endswith(",2")  # cases registered at it
    directive = rebuilt["directives"].splitlines()
    header, row = directive[0].split(","), directive[1].split(",")
    assert row[header.index("receptions_required")] == "2"
    assert row[header.index("receptions_held")] == "1"


async def test_the_summary_counts_held_receptions_attendance_and_cases_per_district(
        conn: asyncpg.Connection, throwaway: ThrowawaySchemas) -> None:
    world = reception_world(uuid.uuid4().hex[:8])
    schema = throwaway.new("rs")
    await build_shadow(conn, world.facts, schema)
    january = await receptions.receptions_for_period(
        conn, date(2026, 1, 1), date(2026, 1, 31), "KZ-75", schema=schema)
    assert january["by_district"] == [{
        "region": "KZ-75", "district": "Alatau", "held": 1, "attendance": 37,
        "cases_registered": 2, "scheduled": 2, "cancelled": 1}]
    assert (january["held"], january["attendance"], january["cases_registered"]) == (1, 37, 2)
    february = await receptions.receptions_for_period(
        conn, date(2026, 2, 1), date(2026, 2, 28), None, schema=schema)
    assert (february["held"], february["scheduled"]) == (0, 1)
    assert february["by_district"][0]["district"] == "Medeu"
    elsewhere = Principal("analyst-1", Role.ANALYST, frozenset({"KZ-11"}))
    hidden = await receptions.reception_summary(
        conn, elsewhere, date(2026, 1, 1), date(2026, 12, 31), None, schema=schema)
    assert hidden["by_district"] == [] and hidden["held"] == 0
