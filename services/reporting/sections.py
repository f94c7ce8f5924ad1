"""The period report's sections that other parts of reporting provide, by name.

Each entry names `module:function`, an `async def x_for_period(conn, start, end, region) ->
dict[str, Any]` over reporting's live read models (given `schema=` too when it takes one). It
runs in the report's read-only, repeatable-read transaction, so it must not write. None keeps a
placeholder in the report until that part is merged. Adding a section is one line here.
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
    "clocks": "services.reporting.clocks:clocks_for_period",
    "receptions": "services.reporting.receptions:receptions_for_period",
    "surveys": "services.reporting.surveys:surveys_for_period",
}
"""Sections computed from the live read models when the report is made (not from the cut)."""


def resolve(path: str) -> LiveSection:
    """The section function a `module:function` path names; raises if it is not one."""
    module_name, _, name = path.partition(":")
    function = getattr(importlib.import_module(module_name), name)
    try:
        inspect.signature(function).bind(None, None, None, None)
    except TypeError:
        raise TypeError(f"{path} does not take (conn, start, end, region)") from None
    if not inspect.iscoroutinefunction(function):
        raise TypeError(f"{path} is not an async function")
    section: LiveSection = function
    return section


def takes_schema(section: LiveSection) -> bool:
    """Whether a section reads a schema it is given (tests use throwaway ones)."""
    return "schema" in inspect.signature(section).parameters


async def live_sections(conn: Conn, start: date, end: date, region: str | None, schema: str
                        ) -> dict[str, dict[str, Any]]:
    """Every registered live section's numbers, a placeholder for the unregistered."""
    found: dict[str, dict[str, Any]] = {}
    for name, path in LIVE_SECTIONS.items():
        if path is None:
            found[name] = {"status": "not available in this release"}
            continue
        section = resolve(path)
        if takes_schema(section):
            found[name] = await section(conn, start, end, region, schema=schema)  # type: ignore[call-arg]
        else:
            found[name] = await section(conn, start, end, region)
    return found
