"""An aggregate type as every write path needs it: a stream type, an empty state and `evolve`.

Pure: no I/O. Loading a stream is a fold of its events onto the empty state (or onto a state
already known at some version, which is how the command pipeline reads only a stream's tail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from events import REGISTRY, EventEnvelope, EventPayload

S = TypeVar("S")


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """How to build one kind of aggregate's state from its stream."""

    stream_type: str
    initial: Callable[[str], S]
    evolve: Callable[[S, EventEnvelope, EventPayload], S]

    def fold(self, stream_id: str, envelopes: Iterable[EventEnvelope], state: S | None = None) -> S:
        """The state after `envelopes`, from the empty state or from `state`."""
        folded = self.initial(stream_id) if state is None else state
        for envelope in envelopes:
            payload = REGISTRY.decode(envelope.event_type, envelope.schema_version,
                                      envelope.payload)
            folded = self.evolve(folded, envelope, payload)
        return folded
