"""Rules of upcasting: stored payloads are read as the latest version, never rewritten."""

from __future__ import annotations

from typing import Any

import pytest

from events import (
    EventPayload,
    EventRegistry,
    InvalidPayload,
    MissingUpcaster,
    UnknownSchemaVersion,
    payload_type,
)

pytestmark = pytest.mark.unit


class DemoHappenedV1(EventPayload):
    """v1: the witness's full name in one field."""

    full_name: str


class DemoHappenedV2(EventPayload):
    """v2: the name split into given and family names."""

    given_name: str
    family_name: str


class DemoHappenedV3(EventPayload):
    """v3: ``family_name`` renamed to ``surname`` and a region added."""

    given_name: str
    surname: str
    region: str


def split_name(payload: dict[str, Any]) -> dict[str, Any]:
    given, _, family = payload.pop("full_name").partition(" ")
    return {**payload, "given_name": given, "family_name": family}


def rename_and_default_region(payload: dict[str, Any]) -> dict[str, Any]:
    payload["surname"] = payload.pop("family_name")
    payload.setdefault("region", "KZ-71")
    return payload


def _registry_up_to(latest: int) -> EventRegistry:
    registry = EventRegistry()
    models: list[type[EventPayload]] = [DemoHappenedV1, DemoHappenedV2, DemoHappenedV3]
    models = models[:latest]
    for version, model in enumerate(models, start=1):
        registry.register("demo.happened", version, model)
    registry.register_upcaster("demo.happened", 1, split_name)
    registry.register_upcaster("demo.happened", 2, rename_and_default_region)
    return registry


def test_a_stored_v1_payload_decodes_as_v2() -> None:
    decoded = _registry_up_to(2).decode("demo.happened", 1, {"full_name": "Aigerim Nurlanova"})
    assert decoded == DemoHappenedV2(given_name="Aigerim", family_name="Nurlanova")


def test_two_upcasters_chain_from_v1_to_v3() -> None:
    decoded = _registry_up_to(3).decode("demo.happened", 1, {"full_name": "Yerlan Abenov"})
    assert decoded == DemoHappenedV3(given_name="Yerlan", surname="Abenov", region="KZ-71")


def test_a_v2_payload_only_runs_the_upcasters_after_v2() -> None:
    stored = {"given_name": "Dana", "family_name": "Seitkali"}
    decoded = _registry_up_to(3).decode("demo.happened", 2, stored)
    assert decoded == DemoHappenedV3(given_name="Dana", surname="Seitkali", region="KZ-71")


def test_a_latest_version_payload_is_validated_without_upcasting() -> None:
    stored = {"given_name": "Dana", "surname": "Seitkali", "region": "KZ-79"}
    assert _registry_up_to(3).decode("demo.happened", 3, stored) == DemoHappenedV3(**stored)


def test_upcasting_never_mutates_the_stored_payload() -> None:
    stored = {"given_name": "Dana", "family_name": "Seitkali"}
    _registry_up_to(3).decode("demo.happened", 2, stored)
    assert stored == {"given_name": "Dana", "family_name": "Seitkali"}


def test_latest_version_is_the_newest_registered_model() -> None:
    assert _registry_up_to(2).latest_version("demo.happened") == 2
    assert _registry_up_to(3).latest_version("demo.happened") == 3


def test_a_missing_upcaster_is_a_typed_error() -> None:
    registry = EventRegistry()
    registry.register("demo.happened", 1, DemoHappenedV1)
    registry.register("demo.happened", 2, DemoHappenedV2)
    with pytest.raises(MissingUpcaster):
        registry.decode("demo.happened", 1, {"full_name": "A B"})


def test_an_upcaster_failing_on_a_malformed_payload_raises_invalid_payload() -> None:
    with pytest.raises(InvalidPayload) as caught:
        _registry_up_to(2).decode("demo.happened", 1, {"name": "no full_name key"})
    assert isinstance(caught.value.__cause__, KeyError)


def test_a_schema_version_newer_than_known_is_refused() -> None:
    with pytest.raises(UnknownSchemaVersion):
        _registry_up_to(2).decode("demo.happened", 3, {})


def test_an_upcaster_can_be_registered_only_once() -> None:
    registry = _registry_up_to(2)
    with pytest.raises(Exception, match="exists"):
        registry.register_upcaster("demo.happened", 1, split_name)


def test_the_decorator_registers_into_a_private_registry() -> None:
    registry = EventRegistry()

    @payload_type("demo.decorated", 1, registry=registry)
    class DemoDecorated(EventPayload):
        """A payload registered through the decorator."""

        value: int

    assert registry.types() == [("demo.decorated", 1)]
    assert registry.model_for("demo.decorated", 1) is DemoDecorated
    assert DemoDecorated.event_type == "demo.decorated"
    assert DemoDecorated.schema_version == 1
