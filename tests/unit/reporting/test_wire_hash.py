"""A replay checks a fact's hash from the message's canonical bytes, agreeing with `hash_ok`."""

from __future__ import annotations

import orjson
import pytest

from bench.samples import sealed
from events import EventEnvelope
from services.reporting.facts import Fact

pytestmark = pytest.mark.unit


def fact_of(value: bytes) -> Fact:
    return Fact.of(EventEnvelope.from_wire(value), "casetrack.intake.v1")


def test_a_canonical_message_verifies_from_its_bytes_as_hash_ok_does() -> None:
    value = sealed().to_wire()
    fact = fact_of(value)
    assert fact.wire_hash_ok(value) is True and fact.hash_ok() is True


def test_a_tampered_payload_fails_from_its_bytes_as_hash_ok_does() -> None:
    data = orjson.loads(sealed().to_wire())
    data["payload"]["title"] = "changed"
    value = orjson.dumps(data)
    fact = fact_of(value)
    assert fact.wire_hash_ok(value) is False and fact.hash_ok() is False


def test_a_message_not_in_canonical_form_leaves_the_verdict_to_hash_ok() -> None:
    """Offsets written +00:00 and an upper-case id parse to the same envelope, whose hash still
    recomputes; the bytes alone cannot show it, so they say no and `hash_ok` decides."""
    data = orjson.loads(sealed().to_wire())
    data["occurred_at"] = data["occurred_at"].replace("Z", "+00:00")
    data["event_id"] = data["event_id"].upper()
    value = orjson.dumps(data)
    fact = fact_of(value)
    assert fact.wire_hash_ok(value) is False and fact.hash_ok() is True
