"""The pure projection core: registers derived from facts, whatever their order or repetition."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from services.reporting.model import ReadModels, project_all
from tests.unit.reporting.scenario import scenario

pytestmark = pytest.mark.unit


def canonical(models: ReadModels) -> dict[str, list[Any]]:
    """The read models as sorted lists, so two builds compare by content."""
    return {name: sorted((sorted(row.items(), key=lambda kv: kv[0]) for row in rows), key=repr)
            for name, rows in vars(models).items()}


def test_shuffled_and_duplicated_deliveries_give_identical_read_models() -> None:
    world = scenario()
    expected = canonical(project_all(world.facts))
    rng = random.Random(20260105)
    for _ in range(25):
        delivered = world.facts + rng.sample(world.facts, k=len(world.facts) // 2)
        rng.shuffle(delivered)
        assert canonical(project_all(delivered)) == expected


def test_the_case_row_takes_status_from_the_highest_version_and_assignee_from_the_latest_made(
) -> None:
    world = scenario()
    (case,) = project_all(world.facts).cases
    assert case["status"] == "resolved" and case["outcome"] == "confirmed"
    assert case["version"] == 6 and case["reopen_count"] == 1
    assert case["assignee_id"] == "officer-b" and case["due_date"] == date(2026, 1, 26)
    assert case["risk_level"] == "high"
    assert case["review_id"] == world.review_id and case["review_status"] == "approved"


def test_the_directive_row_counts_extensions_and_keeps_both_due_dates() -> None:
    world = scenario()
    (directive,) = project_all(world.facts).directives
    assert directive["original_due_date"] == date(2026, 2, 27)
    assert directive["due_date"] == date(2026, 3, 13) and directive["extensions"] == 1
    assert directive["status"] == "reported"


def test_review_events_join_the_subject_history_even_before_the_opening_arrives() -> None:
    world = scenario()
    without_opening = [f for f in world.facts if f.event_type != "review.opened"]
    models = project_all(without_opening)
    subjects = {r["event_type"]: r["subject_id"] for r in models.history
                if r["stream_type"] == "review"}
    assert subjects == {"review.claimed": world.case_id,
                        "review.verdict_recorded": world.case_id}


def test_an_unknown_event_type_is_kept_in_history_and_changes_no_status() -> None:
    world = scenario()
    models = project_all(world.facts)
    assert any(r["event_type"] == "case.shrugged" for r in models.history)
    assert all(r["hash_ok"] for r in models.history)


def test_monitoring_groups_keep_only_active_members() -> None:
    (group,) = project_all(scenario().facts).groups
    assert group["members"] == '["mon-1"]' and group["member_count"] == 1
