"""The reception register rows: from a reception's facts in any order; the case's link and the
directive's requirement are register columns."""

from __future__ import annotations

import json
import random

import pytest

from services.reporting.model import project_all
from tests.unit.reporting.reception_scenario import reception_world

pytestmark = pytest.mark.unit


def test_each_reception_gets_its_status_attendance_and_directive_whatever_the_order() -> None:
    world = reception_world()
    shuffled = list(world.facts)
    random.Random(3).shuffle(shuffled)
    rows = {r["reception_id"]: r for r in project_all(shuffled).receptions}
    assert rows == {r["reception_id"]: r for r in project_all(world.facts).receptions}
    held = rows[world.held_id]
    assert (held["status"], held["attendance"], held["directive_id"]) == (
        "held", 37, world.directive_id)
    assert json.loads(held["officials_present"])[0]["position"] == "deputy akim"
    assert rows[world.cancelled_id]["status"] == "cancelled"
    assert rows[world.cancelled_id]["cancelled_at"] is not None
    assert (rows[world.pending_id]["status"], rows[world.pending_id]["attendance"]) == (
        "scheduled", None)


def test_a_case_row_names_its_reception_and_a_v1_case_none() -> None:
    world = reception_world()
    cases = {r["case_id"]: r for r in project_all(world.facts).cases}
    assert {cases[c]["reception_id"] for c in world.case_ids} == {world.held_id}
    assert cases["case-r-v1-1"]["reception_id"] is None


def test_a_directive_row_carries_the_receptions_it_requires() -> None:
    world = reception_world()
    (directive,) = project_all(world.facts).directives
    assert directive["receptions_required"] == 2
