"""Properties of the contract over generated data: canonical bytes and the hash chain."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import EventEnvelope, canonical_json, verify_chain
from tests.support.chains import ChainBuilder

pytestmark = pytest.mark.unit


PROPERTY_SETTINGS = settings(database=None, max_examples=150, deadline=None)

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=16,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)


def _reorder(value: Any, rnd: random.Random) -> Any:
    """The same JSON value with every object's keys inserted in a shuffled order."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {key: _reorder(value[key], rnd) for key in keys}
    if isinstance(value, list):
        return [_reorder(item, rnd) for item in value]
    return value


@PROPERTY_SETTINGS
@given(value=json_values, rnd=st.randoms(use_true_random=False))
def test_canonical_json_ignores_key_insertion_order(value: Any, rnd: random.Random) -> None:
    assert canonical_json(_reorder(value, rnd)) == canonical_json(value)


@PROPERTY_SETTINGS
@given(value=json_values)
def test_canonical_json_round_trips_and_matches_the_stdlib_encoder(value: Any) -> None:
    encoded = canonical_json(value)
    assert json.loads(encoded) == value
    stdlib = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert encoded == stdlib.encode("utf-8")


def _mutations(envelope: EventEnvelope) -> dict[str, dict[str, Any]]:
    """One field-level change per kind, each guaranteed to differ from the original."""
    return {
        "payload": {"payload": {"wrapped": [envelope.payload]}},
        "actor": {"actor": envelope.actor.model_copy(update={"id": envelope.actor.id + "~"})},
        "occurred_at": {"occurred_at": envelope.occurred_at + timedelta(microseconds=1)},
        "event_type": {"event_type": envelope.event_type + "_forged"},
        "schema_version": {"schema_version": envelope.schema_version + 1},
        "correlation_id": {"correlation_id": f"{envelope.correlation_id}~"},
        "version": {"version": envelope.version + 1},
        "hash": {"hash": format(int(envelope.hash, 16) ^ 1, "064x")},
        "prev_hash": {"prev_hash": format(int(envelope.prev_hash, 16) ^ 1, "064x")},
    }


@PROPERTY_SETTINGS
@given(
    payloads=st.lists(json_objects, min_size=1, max_size=6),
    pick=st.integers(min_value=0),
    kind=st.sampled_from(
        [
            "payload",
            "actor",
            "occurred_at",
            "event_type",
            "schema_version",
            "correlation_id",
            "version",
            "hash",
            "prev_hash",
        ]
    ),
)
def test_a_sealed_chain_verifies_and_any_single_mutation_is_located(
    chain_of: ChainBuilder, payloads: list[dict[str, Any]], pick: int, kind: str
) -> None:
    chain = chain_of(payloads)
    assert verify_chain(chain).ok
    assert all(EventEnvelope.from_wire(e.to_wire()).to_wire() == e.to_wire() for e in chain)

    index = pick % len(chain)
    tampered = list(chain)
    tampered[index] = chain[index].model_copy(update=_mutations(chain[index])[kind])
    report = verify_chain(tampered)
    assert not report.ok
    assert report.first_broken_version == index + 1
    assert report.checked == index
