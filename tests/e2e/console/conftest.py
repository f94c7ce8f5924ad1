"""Fixtures of the console's browser tests: one Chromium for the session, over the e2e system."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.console.browser import ConsoleBrowser, require_browser, start_chromium
from tests.e2e.review.test_review_loop import Loop
from tests.support.system import RunningSystem


@pytest.fixture(scope="session")
def browser(system: RunningSystem) -> Iterator[ConsoleBrowser]:
    """Headless Chromium pointed at the running console (fails in CI when not installed)."""
    require_browser()
    driver = start_chromium()
    try:
        yield ConsoleBrowser(driver, system.urls["console"])
    finally:
        driver.quit()


@pytest.fixture
async def loop(system: RunningSystem) -> AsyncIterator[Loop]:
    """The review loop's operator and monitor (a member of the region's group) on a client."""
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        await loop.join_group()
        yield loop
