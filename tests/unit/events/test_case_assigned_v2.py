"""`case.assigned` v2: v1's `manual` flag is read as `kind`, whoever reads it, the log untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import events
from events import REGISTRY, AssignmentKind, CaseAssigned
from events.asyncapi import ANALYTICS_FACT_REF
from services.reporting.analytics import analytics_fact
from services.reporting.facts import Fact
from tests.support.envelopes import golden

pytestmark = pytest.mark.unit


def test_a_v1_payload_decodes_as_the_v2_model_with_kind_from_the_manual_flag() -> None:
    v1 = golden("case.assigned", 1)
    decoded = REGISTRY.read(v1)
    assert isinstance(decoded, CaseAssigned) and decoded.kind is AssignmentKind.AUTOMATIC
    manual = {**v1.payload, "manual": True}
    assert REGISTRY.decode("case.assigned", 1, manual).kind is AssignmentKind.MANUAL  # type: ignore[attr-defined]


def test_the_v2_golden_sample_names_a_handover_which_v1_could_not() -> None:
    v2 = golden("case.assigned", 2)
    assert REGISTRY.read(v2) == CaseAssigned(**{**v2.payload, "kind": AssignmentKind.HANDOVER})
    assert REGISTRY.current(v2) is v2.payload  # the latest version is read as stored


def test_reading_upcasts_but_the_stored_payload_and_its_hash_stay_as_they_were() -> None:
    v1 = golden("case.assigned", 1)
    fact = Fact.of(v1, "casetrack.intake.v1")
    assert fact.data["kind"] == "automatic" and "manual" not in fact.data
    assert fact.payload == v1.payload and fact.hash_ok()
    assert v1.hash_is_valid()


def test_the_analytics_record_of_a_v1_assignment_carries_the_v2_kind_within_its_schema() -> None:
    record = analytics_fact(Fact.of(golden("case.assigned", 1), "casetrack.intake.v1"), None, key="k" * 32)
    schema = json.loads((Path(events.__file__).parent / ANALYTICS_FACT_REF).read_text())
    assert record["kind"] == "automatic" and "manual" not in record
    assert set(schema["required"]) <= set(record) <= set(schema["properties"])
