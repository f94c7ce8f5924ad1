"""Rules of the payload registry: stable names, typed errors, JSON-ready encoding."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from pydantic import ValidationError

from events import (
    REGISTRY,
    CaseRegistered,
    ContractError,
    EventPayload,
    EventRegistry,
    InvalidPayload,
    RegistrationError,
    UnknownEventType,
    UnknownSchemaVersion,
)

pytestmark = pytest.mark.unit


class DemoNoted(EventPayload):
    """A demo payload with a timestamp, an id and a PII field."""

    note: str
    at: datetime
    ref: UUID
    witness_name: str | None = None


def _registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register("demo.noted", 1, DemoNoted, pii_fields=frozenset({"witness_name"}))
    return registry


def test_the_default_registry_holds_the_case_payloads() -> None:
    assert {("case.registered", 1), ("case.registered", 2)} <= set(REGISTRY.types())
    assert REGISTRY.model_for("case.registered", 2) is CaseRegistered
    assert REGISTRY.latest_version("case.registered") == 2


def test_an_unknown_event_type_is_a_typed_error() -> None:
    with pytest.raises(UnknownEventType):
        _registry().decode("demo.unknown", 1, {})
    with pytest.raises(UnknownEventType):
        _registry().model_for("demo.unknown", 1)
    with pytest.raises(UnknownEventType):
        _registry().latest_version("demo.unknown")


def test_an_unknown_schema_version_of_a_known_type_is_a_typed_error() -> None:
    with pytest.raises(UnknownSchemaVersion):
        _registry().model_for("demo.noted", 2)
    assert issubclass(UnknownSchemaVersion, UnknownEventType)


def test_an_invalid_payload_raises_invalid_payload_wrapping_pydantics_error() -> None:
    with pytest.raises(InvalidPayload) as caught:
        _registry().decode("demo.noted", 1, {"note": "x", "at": "not a time", "ref": "nope"})
    assert isinstance(caught.value.__cause__, ValidationError)
    assert (caught.value.event_type, caught.value.schema_version) == ("demo.noted", 1)


def test_unknown_payload_fields_are_refused() -> None:
    payload = {"note": "x", "at": "2026-11-30T00:00:00.000000Z", "ref": str(UUID(int=1)), "x": 1}
    with pytest.raises(InvalidPayload):
        _registry().decode("demo.noted", 1, payload)


def test_every_contract_error_shares_one_base() -> None:
    for error in (UnknownEventType, InvalidPayload, RegistrationError, UnknownSchemaVersion):
        assert issubclass(error, ContractError)


def test_encode_gives_type_version_and_json_ready_payload_that_decodes_back() -> None:
    registry = _registry()
    model = DemoNoted(note="ок", at=datetime(2026, 11, 30, tzinfo=UTC), ref=UUID(int=5))
    event_type, version, payload = registry.encode(model)
    assert (event_type, version) == ("demo.noted", 1)
    assert payload == {
        "note": "ок",
        "at": "2026-11-30T00:00:00.000000Z",
        "ref": "00000000-0000-0000-0000-000000000005",
        "witness_name": None,
    }
    assert registry.decode(event_type, version, payload) == model


def test_encoding_an_unregistered_model_is_refused() -> None:
    with pytest.raises(UnknownEventType):
        EventRegistry().encode(DemoNoted(note="x", at=datetime.now(UTC), ref=UUID(int=1)))


def test_pii_fields_are_recorded_per_type_and_version() -> None:
    assert _registry().pii_fields("demo.noted", 1) == frozenset({"witness_name"})
    assert DemoNoted.pii_fields == frozenset({"witness_name"})


def test_pii_fields_must_name_fields_of_the_model() -> None:
    with pytest.raises(RegistrationError):
        EventRegistry().register("demo.other", 1, DemoNoted, pii_fields=frozenset({"phone"}))


def test_a_type_and_version_cannot_be_registered_twice() -> None:
    registry = _registry()

    class DemoNotedAgain(EventPayload):
        """Another model claiming the same name."""

    with pytest.raises(RegistrationError):
        registry.register("demo.noted", 1, DemoNotedAgain)


def test_a_model_cannot_be_registered_under_two_names() -> None:
    with pytest.raises(RegistrationError):
        _registry().register("demo.renamed", 1, DemoNoted)


@pytest.mark.parametrize("name", ["Demo.noted", "demo", "tests.DemoNoted", "demo.noted!", ""])
def test_type_names_are_dotted_lowercase_words_not_class_paths(name: str) -> None:
    class DemoNamed(EventPayload):
        """A model to register under a bad name."""

    with pytest.raises(RegistrationError):
        EventRegistry().register(name, 1, DemoNamed)


def test_types_are_listed_sorted() -> None:
    class DemoA(EventPayload):
        """First demo payload."""

    class DemoB(EventPayload):
        """Second demo payload."""

    registry = EventRegistry()
    registry.register("demo.b", 1, DemoB)
    registry.register("demo.a", 1, DemoA)
    assert registry.types() == [("demo.a", 1), ("demo.b", 1)]
