"""Rules of the envelope: validation, sealing and its byte-exact wire form."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from events import (
    GENESIS_HASH,
    HEADER_CAUSATION_ID,
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA_VERSION,
    EventEnvelope,
    InvalidEnvelope,
    canonical_json,
    compute_hash,
    message_headers,
    new_event_id,
    partition_key,
)
from tests.support.chains import ChainBuilder

pytestmark = pytest.mark.unit

def _fields(**overrides: Any) -> dict[str, Any]:
    at = datetime(2026, 11, 30, 0, 26, 9, 123456, tzinfo=UTC)
    fields: dict[str, Any] = {
        "stream_id": "0192f3a4-5b6c-7d8e-9f01-23456789abcd",
        "stream_type": "case",
        "version": 1,
        "event_id": uuid.UUID("0192f3a4-5b6d-7000-8000-000000000001"),
        "event_type": "case.registered",
        "schema_version": 1,
        "occurred_at": at,
        "recorded_at": at + timedelta(milliseconds=4),
        "actor": {"id": "operator.shymkent.007", "role": "operator", "region": "KZ-79"},
        "correlation_id": "req-1",
        "causation_id": None,
        "payload": {"title": "Поборы в поликлинике", "amount_tenge": 15000},
    }
    return {**fields, **overrides}


def test_to_wire_then_from_wire_is_byte_identical(chain_of: ChainBuilder) -> None:
    for envelope in chain_of([{"note": "Шымкент"}, {"nested": {"a": [1, None, True]}}]):
        wire = envelope.to_wire()
        parsed = EventEnvelope.from_wire(wire)
        assert parsed == envelope
        assert parsed.to_wire() == wire


def test_wire_form_is_the_canonical_json_of_every_field() -> None:
    envelope = EventEnvelope.seal(prev_hash=GENESIS_HASH, position=7, **_fields())
    decoded = json.loads(envelope.to_wire())
    assert set(decoded) == set(EventEnvelope.model_fields)
    assert decoded["occurred_at"] == "2026-11-30T00:26:09.123456Z"
    assert decoded["position"] == 7
    assert envelope.to_wire() == canonical_json(decoded)


def test_seal_computes_the_hash_over_prev_hash_and_body() -> None:
    envelope = EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields())
    assert envelope.hash == compute_hash(GENESIS_HASH, envelope.hashed_body())
    assert envelope.hash_is_valid()


def test_seal_refuses_a_caller_supplied_hash() -> None:
    with pytest.raises(TypeError):
        EventEnvelope.seal(prev_hash=GENESIS_HASH, hash="00" * 32, **_fields())


def test_hashed_body_is_json_ready_and_omits_hash_and_position() -> None:
    envelope = EventEnvelope.seal(prev_hash=GENESIS_HASH, position=3, **_fields())
    body = envelope.hashed_body()
    assert "hash" not in body and "position" not in body
    assert json.loads(json.dumps(body)) == body


def test_timestamps_in_another_zone_are_stored_as_utc() -> None:
    almaty = timezone(timedelta(hours=5))
    envelope = EventEnvelope.seal(
        prev_hash=GENESIS_HASH,
        **_fields(occurred_at=datetime(2026, 11, 30, 5, 0, tzinfo=almaty)),
    )
    assert envelope.occurred_at == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError):
        EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields(occurred_at=datetime(2026, 11, 30)))


@pytest.mark.parametrize(
    "overrides",
    [
        {"version": 0},
        {"schema_version": 0},
        {"version": "1"},
        {"event_type": "CaseRegistered"},
        {"event_type": "case"},
        {"stream_id": ""},
        {"unexpected": "field"},
        {"payload": {"amount": 1.5}},
        {"actor": {"id": "x", "role": "operator", "region": None, "extra": 1}},
    ],
)
def test_invalid_envelope_fields_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields(**overrides))


@pytest.mark.parametrize("prev_hash", ["00" * 31, "AB" * 32, "zz" * 32])
def test_hashes_must_be_64_lowercase_hex(prev_hash: str) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope.seal(prev_hash=prev_hash, **_fields())


@pytest.mark.parametrize("data", [b"", b"not json", b"{}", b'{"version": 1}', b"[1]", b"\xff\xfe"])
def test_from_wire_refuses_anything_but_a_valid_envelope(data: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        EventEnvelope.from_wire(data)


def test_from_wire_refuses_floats_in_the_payload() -> None:
    wire = EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields()).to_wire()
    with pytest.raises(InvalidEnvelope, match="float"):
        EventEnvelope.from_wire(wire.replace(b'"amount_tenge":15000', b'"amount_tenge":15000.0'))


def test_envelopes_are_frozen() -> None:
    envelope = EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields())
    with pytest.raises(ValidationError):
        envelope.version = 2  # type: ignore[misc]


def test_new_event_ids_are_uuidv7_and_time_ordered() -> None:
    first = new_event_id()
    time.sleep(0.002)
    second = new_event_id()
    assert type(first) is uuid.UUID
    assert first.version == 7 and second.version == 7
    assert first < second


def test_messages_are_keyed_by_stream_id_and_carry_routing_headers() -> None:
    envelope = EventEnvelope.seal(prev_hash=GENESIS_HASH, **_fields(causation_id="cmd-9"))
    assert partition_key(envelope) == envelope.stream_id.encode()
    assert dict(message_headers(envelope)) == {
        HEADER_EVENT_ID: str(envelope.event_id).encode(),
        HEADER_EVENT_TYPE: b"case.registered",
        HEADER_SCHEMA_VERSION: b"1",
        HEADER_CORRELATION_ID: b"req-1",
        HEADER_CAUSATION_ID: b"cmd-9",
    }
