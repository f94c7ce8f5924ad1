"""Rebuild: replaying the topics gives read models equal to the live ones, byte for byte."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.e2e.reporting.support import case_body, directive_body, post, projected
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
PERIOD = {"from": "2020-01-01", "to": "2035-12-31"}


async def run_rebuild(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the rebuild command as an operator would, against the test system."""
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "services.reporting.rebuild", *args],
        env=system.env(), cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


CONSUMERS_OF = {"intake": (("assignment", "assignment-planner"), ("review", "review-opener")),
                "assignment": (("intake", "intake-reactor"), ("review", "review-opener")),
                "review": (("intake", "intake-reactor"),)}


async def behind(db: asyncpg.Connection) -> list[str]:
    """What keeps the system from rest: owners' events reporting lacks or a saga has not applied.

    Other tests also put synthetic events straight onto the topics, so reporting may hold more
    than the owners store; what matters is that nothing stored is missing, and that no service
    still has an owner's event to react to (its reaction would change the read models later).
    """
    owners = await db.fetch("SELECT table_schema FROM information_schema.tables "
                            "WHERE table_name = 'events' AND table_schema IN "
                            "('intake', 'assignment', 'review')")
    lagging: list[str] = []
    for owner in owners:
        schema = owner["table_schema"]
        checks: list[tuple[str, str, tuple[str, ...]]] = [
            ("reporting", "reporting.history h WHERE h.event_id = e.event_id", ())]
        checks += [(consumer, f"{consumer_schema}.processed_events p "
                    "WHERE p.consumer = $1 AND p.event_id = e.event_id", (consumer,))
                   for consumer_schema, consumer in CONSUMERS_OF[schema]]
        for who, lookup, args in checks:
            rows = await db.fetch(
                f"""SELECT e.event_type, count(*) AS n, min(e.recorded_at) AS oldest,
                           (array_agg(e.event_id))[1] AS sample
                    FROM {schema}.events e WHERE NOT EXISTS (SELECT 1 FROM {lookup})
                    GROUP BY e.event_type""", *args)
            lagging += [f"{who} lacks {r['n']} {schema} {r['event_type']} (oldest "
                        f"{r['oldest']:%H:%M:%S}, e.g. {r['sample']})" for r in rows]
    return lagging


async def caught_up(db: asyncpg.Connection, system: RunningSystem) -> None:
    """Wait until the system is at rest; on timeout, say what lags and what the services said."""
    try:
        await eventually(lambda: _at_rest(db), within=120, what="every consumer caught up")
    except AssertionError:
        lagging = await behind(db)
        said = [f"{log.name}: {line.strip()[:300]}" for log in sorted(system.log_dir.glob("*.log"))
                for line in log.read_text(errors="replace").splitlines()
                if any(w in line for w in ("retrying", "restarting", "dead_lettered", "error"))]
        raise AssertionError("not at rest:\n  " + "\n  ".join(lagging)
                             + "\nlast warnings:\n  " + "\n  ".join(said[-30:])) from None


async def _at_rest(db: asyncpg.Connection) -> bool:
    return not await behind(db)


async def exports(client: httpx.AsyncClient, system: RunningSystem) -> dict[str, str]:
    return {name: (await client.get(f"{system.reporting_url}/v1/exports/{name}.csv",
                                    params=PERIOD, headers=auth())).text
            for name in ("cases", "directives", "history", "summary")}


async def test_check_passes_then_a_rebuild_swaps_in_identical_read_models(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body())
        directive = await post(client, f"{system.intake_url}/v1/directives", directive_body())
        await projected(client, system, "cases", case["id"])
        await projected(client, system, "directives", directive["id"])
        await caught_up(db, system)
        before = await exports(client, system)

        checked = await run_rebuild(system, "--check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "identical" in checked.stdout and "ev/s" in checked.stderr

        rebuilt = await run_rebuild(system)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        after = await exports(client, system)
    assert after == before
    assert case["id"] in after["cases"] and directive["id"] in after["directives"]


async def test_check_fails_when_a_live_row_differs(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body())
        await projected(client, system, "cases", case["id"])
    await caught_up(db, system)
    title = await db.fetchval("UPDATE reporting.case_register SET title = 'drifted' "
                              "WHERE case_id = $1 RETURNING $2::text", case["id"], case["title"])
    checked = await run_rebuild(system, "--check")
    await db.execute("UPDATE reporting.case_register SET title = $2 WHERE case_id = $1",
                     case["id"], title)
    assert checked.returncode == 1
    assert "cases.csv differs" in checked.stderr
