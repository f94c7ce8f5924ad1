"""The period report's sections that other parts of reporting provide, by name.

Each entry names `module:function`, an `async def x_for_period(conn, start, end, region) ->
dict[str, Any]` over reporting's live read models (it runs in the report's read-only,
repeatable-read transaction, so it must not write); None keeps a placeholder in the report until
that part is merged. Adding a section is one line here.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from services.runtime.db import Conn

LiveSection = Callable[[Conn, date, date, str | None], Awaitable[dict[str, Any]]]

LIVE_SECTIONS: dict[str, str | None] = {
    "clocks": None,  # e.g. "services.reporting.<module>:clocks_for_period"
    "receptions": None,  # "…:receptions_for_period"
    "surveys": None,  # "…:surveys_for_period"
}
"""Sections computed from the live read models when the report is made (not from the cut)."""


def resolve(path: str) -> LiveSection:
    """The section function a `module:function` path names; raises if it is not one."""
    module_name, _, name = path.partition(":")
    function = getattr(importlib.import_module(module_name), name)
    if not inspect.iscoroutinefunction(function) or len(inspect.signature(function).parameters) != 4:
        raise TypeError(f"{path} is not an async (conn, start, end, region) section")
    section: LiveSection = function
    return section


async def live_sections(conn: Conn, start: date, end: date, region: str | None
                        ) -> dict[str, dict[str, Any]]:
    """Every registered live section's numbers, a placeholder for the unregistered."""
    found: dict[str, dict[str, Any]] = {}
    for name, path in LIVE_SECTIONS.items():
        if path is None:
            found[name] = {"status": "not available in this release"}
        else:
            found[name] = await resolve(path)(conn, start, end, region)
    return found
