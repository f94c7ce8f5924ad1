"""intake's e2e fixtures: its API as a test drives it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.e2e.intake.client import Intake
from tests.support.system import RunningSystem


@pytest.fixture
async def api(system: RunningSystem) -> AsyncIterator[Intake]:
    """intake's API on an HTTP client of the test's own."""
    async with httpx.AsyncClient() as http:
        yield Intake(http, system)
