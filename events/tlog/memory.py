"""An in-memory log: the reference a service's Postgres log must agree with, for tests and benches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from events.envelope import EventEnvelope
from events.tlog.bundle import Bundle, BundleEvent, BundleLog, BundleStream
from events.tlog.checkpoint import Checkpoint
from events.tlog.cosignature import Cosigner
from events.tlog.merkle import inclusion_proof, leaf_hash, root_hash
from events.tlog.note import Ed25519Signer, b64encode, sign_note


@dataclass
class MemoryLog:
    """One service's log held in a list: append envelopes, sign checkpoints, prove inclusion."""

    service: str
    origin: str
    signer: Ed25519Signer
    leaves: list[bytes] = field(default_factory=list)
    index_of: dict[str, int] = field(default_factory=dict)

    def append(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Sequence envelopes in the given order."""
        for envelope in envelopes:
            self.index_of[str(envelope.event_id)] = len(self.leaves)
            self.leaves.append(leaf_hash(bytes.fromhex(envelope.hash)))

    def checkpoint(self, witnesses: Sequence[Cosigner] = (), timestamp: int = 1_800_000_000) -> str:
        """The signed checkpoint of the whole log, cosigned by ``witnesses``."""
        text = Checkpoint(self.origin, len(self.leaves), root_hash(self.leaves)).text()
        note = sign_note(text, [self.signer])
        return note + "".join(w.cosign(text, timestamp).line() for w in witnesses)

    def event(self, envelope: EventEnvelope) -> BundleEvent:
        """The envelope with its inclusion proof against the whole log."""
        index = self.index_of[str(envelope.event_id)]
        proof = inclusion_proof(self.leaves, index)
        return BundleEvent(envelope=envelope, leaf_index=index, tree_size=len(self.leaves),
                           inclusion=[b64encode(h) for h in proof])


def bundle_of(subject_id: str, logs: Sequence[MemoryLog], streams: Sequence[Sequence[EventEnvelope]],
              witnesses: Sequence[Cosigner] = ()) -> Bundle:
    """A bundle of ``streams`` (each owned by the log whose index holds its first event)."""
    out = []
    for stream in streams:
        log = next(lg for lg in logs if str(stream[0].event_id) in lg.index_of)
        out.append(BundleStream(service=log.service, stream_type=stream[0].stream_type,
                                stream_id=stream[0].stream_id,
                                events=[log.event(e) for e in stream]))
    return Bundle(subject_type="case", subject_id=subject_id, generated_at="2026-12-04T00:00:00Z",
                  logs={lg.service: BundleLog(origin=lg.origin, checkpoints=[lg.checkpoint(witnesses)])
                        for lg in logs},
                  streams=out)
