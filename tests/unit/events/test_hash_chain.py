"""Rules of the per-stream hash chain: what verifies, and how exactly tampering is reported."""

from __future__ import annotations

import hashlib
from datetime import timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import GENESIS_HASH, EventEnvelope, canonical_json, compute_hash, verify_chain
from events.chain import (
    HASH_MISMATCH,
    NOT_GENESIS,
    PREV_HASH_UNLINKED,
    STREAM_MIXED,
    VERSION_GAP,
    VERSION_OUT_OF_ORDER,
)
from tests.support.chains import ChainBuilder

pytestmark = pytest.mark.unit

OTHER_HEX = "ab" * 32


def _replace(chain: list[EventEnvelope], index: int, **update: Any) -> list[EventEnvelope]:
    tampered = list(chain)
    tampered[index] = chain[index].model_copy(update=update)
    return tampered


def test_genesis_hash_is_32_zero_bytes() -> None:
    assert bytes.fromhex(GENESIS_HASH) == bytes(32)


def test_hash_is_sha256_of_prev_hash_bytes_then_canonical_body() -> None:
    body = {"b": "Алматы", "a": 1}
    expected = hashlib.sha256(bytes(32) + canonical_json(body)).hexdigest()
    assert compute_hash(GENESIS_HASH, body) == expected


def test_a_sealed_chain_verifies(five_event_chain: list[EventEnvelope]) -> None:
    report = verify_chain(five_event_chain)
    assert report.ok
    assert report.checked == 5
    assert report.first_broken_version is None
    assert report.reason is None


def test_an_empty_stream_verifies() -> None:
    assert verify_chain([]).ok


def test_the_hash_covers_prev_hash_and_every_field_but_hash_and_position(
    five_event_chain: list[EventEnvelope],
) -> None:
    body = five_event_chain[2].hashed_body()
    assert set(body) == set(EventEnvelope.model_fields) - {"hash", "position"}
    assert body["prev_hash"] == five_event_chain[1].hash


@pytest.mark.parametrize("index", range(5))
def test_changing_any_character_of_a_payload_string_breaks_exactly_that_version(
    five_event_chain: list[EventEnvelope], index: int
) -> None:
    original = five_event_chain[index].payload["note"]
    for position in range(len(original)):
        replacement = "X" if original[position] != "X" else "Y"
        note = original[:position] + replacement + original[position + 1 :]
        payload = {**five_event_chain[index].payload, "note": note}
        report = verify_chain(_replace(five_event_chain, index, payload=payload))
        assert not report.ok
        assert report.first_broken_version == index + 1
        assert report.first_broken_event_id == five_event_chain[index].event_id
        assert report.reason == HASH_MISMATCH
        assert report.checked == index


FIELD_TAMPERS: dict[str, tuple[Any, str]] = {
    "stream_type": (lambda e: "directive", STREAM_MIXED),
    "event_id": (lambda e: e.event_id.__class__(int=e.event_id.int ^ 1), HASH_MISMATCH),
    "event_type": (lambda e: "case.resolved", HASH_MISMATCH),
    "schema_version": (lambda e: e.schema_version + 1, HASH_MISMATCH),
    "occurred_at": (lambda e: e.occurred_at + timedelta(microseconds=1), HASH_MISMATCH),
    "recorded_at": (lambda e: e.recorded_at - timedelta(microseconds=1), HASH_MISMATCH),
    "actor": (lambda e: e.actor.model_copy(update={"region": "KZ-75"}), HASH_MISMATCH),
    "correlation_id": (lambda e: "corr-forged", HASH_MISMATCH),
    "causation_id": (lambda e: "cause-forged", HASH_MISMATCH),
    "payload": (lambda e: {**e.payload, "n": e.payload["n"] + 1}, HASH_MISMATCH),
    "hash": (lambda e: OTHER_HEX, HASH_MISMATCH),
    "prev_hash": (lambda e: OTHER_HEX, PREV_HASH_UNLINKED),
    "version": (lambda e: e.version + 1, VERSION_GAP),
}


@pytest.mark.parametrize("index", [1, 2, 4])
@pytest.mark.parametrize("field", sorted(FIELD_TAMPERS))
def test_changing_any_field_breaks_exactly_that_version(
    five_event_chain: list[EventEnvelope], field: str, index: int
) -> None:
    tamper, reason = FIELD_TAMPERS[field]
    tampered = _replace(five_event_chain, index, **{field: tamper(five_event_chain[index])})
    report = verify_chain(tampered)
    assert (report.ok, report.first_broken_version, report.reason) == (False, index + 1, reason)
    assert report.first_broken_event_id == tampered[index].event_id


def test_changing_the_first_events_prev_hash_is_reported_as_not_genesis(
    five_event_chain: list[EventEnvelope],
) -> None:
    report = verify_chain(_replace(five_event_chain, 0, prev_hash=OTHER_HEX))
    assert (report.first_broken_version, report.reason) == (1, NOT_GENESIS)


def test_position_is_not_covered_by_the_hash(five_event_chain: list[EventEnvelope]) -> None:
    assert verify_chain(_replace(five_event_chain, 3, position=999_999)).ok


def test_resealing_a_tampered_event_still_breaks_the_next_link(
    five_event_chain: list[EventEnvelope],
) -> None:
    original = five_event_chain[1]
    fields = {name: value for name, value in original if name not in {"hash", "prev_hash"}}
    fields["payload"] = {"note": "forged", "n": 2}
    resealed = EventEnvelope.seal(prev_hash=original.prev_hash, **fields)
    report = verify_chain([five_event_chain[0], resealed, *five_event_chain[2:]])
    assert (report.first_broken_version, report.reason) == (3, PREV_HASH_UNLINKED)


def test_swapping_two_events_is_detected(five_event_chain: list[EventEnvelope]) -> None:
    swapped = list(five_event_chain)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    report = verify_chain(swapped)
    assert (report.first_broken_version, report.reason) == (3, VERSION_GAP)
    assert report.first_broken_event_id == five_event_chain[3].event_id


def test_a_repeated_event_is_detected(five_event_chain: list[EventEnvelope]) -> None:
    repeated = [*five_event_chain[:3], five_event_chain[2], *five_event_chain[3:]]
    report = verify_chain(repeated)
    assert (report.first_broken_version, report.reason) == (4, VERSION_OUT_OF_ORDER)


@pytest.mark.parametrize("dropped", range(5))
def test_dropping_any_event_is_detected(five_event_chain: list[EventEnvelope], dropped: int) -> None:
    remaining = five_event_chain[:dropped] + five_event_chain[dropped + 1 :]
    report = verify_chain(remaining)
    if dropped == 4:  # dropping the tail leaves a valid, shorter prefix
        assert report.ok and report.checked == 4
    else:
        assert (report.ok, report.first_broken_version) == (False, dropped + 1)
        assert report.reason == VERSION_GAP


def test_a_stream_not_starting_at_genesis_is_detected(chain_of: ChainBuilder) -> None:
    chain = chain_of([{"n": 1}, {"n": 2}], first_prev_hash=OTHER_HEX)
    report = verify_chain(chain)
    assert (report.ok, report.first_broken_version, report.reason) == (False, 1, NOT_GENESIS)


def test_envelopes_of_another_stream_are_detected(chain_of: ChainBuilder) -> None:
    ours = chain_of([{"n": 1}, {"n": 2}, {"n": 3}], stream_id="case-A")
    theirs = chain_of([{"n": 1}, {"n": 2}, {"n": 3}], stream_id="case-B")
    report = verify_chain([ours[0], ours[1], theirs[2]])
    assert (report.first_broken_version, report.reason) == (3, STREAM_MIXED)


def test_flipping_one_byte_of_a_stored_message_is_detected(chain_of: ChainBuilder) -> None:
    chain = chain_of([{"note": "district police"}, {"note": "customs post"}])
    wire = chain[1].to_wire()
    at = wire.index(b"customs") + 3
    tampered = EventEnvelope.from_wire(wire[:at] + b"z" + wire[at + 1 :])
    report = verify_chain([chain[0], tampered])
    assert (report.first_broken_version, report.reason) == (2, HASH_MISMATCH)
    assert not tampered.hash_is_valid() and chain[1].hash_is_valid()


_JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=20)
_PAYLOADS = st.dictionaries(st.text(max_size=8), st.recursive(
    _JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8), max_size=6)


@given(payload=_PAYLOADS, local_time=st.booleans())
def test_sealing_hashes_exactly_the_canonical_json_of_the_hashed_body(
    chain_of: ChainBuilder, payload: dict[str, Any], local_time: bool
) -> None:
    """Sealing skips a second walk of the payload; its hash is still the documented one."""
    (sealed,) = chain_of([payload])
    if local_time:  # an instant given in another zone is sealed as the same UTC instant
        plus_five = timezone(timedelta(hours=5))
        fields = sealed.model_dump(exclude={"hash", "prev_hash"})
        fields["occurred_at"] = sealed.occurred_at.astimezone(plus_five)
        sealed = EventEnvelope.seal(prev_hash=sealed.prev_hash, **fields)
    assert sealed.hash == compute_hash(sealed.prev_hash, sealed.hashed_body())
    assert sealed.hash == hashlib.sha256(
        bytes.fromhex(sealed.prev_hash) + canonical_json(sealed.hashed_body())).hexdigest()
