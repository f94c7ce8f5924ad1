"""Sealed envelopes for pure tests of folds over the log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from events import GENESIS_HASH, REGISTRY, Actor, EventEnvelope, EventPayload, new_event_id
from events.cases import CaseRegistered, CaseResolved

GOLDEN = Path(__file__).resolve().parents[2] / "events" / "golden"
"""The committed golden sample of every registered event type and version."""


def golden(event_type: str, version: int) -> EventEnvelope:
    """The golden sample envelope of one event type and version, as committed."""
    return EventEnvelope.model_validate(
        json.loads((GOLDEN / f"{event_type}.v{version}.json").read_text()))


def event(stream_id: str, stream_type: str, version: int, payload: EventPayload,
          cause: EventEnvelope | None = None, actor: str = "op-1") -> EventEnvelope:
    """A sealed event of a stream, caused by another if given."""
    event_type, schema_version, data = REGISTRY.encode(payload)
    now = datetime.now(UTC)
    return EventEnvelope.seal(
        prev_hash=GENESIS_HASH, stream_id=stream_id, stream_type=stream_type, version=version,
        event_id=new_event_id(), event_type=event_type, schema_version=schema_version,
        occurred_at=now, recorded_at=now, actor=Actor(id=actor, role="operator", region="KZ-75"),
        correlation_id=None, causation_id=str(cause.event_id) if cause else None, payload=data)


def chained(stream_id: str, stream_type: str, payloads: Sequence[EventPayload], actor: Actor
            ) -> list[EventEnvelope]:
    """Payloads sealed as one stream from version 1, each linked to the hash before it."""
    prev, out = GENESIS_HASH, list[EventEnvelope]()
    for version, payload in enumerate(payloads, 1):
        event_type, schema_version, body = REGISTRY.encode(payload)
        now = datetime.now(UTC)
        env = EventEnvelope.seal(
            prev_hash=prev, stream_id=stream_id, stream_type=stream_type, version=version,
            event_id=new_event_id(), event_type=event_type, schema_version=schema_version,
            occurred_at=now, recorded_at=now, actor=actor, correlation_id=None,
            causation_id=None, payload=body)
        out.append(env)
        prev = env.hash
    return out


def registered(case_id: str) -> EventEnvelope:
    """A case's registration (version 1)."""
    return event(case_id, "case", 1, CaseRegistered.model_validate({
        "title": "Bribe", "description": "Money asked.", "region": "KZ-75", "sector": "land",
        "source": "hotline", "district": None, "anonymous": True, "reporter": None}))


def resolved(case_id: str, version: int) -> EventEnvelope:
    """A case's resolution."""
    return event(case_id, "case", version, CaseResolved(outcome="confirmed", summary="Done.",
                                                        measures_taken=[]))
