"""Payload models by stable type name and schema version, with upcasters between versions."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from events.canonical import to_json_object
from events.envelope import EVENT_TYPE_PATTERN, EventEnvelope
from events.errors import (
    InvalidPayload,
    MissingUpcaster,
    RegistrationError,
    UnknownEventType,
    UnknownSchemaVersion,
)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Maps the JSON payload of schema version N to version N+1; never touches stored rows."""

M = TypeVar("M", bound="EventPayload")


class EventPayload(BaseModel):
    """Base of every event payload: frozen, closed to unknown fields, named by registration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int]
    pii_fields: ClassVar[frozenset[str]] = frozenset()


class EventRegistry:
    """Maps ``(event_type, schema_version)`` to payload models and upcasts old payloads on read."""

    def __init__(self) -> None:
        self._models: dict[tuple[str, int], type[EventPayload]] = {}
        self._keys: dict[type[EventPayload], tuple[str, int]] = {}
        self._pii: dict[tuple[str, int], frozenset[str]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._latest: dict[str, int] = {}

    def register(
        self,
        event_type: str,
        schema_version: int,
        model: type[EventPayload],
        pii_fields: frozenset[str] = frozenset(),
    ) -> None:
        """Register ``model`` as the payload of one type and version; names are never reused."""
        key = (event_type, schema_version)
        if not re.fullmatch(EVENT_TYPE_PATTERN, event_type):
            raise RegistrationError(f"event type {event_type!r} is not a dotted lowercase name")
        if schema_version < 1:
            raise RegistrationError(f"schema version must be >= 1, got {schema_version}")
        if key in self._models:
            raise RegistrationError(f"{event_type} v{schema_version} is already registered")
        if model in self._keys:
            raise RegistrationError(f"{model.__name__} is already registered as {self._keys[model]}")
        unknown = pii_fields - set(model.model_fields)
        if unknown:
            raise RegistrationError(f"pii_fields not on {model.__name__}: {sorted(unknown)}")
        _stamp(model, event_type, schema_version, pii_fields)
        self._models[key] = model
        self._keys[model] = key
        self._pii[key] = pii_fields
        self._latest[event_type] = max(schema_version, self._latest.get(event_type, 0))

    def register_upcaster(self, event_type: str, from_version: int, fn: Upcaster) -> None:
        """Register ``fn`` to turn a ``from_version`` payload into a ``from_version + 1`` one."""
        key = (event_type, from_version)
        if from_version < 1:
            raise RegistrationError(f"upcaster source version must be >= 1, got {from_version}")
        if key in self._upcasters:
            raise RegistrationError(f"an upcaster from {event_type} v{from_version} exists")
        self._upcasters[key] = fn

    def latest_version(self, event_type: str) -> int:
        """The newest registered schema version of ``event_type``."""
        latest = self._latest.get(event_type)
        if latest is None:
            raise UnknownEventType(f"unknown event type {event_type!r}")
        return latest

    def model_for(self, event_type: str, version: int) -> type[EventPayload]:
        """The payload model registered for one type and version."""
        try:
            return self._models[(event_type, version)]
        except KeyError:
            self.latest_version(event_type)  # raises UnknownEventType for unknown names
            raise UnknownSchemaVersion(f"unknown schema version {event_type} v{version}") from None

    def pii_fields(self, event_type: str, version: int) -> frozenset[str]:
        """Payload fields of one type and version that hold personal data."""
        self.model_for(event_type, version)
        return self._pii[(event_type, version)]

    def types(self) -> list[tuple[str, int]]:
        """Every registered ``(event_type, schema_version)``, sorted."""
        return sorted(self._models)

    def upcast(
        self, event_type: str, schema_version: int, payload: Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Apply upcasters from ``schema_version`` to the latest; returns (latest, payload)."""
        latest = self.latest_version(event_type)
        if not 1 <= schema_version <= latest:
            raise UnknownSchemaVersion(f"unknown schema version {event_type} v{schema_version}")
        if schema_version == latest:  # nothing to upcast: no upcaster sees (or changes) it
            return latest, dict(payload)
        data = copy.deepcopy(dict(payload))
        for version in range(schema_version, latest):
            fn = self._upcasters.get((event_type, version))
            if fn is None:
                raise MissingUpcaster(f"no upcaster from {event_type} v{version} to v{version + 1}")
            try:
                data = fn(data)
            except Exception as exc:  # an upcaster failing means the stored payload is malformed
                raise InvalidPayload(event_type, version, f"upcaster failed: {exc!r}") from exc
        return latest, data

    def decode(self, event_type: str, schema_version: int, payload: Mapping[str, Any]) -> EventPayload:
        """Upcast a stored payload to the latest version and validate it with the latest model."""
        latest, data = self.upcast(event_type, schema_version, payload)
        try:
            return self._models[(event_type, latest)].model_validate(data)
        except ValidationError as exc:
            raise InvalidPayload(event_type, latest, str(exc)) from exc

    def current_payload(self, event_type: str, schema_version: int,
                        payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """A stored payload as JSON in its type's latest version (as stored if the type is
        unknown, or already the latest): what consumers read; the stored one stays hashed."""
        latest = self._latest.get(event_type)
        if latest is None or latest == schema_version:
            return payload
        return self.upcast(event_type, schema_version, payload)[1]

    def current(self, envelope: EventEnvelope) -> dict[str, Any]:
        """An envelope's payload in its type's latest version (see ``current_payload``)."""
        latest = self._latest.get(envelope.event_type)
        if latest is None or latest == envelope.schema_version:
            return envelope.payload
        return self.upcast(envelope.event_type, envelope.schema_version, envelope.payload)[1]

    def read(self, envelope: EventEnvelope) -> EventPayload:
        """An envelope's payload as the latest model of its type, upcast and validated."""
        return self.decode(envelope.event_type, envelope.schema_version, envelope.payload)

    def encode(self, model: EventPayload) -> tuple[str, int, dict[str, Any]]:
        """The type name, schema version and JSON-ready payload of a registered payload model."""
        key = self._keys.get(type(model))
        if key is None:
            raise UnknownEventType(f"{type(model).__name__} is not registered")
        return key[0], key[1], to_json_object(model.model_dump(mode="python"))


def _stamp(model: type[EventPayload], event_type: str, schema_version: int, pii: frozenset[str]) -> None:
    """Record the registration on the class itself; a class names one type and version only."""
    existing = model.__dict__.get("event_type"), model.__dict__.get("schema_version")
    if existing != (None, None) and existing != (event_type, schema_version):
        raise RegistrationError(f"{model.__name__} is already {existing[0]} v{existing[1]}")
    model.event_type = event_type
    model.schema_version = schema_version
    model.pii_fields = pii


REGISTRY = EventRegistry()
"""The default registry; the event modules of this package register into it on import."""


def payload_type(
    event_type: str,
    schema_version: int,
    registry: EventRegistry = REGISTRY,
    pii_fields: frozenset[str] = frozenset(),
) -> Callable[[type[M]], type[M]]:
    """Class decorator that registers a payload model under a stable type name and version."""

    def decorate(model: type[M]) -> type[M]:
        registry.register(event_type, schema_version, model, pii_fields)
        return model

    return decorate
