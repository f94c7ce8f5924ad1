"""An in-memory stream for domain tests: decided payloads sealed as the event store would."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from events import GENESIS_HASH, REGISTRY, Actor, EventEnvelope, EventPayload

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
OPERATOR = Actor(id="op-1", role="operator", region="KZ-75")


@dataclass
class MemoryStream:
    """One stream's envelopes, sealed into a hash chain, stored and read back through the wire."""

    stream_id: str
    stream_type: str
    envelopes: list[EventEnvelope] = field(default_factory=list)
    clock: datetime = T0

    def append(self, payloads: Sequence[EventPayload], actor: Actor = OPERATOR,
               at: datetime | None = None) -> list[EventEnvelope]:
        """Seal payloads after the current head; returns the new envelopes (wire round-tripped)."""
        sealed = []
        for payload in payloads:
            self.clock = at or self.clock + timedelta(minutes=1)
            event_type, version, body = REGISTRY.encode(payload)
            prev = self.envelopes[-1].hash if self.envelopes else GENESIS_HASH
            envelope = EventEnvelope.seal(
                prev_hash=prev, stream_id=self.stream_id, stream_type=self.stream_type,
                version=len(self.envelopes) + 1, event_id=uuid.uuid4(), event_type=event_type,
                schema_version=version, occurred_at=self.clock, recorded_at=self.clock,
                actor=actor, correlation_id=None, causation_id=None, payload=body)
            envelope = EventEnvelope.from_wire(envelope.to_wire())
            self.envelopes.append(envelope)
            sealed.append(envelope)
        return sealed
