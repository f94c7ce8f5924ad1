"""The timeline shows who did what and when, and only the fields meant for people's eyes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.console.timeline import entries

pytestmark = pytest.mark.unit


def event(event_type: str, recorded_at: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A history event as reporting serves it."""
    return {"event_type": event_type, "occurred_at": recorded_at, "recorded_at": recorded_at,
            "actor": {"id": "op-1", "role": "operator"}, "topic": "casetrack.intake.v1",
            "stream_type": "case", "stream_id": "c-1", "version": 1, "hash_ok": True,
            "payload": payload, **extra}


def test_a_reporters_reference_and_commitment_and_unknown_fields_are_never_shown() -> None:
    registered = event("case.registered", "2026-12-01T05:00:00+00:00", {
        "title": "Bribe", "sector": "land", "reporter": {"ref": "r-1", "commitment": "ab12"},
        "reporter_name": "Aigerim", "description": "long text", "future_field": "x"})
    [line] = entries([registered])
    shown = {detail.label: detail.values for detail in line.details}
    assert shown == {"Title": ("Bribe",), "Sector": ("land",)}
    assert (line.what, line.actor_id, line.actor_role, line.service) == (
        "Case registered", "op-1", "operator", "intake")


def test_as_of_leaves_out_what_was_recorded_later() -> None:
    history = [event("case.registered", "2026-12-01T05:00:00+00:00", {}),
               event("case.triaged", "2026-12-02T05:00:00+00:00", {"risk_level": "high"})]
    as_of = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert [line.event_type for line in entries(history, as_of)] == ["case.registered"]
    assert [line.event_type for line in entries(history)] == ["case.registered", "case.triaged"]


def test_lists_are_shown_item_by_item_and_labelled_values_are_marked() -> None:
    verdict = event("review.verdict_recorded", "2026-12-01T05:00:00+00:00",
                    {"verdict": "returned", "flags": ["missed_deadline", "other"], "findings": "x"},
                    topic="casetrack.review.v1")
    [line] = entries([verdict])
    details = {detail.label: detail for detail in line.details}
    assert details["Flags"].values == ("missed_deadline", "other") and details["Flags"].labelled
    assert not details["Findings"].labelled and line.service == "review"
