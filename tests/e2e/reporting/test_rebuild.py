"""Rebuild: replaying the topics gives read models equal to the live ones, byte for byte."""

from __future__ import annotations

import subprocess

import asyncpg
import httpx
import pytest

from tests.e2e.reporting.support import case_body, directive_body, post, projected
from tests.support.rest import caught_up, rebuild_command
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e

PERIOD = {"from": "2020-01-01", "to": "2035-12-31"}


async def run_rebuild(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    """Run reporting's rebuild command as an operator would, against the test system."""
    return await rebuild_command(system, "reporting", *args)


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
