"""Sealed chains of one stream for the event-contract tests: a builder and its type."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from events import GENESIS_HASH, EventEnvelope, new_event_id

ChainBuilder = Callable[..., list[EventEnvelope]]
"""The ``chain_of`` fixture: seals payloads into one stream."""

BASE_TIME = datetime(2026, 11, 30, 4, 0, 0, 0, tzinfo=UTC)


def build_chain(
    payloads: Sequence[Mapping[str, Any]],
    *,
    stream_id: str = "case-0001",
    stream_type: str = "case",
    first_prev_hash: str = GENESIS_HASH,
) -> list[EventEnvelope]:
    """Seal one envelope per payload into a stream, linking each to the previous hash."""
    chain: list[EventEnvelope] = []
    prev_hash = first_prev_hash
    for index, payload in enumerate(payloads):
        at = BASE_TIME + timedelta(minutes=index, microseconds=index * 7)
        envelope = EventEnvelope.seal(
            prev_hash=prev_hash,
            stream_id=stream_id,
            stream_type=stream_type,
            version=index + 1,
            event_id=new_event_id(),
            event_type="case.noted",
            schema_version=1,
            occurred_at=at,
            recorded_at=at + timedelta(milliseconds=3),
            actor={"id": "operator.astana.001", "role": "operator", "region": "KZ-71"},
            correlation_id=f"corr-{index}",
            causation_id=None if index == 0 else str(chain[-1].event_id),
            payload=dict(payload),
            position=100 + index,
        )
        chain.append(envelope)
        prev_hash = envelope.hash
    return chain

