"""Bounded waits for what happens asynchronously (never a timing assertion)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = 60.0,
                     what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await probe()
        if value:  # None, False and an empty list all mean "not yet"
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
