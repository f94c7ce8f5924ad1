"""Incremental projection in Postgres: any delivery order, duplicates included, equals a rebuild."""

from __future__ import annotations

import random
import uuid
from datetime import date

import asyncpg
import pytest

from services.reporting.exports import stream_rows
from services.reporting.facts import Fact
from services.reporting.projections import Projector
from services.reporting.rebuild import AUDITOR, build_shadow, create_tables
from tests.support.schemas import ThrowawaySchemas
from tests.unit.reporting.scenario import scenario

pytestmark = pytest.mark.integration

ON = date(2026, 6, 1)


async def exports_of(conn: asyncpg.Connection, schema: str) -> dict[str, str]:
    return {name: "".join([line async for line in stream_rows(conn, name, AUDITOR, {}, ON,
                                                                 schema)])
            for name in ("cases", "directives", "history")}


async def incremental(conn: asyncpg.Connection, throwaway: ThrowawaySchemas, facts: list[Fact],
                      batches: random.Random | None = None) -> str:
    """Project the facts into fresh tables one per transaction, or in batches of random sizes."""
    schema = throwaway.new("rt")
    await create_tables(conn, schema)
    projector = Projector(schema)
    start = 0
    while start < len(facts):
        size = batches.randint(2, 9) if batches else 1
        chunk = facts[start:start + size]
        start += size
        async with conn.transaction():
            if batches:
                await projector.project_batch(conn, [(f.envelope(), f.topic) for f in chunk])
            else:
                await projector.project(conn, chunk[0].envelope(), chunk[0].topic)
    return schema


async def test_shuffled_deliveries_with_duplicates_give_identical_tables(
    conn: asyncpg.Connection, throwaway: ThrowawaySchemas,
) -> None:
    world = scenario(uuid.uuid4().hex[:8])
    rng = random.Random(7)
    results = []
    for _ in range(3):
        delivered = world.facts + rng.sample(world.facts, k=6)
        rng.shuffle(delivered)
        results.append(await exports_of(conn, await incremental(conn, throwaway, delivered)))
    assert results[0] == results[1] == results[2]
    assert world.case_id in results[0]["cases"] and world.directive_id in results[0]["directives"]


async def test_a_rebuild_equals_the_incremental_build_byte_for_byte_in_the_csv_exports(
    conn: asyncpg.Connection, throwaway: ThrowawaySchemas,
) -> None:
    world = scenario(uuid.uuid4().hex[:8])
    delivered = list(reversed(world.facts))
    live = await exports_of(conn, await incremental(conn, throwaway, delivered))
    shadow = throwaway.new("rb")
    await build_shadow(conn, world.facts, shadow)
    rebuilt = await exports_of(conn, shadow)
    assert rebuilt == live
    assert len(live["history"].splitlines()) == len(world.facts) + 1


async def test_batches_of_any_size_and_order_give_the_tables_of_one_event_at_a_time(
    conn: asyncpg.Connection, throwaway: ThrowawaySchemas,
) -> None:
    world = scenario(uuid.uuid4().hex[:8])
    one_by_one = await exports_of(conn, await incremental(conn, throwaway, world.facts))
    rng = random.Random(11)
    for _ in range(8):
        delivered = world.facts + rng.sample(world.facts, k=6)
        rng.shuffle(delivered)
        batched = await exports_of(conn, await incremental(conn, throwaway, delivered, batches=rng))
        assert batched == one_by_one
