"""Rebuild of review's and assignment's read tables: a fold of each service's log and of what
its consumer applied equals the tables the live traffic built, a drifted row is found, and a
swap leaves the tables as they were.

It shares the session's system, so it runs before `tests/e2e/test_broker_restart.py`: that
restart loses the events other tests put straight onto the topics (no owner's log holds them),
and a rebuild refuses to fold without an event its consumer applied."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from services.assignment.rebuild import TABLES as ASSIGNMENT_TABLES
from services.review.rebuild import TABLES as REVIEW_TABLES
from services.runtime.rebuild_owned import OwnedTables
from tests.e2e.assignment.conftest import office, officer, register, unique
from tests.e2e.review.test_review_loop import RESOLUTION, Loop
from tests.support.rest import caught_up, rebuild_command
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REGION = "KZ-75"


async def review_traffic(client: httpx.AsyncClient, system: RunningSystem) -> None:
    """A case returned by its review and reviewed again, and one left returned (its subject
    row names the returning review until the next opening clears it)."""
    loop = Loop(client, system)
    await loop.join_group()
    cases = []
    for _ in range(2):
        created = await client.post(f"{system.intake_url}/v1/cases", headers=loop.operator,
                                    json={"title": f"Queue bribe {unique('c')}",
                                          "description": "Money asked for a place.",
                                          "region": REGION, "sector": "education",
                                          "source": "hotline"})
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        cases.append(case_id)
        await loop.case_command(case_id, "triage", {"risk_level": "high", "category": "bribery"})
        await loop.case_command(case_id, "notes", {"note": "Parents interviewed"})
        await loop.case_command(case_id, "resolve", RESOLUTION)
        first = await loop.review_after(case_id, None)
        returned = await client.post(
            f"{loop.review_url}/v1/reviews/{first['id']}/verdict", headers=loop.monitor,
            json={"verdict": "returned", "findings": "No evidence.",
                  "flags": ["insufficient_evidence"]})
        assert returned.status_code == 201, returned.text
        await loop.case_status(case_id, "reopened")
    await loop.case_command(cases[0], "resolve", RESOLUTION)
    second = await loop.review_after(cases[0], (await loop.review_after(cases[0], None))["id"])
    claimed = await client.post(f"{loop.review_url}/v1/reviews/{second['id']}/claim",
                                headers=loop.monitor)
    assert claimed.status_code == 200, claimed.text


async def assignment_traffic(client: httpx.AsyncClient, system: RunningSystem) -> None:
    """Cases routed to a fresh office's officers, then one officer leaves and hands over."""
    region = "KZ-79"
    office_id = await office(client, system, region)
    leaving = await officer(client, system, office_id, ["land"])
    await officer(client, system, office_id, ["land"])
    for _ in range(3):
        await register(client, system, region)

    async def holds_work() -> bool | None:
        r = await client.get(f"{system.urls['assignment']}/v1/workload", headers=auth())
        return True if leaving in r.text else None

    await eventually(holds_work)
    left = await client.post(f"{system.urls['assignment']}/v1/officers/{leaving}/deactivate",
                             headers=auth(), json={"reason": "moved to the agency"})
    assert left.status_code == 200, left.text


async def tables_of(db: asyncpg.Connection, spec: OwnedTables) -> dict[str, list[Any]]:
    """Every compared column of every rebuildable table, in key order."""
    return {t.name: [tuple(r) for r in await db.fetch(
        f"SELECT {', '.join(t.compared)} FROM {spec.service}.{t.name} "
        f"ORDER BY {', '.join(t.key)}")] for t in spec.tables}


async def test_review_and_assignment_rebuilds_equal_live_find_drift_and_swap_in_identical_tables(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        await review_traffic(client, system)
        await assignment_traffic(client, system)
    await caught_up(db, system)
    assert await db.fetchval(
        "SELECT count(*) FROM review.subjects WHERE returned_by_review_id IS NOT NULL") > 0

    for service in ("review", "assignment"):
        checked = await rebuild_command(system, service, "--check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "identical" in checked.stdout and "ev/s" in checked.stderr

    review_id = await db.fetchval("SELECT review_id FROM review.reviews LIMIT 1")
    reason = await db.fetchval("UPDATE review.reviews SET reason = 'drifted' "
                               "WHERE review_id = $1 RETURNING $2::text", review_id,
                               await db.fetchval("SELECT reason FROM review.reviews "
                                                 "WHERE review_id = $1", review_id))
    drifted = await rebuild_command(system, "review", "--check")
    await db.execute("UPDATE review.reviews SET reason = $2 WHERE review_id = $1",
                     review_id, reason)
    assert drifted.returncode == 1
    assert "reviews differs" in drifted.stderr and "drifted" in drifted.stderr

    await db.execute("UPDATE assignment.officers SET capacity = capacity + 1")
    drifted = await rebuild_command(system, "assignment", "--check")
    await db.execute("UPDATE assignment.officers SET capacity = capacity - 1")
    assert drifted.returncode == 1 and "officers differs" in drifted.stderr

    for spec in (REVIEW_TABLES, ASSIGNMENT_TABLES):
        await caught_up(db, system)
        before = await tables_of(db, spec)
        rebuilt = await rebuild_command(system, spec.service)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert await tables_of(db, spec) == before


async def test_a_swap_under_traffic_loses_nothing_the_tables_still_equal_a_rebuild_after(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    """Cases registered, triaged and resolved while both services' tables are swapped: what
    live applied during the replay is caught up, and what it applies after goes on the new
    tables, so once at rest a check still finds them equal to a rebuild."""
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        await loop.join_group()

        async def walk() -> None:
            created = await client.post(f"{system.intake_url}/v1/cases", headers=loop.operator,
                                        json={"title": f"Bribe {unique('c')}", "region": REGION,
                                              "description": "Money asked.", "sector": "land",
                                              "source": "hotline"})
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            await loop.case_command(case_id, "triage", {"risk_level": "high", "category": "x"})
            await loop.case_command(case_id, "notes", {"note": "Checked"})
            await loop.case_command(case_id, "resolve", RESOLUTION)

        swapping = asyncio.Event()

        async def walks() -> None:
            while not swapping.is_set():
                await walk()

        traffic = asyncio.gather(*(walks() for _ in range(4)))
        await asyncio.sleep(2)
        swaps = await asyncio.gather(rebuild_command(system, "review"),
                                     rebuild_command(system, "assignment"))
        swapping.set()
        await traffic
    for swapped in swaps:
        assert swapped.returncode == 0, swapped.stdout + swapped.stderr
    await caught_up(db, system)
    for service in ("review", "assignment"):
        checked = await rebuild_command(system, service, "--check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
