"""The reception register row: pure, from the facts of one reception stream."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from events.receptions import reception_status
from services.reporting.facts import Fact, Row

RECEPTION_COLUMNS = (
    "reception_id", "region", "district", "status", "scheduled_on", "place", "office_id",
    "directive_id", "officials", "scheduled_at", "scheduled_by", "held_on",
    "officials_present", "attendance", "cancelled_at", "version", "updated_at",
)
"""Columns of `reception_register` (officials are public office-holders, not reporters)."""


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _officials(value: Any) -> str:
    return json.dumps([{"name": o.get("name"), "position": o.get("position")}
                       for o in (value or [])], ensure_ascii=False)


def reception_row(reception_id: str, facts: Sequence[Fact]) -> Row | None:
    """The reception register row from its stream's facts, whatever order they came in."""
    own = sorted((f for f in facts if f.stream_type == "reception"
                  and f.stream_id == reception_id), key=lambda f: f.version)
    scheduled = next((f for f in own if f.event_type == "reception.scheduled"), None)
    if scheduled is None:
        return None
    held = next((f for f in own if f.event_type == "reception.held"), None)
    cancelled = next((f for f in own if f.event_type == "reception.cancelled"), None)
    p = scheduled.data
    return {
        "reception_id": reception_id, "region": str(p.get("region")),
        "district": str(p.get("district", "")),
        "status": str(reception_status(f.event_type for f in own)),
        "scheduled_on": _date(p.get("scheduled_on")), "place": str(p.get("place", "")),
        "office_id": scheduled.text("office_id"), "directive_id": scheduled.text("directive_id"),
        "officials": _officials(p.get("officials")), "scheduled_at": scheduled.occurred_at,
        "scheduled_by": scheduled.actor.get("id"),
        "held_on": _date(held.data.get("held_on")) if held else None,
        "officials_present": _officials(held.data.get("officials_present") if held else None),
        "attendance": int(held.data.get("attendance", 0)) if held else None,
        "cancelled_at": cancelled.occurred_at if cancelled else None,
        "version": own[-1].version, "updated_at": max(f.recorded_at for f in own),
    }
