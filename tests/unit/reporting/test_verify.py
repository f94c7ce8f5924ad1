"""Audit check: a stream is re-verified in itself and against its owner's copy, naming the break."""

from __future__ import annotations

import pytest

from events import EventEnvelope, compute_hash
from services.reporting.verify import DIFFERS, compare_stream
from tests.support.timeline import Stream, registered, resolved

pytestmark = pytest.mark.unit


def a_case() -> list[EventEnvelope]:
    case = Stream("case", "case-v")
    case.add("case.registered", registered(), "2026-01-05 04:00")
    case.add("case.triaged", {"risk_level": "low", "category": "x", "notes": "n"},
             "2026-01-05 05:00")
    case.add("case.resolved", resolved(), "2026-01-06 05:00")
    return case.envelopes


def edited(envelope: EventEnvelope) -> EventEnvelope:
    return envelope.model_copy(update={"payload": {**envelope.payload, "risk_level": "high"}})


def rechained(envelopes: list[EventEnvelope]) -> list[EventEnvelope]:
    out, previous = [], envelopes[0].prev_hash
    for envelope in envelopes:
        moved = envelope.model_copy(update={"prev_hash": previous})
        moved = moved.model_copy(update={"hash": compute_hash(previous, moved.hashed_body())})
        out.append(moved)
        previous = moved.hash
    return out


def test_identical_copies_hold() -> None:
    events = a_case()
    result = compare_stream("intake", "case", "case-v", events, events)
    assert result.holds and result.first_broken is None and result.copy_matches


def test_an_edit_that_leaves_the_hashes_is_named_where_the_owner_chain_breaks() -> None:
    events = a_case()
    held = [events[0], edited(events[1]), events[2]]
    result = compare_stream("intake", "case", "case-v", events, held)
    assert not result.holds and result.owner_chain_ok is False
    assert result.first_broken is not None
    assert result.first_broken.event_id == str(events[1].event_id)
    assert result.first_broken.version == 2


def test_an_edit_with_a_recomputed_chain_is_named_where_the_copies_differ() -> None:
    events = a_case()
    held = rechained([events[0], edited(events[1]), events[2]])
    result = compare_stream("intake", "case", "case-v", events, held)
    assert result.owner_chain_ok is True and result.copy_matches is False
    assert result.first_broken is not None and result.first_broken.reason == DIFFERS
    assert result.first_broken.event_id == str(events[1].event_id)


def test_events_the_owner_holds_but_reporting_has_not_received_yet_are_lag_not_tampering() -> None:
    events = a_case()
    result = compare_stream("intake", "case", "case-v", events[:2], events)
    assert result.holds and result.detail is not None


def test_an_owner_that_cannot_serve_the_stream_does_not_hold() -> None:
    result = compare_stream("intake", "case", "case-v", a_case(), None)
    assert not result.holds and result.received_chain_ok
