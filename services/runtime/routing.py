"""Which methods a path answers, across every operation of the app (for Allow and OPTIONS)."""

from __future__ import annotations

import re
from typing import Any

from starlette.types import Scope

_METHODS = ("get", "put", "post", "delete", "patch", "head")
_UNDOCUMENTED = {"/openapi.json": {"GET"}, "/docs": {"GET"}}


def _table(app: Any) -> list[tuple[re.Pattern[str], set[str]]]:
    """Each documented path as a pattern with its methods, built once per app."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
        for path, item in paths.items():
            parts = re.split(r"(\{[^}]+\})", path)
            pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            methods = {m.upper() for m in item if m in _METHODS}
            table.append((re.compile(f"^{pattern}$"), methods))
        table += [(re.compile(f"^{re.escape(p)}$"), m) for p, m in _UNDOCUMENTED.items()]
        app.state.allow_table = table
    return table


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some operation of the app answers on this path (OPTIONS included), sorted."""
    app = scope.get("app")
    if app is None:
        return []
    methods: set[str] = set()
    for pattern, answered in _table(app):
        if pattern.match(scope["path"]):
            methods |= answered
    if methods:
        methods.add("OPTIONS")
    return sorted(methods)
