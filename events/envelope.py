"""The event envelope: one stored, hashed and published event, as every service sees it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Self

import uuid_utils
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
)

from events.canonical import canonical_json, canonical_json_of_plain, to_json_object
from events.chain import compute_hash, hash_of_canonical
from events.errors import InvalidEnvelope

EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
"""Stable event type names: lowercase dotted words, e.g. ``case.registered``."""

HEX_SHA256_PATTERN = r"^[0-9a-f]{64}$"
_UNSEALED = "0" * 64
_NOT_HASHED_NOR_PAYLOAD = {"hash", "position", "payload"}


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    if not value.utcoffset():  # UTC under another tzinfo (as parsed): same instant, no conversion
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
HexSha256 = Annotated[str, Field(pattern=HEX_SHA256_PATTERN)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]


def new_event_id() -> uuid.UUID:
    """A fresh time-ordered event id (UUIDv7) as a standard-library UUID."""
    return uuid.UUID(int=uuid_utils.uuid7().int)


class Actor(BaseModel):
    """Who caused an event: principal id, role and home region (None for national or system)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[str, Field(min_length=1, max_length=50)]
    region: str | None


class EventEnvelope(BaseModel):
    """One event of one stream, sealed into that stream's hash chain."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: Annotated[str, Field(min_length=1, max_length=200)]
    stream_type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    version: PositiveInt
    event_id: uuid.UUID
    event_type: Annotated[str, Field(pattern=EVENT_TYPE_PATTERN)]
    schema_version: PositiveInt
    occurred_at: UtcDatetime
    recorded_at: UtcDatetime
    actor: Actor
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any]
    prev_hash: HexSha256
    hash: HexSha256
    position: Annotated[StrictInt, Field(ge=0)] | None = None
    """Storage order inside the owning service; assigned on append and not covered by the hash."""

    @field_validator("payload")
    @classmethod
    def _payload_is_plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Keep the payload as plain JSON data so hashing and round trips are exact."""
        try:
            return to_json_object(value)
        except TypeError as exc:  # pydantic only turns ValueError into a validation error
            raise ValueError(str(exc)) from exc

    def hashed_body(self) -> dict[str, Any]:
        """Every field but ``hash`` and ``position``, as JSON-ready data: what the hash covers."""
        return to_json_object(self.model_dump(mode="python", exclude={"hash", "position"}))

    def to_wire(self) -> bytes:
        """Canonical JSON of every field, hash and position included: the Kafka message value."""
        return canonical_json(self)

    @classmethod
    def from_wire(cls, data: bytes) -> Self:
        """Parse a Kafka message value; raises ``InvalidEnvelope`` (does not verify the hash)."""
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise InvalidEnvelope(str(exc)) from exc

    @classmethod
    def seal(cls, *, prev_hash: str, **fields: Any) -> Self:
        """Build an envelope from its fields, hashing ``prev_hash`` and the body into ``hash``."""
        if "hash" in fields:
            raise TypeError("seal() computes the hash; do not pass one")
        draft = cls.model_validate({**fields, "prev_hash": prev_hash, "hash": _UNSEALED})
        # The validator has just made the payload plain JSON: hash it without walking it again
        # (sealing is on every write's path). The bytes are `hashed_body`'s, so checks agree.
        body = to_json_object(draft.model_dump(mode="python", exclude=_NOT_HASHED_NOR_PAYLOAD))
        body["payload"] = draft.payload
        return draft.model_copy(
            update={"hash": hash_of_canonical(prev_hash, canonical_json_of_plain(body))})

    def hash_is_valid(self) -> bool:
        """Whether ``hash`` matches ``prev_hash`` and the body (linkage is for ``verify_chain``)."""
        return self.hash == compute_hash(self.prev_hash, self.hashed_body())
