"""The receptions contract: reception payloads, and the v2 upcasts of case.registered and
directive.issued (a v1 case was registered at no reception, a v1 directive requires none)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from events import (
    REGISTRY,
    CaseRegistered,
    DirectiveIssued,
    ReceptionHeld,
    ReceptionScheduled,
    ReceptionStatus,
)
from events.receptions import MAX_ATTENDANCE, reception_status
from services.reporting.facts import Fact
from tests.support.envelopes import golden

pytestmark = pytest.mark.unit


def test_a_v1_registration_reads_as_v2_made_at_no_reception() -> None:
    v1 = golden("case.registered", 1)
    decoded = REGISTRY.read(v1)
    assert isinstance(decoded, CaseRegistered) and decoded.reception_id is None
    assert "reception_id" not in v1.payload and v1.hash_is_valid()


def test_the_v2_registration_names_its_reception() -> None:
    v2 = golden("case.registered", 2)
    decoded = REGISTRY.read(v2)
    assert isinstance(decoded, CaseRegistered)
    assert decoded.reception_id == "01a21b80-0000-7abc-8000-00000000e001"
    assert REGISTRY.current(v2) is v2.payload


def test_a_v1_directive_requires_no_receptions_and_v2_carries_its_count() -> None:
    v1, v2 = golden("directive.issued", 1), golden("directive.issued", 2)
    assert REGISTRY.read(v1).receptions_required == 0  # type: ignore[attr-defined]
    assert Fact.of(v1, "casetrack.intake.v1").data["receptions_required"] == 0
    assert isinstance(REGISTRY.read(v2), DirectiveIssued)
    assert REGISTRY.read(v2).receptions_required == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("required", [-1, 1001])
def test_a_directive_cannot_require_a_negative_or_unbounded_number_of_receptions(
        required: int) -> None:
    payload = {**golden("directive.issued", 2).payload, "receptions_required": required}
    with pytest.raises(ValidationError):
        DirectiveIssued.model_validate(payload)


def _scheduled(**overrides: Any) -> dict[str, Any]:
    return {**golden("reception.scheduled", 1).payload, **overrides}


def test_a_reception_names_at_least_one_official_with_a_position() -> None:
    assert ReceptionScheduled.model_validate(_scheduled()).officials[0].position
    for officials in ([], [{"name": "A"}], [{"name": "A", "position": " "}]):
        with pytest.raises(ValidationError):
            ReceptionScheduled.model_validate(_scheduled(officials=officials))


@pytest.mark.parametrize("attendance", [-1, MAX_ATTENDANCE + 1])
def test_attendance_is_bounded(attendance: int) -> None:
    payload = {**golden("reception.held", 1).payload, "attendance": attendance}
    with pytest.raises(ValidationError):
        ReceptionHeld.model_validate(payload)


def test_a_receptions_status_follows_its_events() -> None:
    assert reception_status([]) is None
    assert reception_status(["reception.scheduled"]) is ReceptionStatus.SCHEDULED
    assert reception_status(["reception.scheduled", "reception.held"]) is ReceptionStatus.HELD
    assert reception_status(["reception.scheduled", "reception.cancelled"]
                            ) is ReceptionStatus.CANCELLED
