"""An in-memory stream for domain tests: decided payloads sealed as the event store would, and
subjects driven through commands on one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from events import GENESIS_HASH, REGISTRY, Actor, EventEnvelope, EventPayload
from services.intake.domain.case import CASE, CaseState
from services.intake.domain.case import decide as decide_case
from services.intake.domain.commands import CaseCommand, RecordAssignment
from services.runtime.aggregate import Aggregate

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


StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")


class Driven(Generic[StateT, CommandT]):
    """A subject driven through commands: each decided on the current state, its events sealed
    on the subject's stream and applied by the aggregate's evolve."""

    def __init__(self, aggregate: Aggregate[StateT],
                 decide: Callable[[StateT, CommandT], list[EventPayload]], stream_id: str,
                 actor: Actor = OPERATOR,
                 stamp: Callable[[CommandT], datetime | None] = lambda _: None) -> None:
        self.aggregate, self.decide, self.actor, self.stamp = aggregate, decide, actor, stamp
        self.stream = MemoryStream(stream_id, aggregate.stream_type)
        self.state = aggregate.initial(stream_id)

    def do(self, command: CommandT, actor: Actor | None = None) -> list[EventPayload]:
        """The events the command causes, stored and applied; a refusal changes nothing."""
        payloads = self.decide(self.state, command)
        sealed = self.stream.append(payloads, actor or self.actor, self.stamp(command))
        for envelope, payload in zip(sealed, payloads, strict=True):
            self.state = self.aggregate.evolve(self.state, envelope, payload)
        return payloads


def driven_case(case_id: str) -> Driven[CaseState, CaseCommand]:
    """A case to drive; the reactor stamps an assignment's events with its occurred_at."""
    return Driven(CASE, decide_case, case_id, stamp=lambda command: command.occurred_at
                  if isinstance(command, RecordAssignment) else None)
