"""Rules of the case.registered payload: validated text, closed vocabulary, no PII in the event."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from events import REGISTRY, CaseRegistered, InvalidPayload, ReporterReference

pytestmark = pytest.mark.unit

REPORTER = {"vault_ref": "vault:reporter:42", "commitment": "3f" * 32}


def _payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Требование взятки за справку",
        "description": "Участковый инспектор потребовал деньги за выдачу справки.",
        "region": "KZ-63",
        "sector": "police",
        "source": "citizen_reception",
        "district": "Усть-Каменогорск",
        "anonymous": False,
        "reporter": REPORTER,
        "reception_id": None,
    }
    return {**payload, **overrides}


def test_a_complete_payload_validates_and_round_trips() -> None:
    model = CaseRegistered.model_validate(_payload())
    assert REGISTRY.encode(model) == ("case.registered", 2, _payload())


def test_title_is_stripped() -> None:
    assert CaseRegistered.model_validate(_payload(title="  Поборы  ")).title == "Поборы"


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_blank_or_overlong_titles_are_refused(title: str) -> None:
    with pytest.raises(ValidationError):
        CaseRegistered.model_validate(_payload(title=title))


def test_description_may_be_long_but_not_over_10000_characters() -> None:
    CaseRegistered.model_validate(_payload(description="ә" * 10_000))
    with pytest.raises(ValidationError):
        CaseRegistered.model_validate(_payload(description="ә" * 10_001))


@pytest.mark.parametrize(
    "overrides",
    [
        {"region": "KZ-ALA"},
        {"region": "Almaty"},
        {"sector": "banking"},
        {"source": "email"},
        {"district": "x" * 121},
        {"reporter": {"vault_ref": "v", "commitment": "short"}},
        {"reporter": {**REPORTER, "phone": "+7 701 000 0000"}},
        {"reporter_phone": "+7 701 000 0000"},
    ],
)
def test_values_outside_the_contract_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayload):
        REGISTRY.decode("case.registered", 1, _payload(**overrides))


def test_an_anonymous_report_carries_no_reporter() -> None:
    CaseRegistered.model_validate(_payload(anonymous=True, reporter=None))
    with pytest.raises(ValidationError, match="anonymous"):
        CaseRegistered.model_validate(_payload(anonymous=True))


def test_the_event_holds_no_pii_only_a_vault_reference_and_commitment() -> None:
    assert REGISTRY.pii_fields("case.registered", 1) == frozenset()
    assert set(ReporterReference.model_fields) == {"vault_ref", "commitment"}
    assert CaseRegistered.model_fields["reporter"].annotation == ReporterReference | None


def test_payloads_are_frozen() -> None:
    model = CaseRegistered.model_validate(_payload())
    with pytest.raises(ValidationError):
        model.title = "changed"  # type: ignore[misc]
