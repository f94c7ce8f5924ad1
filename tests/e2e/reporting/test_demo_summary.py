"""The demo command prints a region's summary for a four-month period from the running system."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.reporting.support import case_body, post, projected
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]


async def test_the_summary_command_shows_the_region_and_its_months(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body("KZ-79"))
        await projected(client, system, "cases", case["id"])
    shown = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "services.reporting.show", "--region", "KZ-79"],
        env=system.env(), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "region KZ-79" in lines[0]
    assert lines[1].startswith("total") and "registered" in lines[1]
    assert sum(1 for line in lines if line[:4].isdigit() and line[4] == "-") == 4
