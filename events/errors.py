"""Typed errors raised when data does not honour the event contract."""

from __future__ import annotations


class ContractError(Exception):
    """Base class: something broke the shared event contract."""


class InvalidEnvelope(ContractError, ValueError):
    """Bytes or fields that do not form a valid event envelope."""


class UnknownEventType(ContractError, LookupError):
    """An event type (or type and version) this registry does not know."""


class UnknownSchemaVersion(UnknownEventType):
    """A known event type stored under a schema version this registry does not know."""


class MissingUpcaster(ContractError):
    """No upcaster bridges a stored schema version to the next one."""


class InvalidPayload(ContractError, ValueError):
    """A payload that fails validation against its event type's model (after upcasting)."""

    def __init__(self, event_type: str, schema_version: int, detail: str) -> None:
        super().__init__(f"invalid {event_type} v{schema_version} payload: {detail}")
        self.event_type = event_type
        self.schema_version = schema_version


class RegistrationError(ContractError):
    """A registration that would make type names or versions ambiguous."""
