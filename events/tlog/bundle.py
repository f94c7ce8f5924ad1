"""Case bundles: every event of a case with inclusion proofs against signed, cosigned checkpoints.

`verify_bundle` is the offline verifier: it trusts only the keys it is given, and checks each
stream's hash chain, each checkpoint's log signature and witness cosignatures, the consistency
of a log's checkpoints with each other, and each event's inclusion proof. Erased personal data
still verifies: the chain covers the commitment, not the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from events.chain import verify_chain
from events.envelope import EventEnvelope
from events.tlog.checkpoint import parse_checkpoint
from events.tlog.cosignature import CosignatureVerifier
from events.tlog.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from events.tlog.note import NoteError, NoteVerifier, b64decode, open_note, parse_note

BUNDLE_FORMAT = "casetrack-bundle/v1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BundleEvent(_Model):
    """One event with where it sits in its owner's log and the proof of it."""

    envelope: EventEnvelope
    leaf_index: int | None = Field(None, ge=0)
    tree_size: int | None = Field(None, ge=1)
    inclusion: list[str] = Field(default_factory=list, description="base64 audit path")


class BundleStream(_Model):
    """One stream touching the case, as its owning service holds it, in version order."""

    service: str
    stream_type: str
    stream_id: str
    events: list[BundleEvent]


class ConsistencyLink(_Model):
    """A consistency proof between two checkpoints of one log in the bundle."""

    from_size: int = Field(ge=0)
    to_size: int = Field(ge=0)
    hashes: list[str]


class BundleLog(_Model):
    """The checkpoints of one service's log that the bundle's proofs are against."""

    origin: str
    checkpoints: list[str] = Field(description="signed checkpoint notes with cosignatures")
    consistency: list[ConsistencyLink] = Field(default_factory=list)


class Bundle(_Model):
    """Everything needed to check a case's history with no network."""

    format: Literal["casetrack-bundle/v1"] = "casetrack-bundle/v1"
    subject_type: str
    subject_id: str
    generated_at: str
    logs: dict[str, BundleLog]
    streams: list[BundleStream]


@dataclass(frozen=True)
class Failure:
    """Why trust stops: at an event (with its stream place) or at a checkpoint."""

    reason: str
    service: str
    stream_id: str | None = None
    version: int | None = None
    event_id: str | None = None

    def describe(self) -> str:
        """One line naming where and why."""
        if self.event_id is None:
            return f"{self.service}: {self.reason}"
        return (f"event {self.event_id} ({self.service} stream {self.stream_id} version "
                f"{self.version}): {self.reason}")


@dataclass
class BundleReport:
    """The verdict: which checkpoints held, how many events verified, every failure in order."""

    events_checked: int = 0
    events_verified: int = 0
    checkpoints: dict[tuple[str, int], int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every event and checkpoint verified."""
        return not self.failures and self.events_checked == self.events_verified

    @property
    def first_failure(self) -> Failure | None:
        """The first thing that failed."""
        return self.failures[0] if self.failures else None


@dataclass(frozen=True)
class Trust:
    """What the verifier trusts: log keys, witness keys, and how many witnesses must agree."""

    logs: Sequence[NoteVerifier]
    witnesses: Sequence[CosignatureVerifier]
    required_witnesses: int = 1


def _checkpoint_roots(service: str, log: BundleLog, trust: Trust, report: BundleReport
                      ) -> dict[int, bytes]:
    roots: dict[int, bytes] = {}
    log_keys = [k for k in trust.logs if k.name == log.origin]
    for served in log.checkpoints:
        try:
            note, _ = open_note(served, log_keys)
            checkpoint = parse_checkpoint(note.text)
            if checkpoint.origin != log.origin:
                raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {log.origin!r}")
            witnesses = _witness_count(served, trust)
        except NoteError as exc:
            report.failures.append(Failure(f"checkpoint refused: {exc}", service))
            continue
        roots[checkpoint.size] = checkpoint.root
        report.checkpoints[(service, checkpoint.size)] = witnesses
    for link in log.consistency:
        if link.from_size not in roots or link.to_size not in roots:
            continue
        try:
            verify_consistency(link.from_size, link.to_size, roots[link.from_size],
                               roots[link.to_size], [b64decode(h) for h in link.hashes])
        except (ProofError, NoteError) as exc:
            report.failures.append(Failure(
                f"checkpoints {link.from_size} and {link.to_size} are inconsistent: {exc}", service))
            roots.pop(link.to_size)
    return roots


def _witness_count(served: str, trust: Trust) -> int:
    """Distinct trusted witnesses whose cosignature verifies (a failing one rejects the note)."""
    note = parse_note(served)
    known = {(w.name, w.key_id): w for w in trust.witnesses}
    counted: set[tuple[str, int]] = set()
    for sig in note.signatures:
        witness = known.get((sig.name, sig.key_id))
        if witness is None:
            continue
        if not witness.verify(note.text.encode(), sig.signature):
            raise NoteError(f"cosignature by {sig.name} does not verify")
        counted.add((sig.name, sig.key_id))
    return len(counted)


def _event_fault(event: BundleEvent, service: str, roots: dict[int, bytes], trust: Trust,
                 report: BundleReport) -> str | None:
    if event.leaf_index is None or event.tree_size is None:
        return "not yet in a checkpoint of its log (no inclusion proof)"
    root = roots.get(event.tree_size)
    if root is None:
        return f"proved against checkpoint {event.tree_size}, which is not a trusted checkpoint here"
    witnesses = report.checkpoints.get((service, event.tree_size), 0)
    if witnesses < trust.required_witnesses:
        return (f"checkpoint {event.tree_size} has {witnesses} trusted witness cosignature(s),"
                f" {trust.required_witnesses} required")
    try:
        verify_inclusion(leaf_hash(bytes.fromhex(event.envelope.hash)), event.leaf_index,
                         event.tree_size, [b64decode(h) for h in event.inclusion], root)
    except (ProofError, NoteError) as exc:
        return f"not the event the log holds at leaf {event.leaf_index}: {exc}"
    return None


def verify_bundle(bundle: Bundle, trust: Trust) -> BundleReport:
    """Check a bundle offline against the trusted keys; failures in bundle order."""
    report = BundleReport()
    roots = {service: _checkpoint_roots(service, log, trust, report)
             for service, log in bundle.logs.items()}
    for stream in bundle.streams:
        envelopes = [e.envelope for e in stream.events]
        chain = verify_chain(envelopes)
        faults: list[tuple[int, str, str]] = []
        if not chain.ok and chain.first_broken_version is not None:
            broken = envelopes[chain.checked]
            faults.append((chain.checked, str(broken.event_id), f"hash chain: {chain.reason}"))
        for index, event in enumerate(stream.events):
            report.events_checked += 1
            if event.envelope.stream_id != stream.stream_id:
                fault: str | None = "belongs to another stream"
            else:
                fault = _event_fault(event, stream.service, roots.get(stream.service, {}), trust, report)
            if fault is None and index < chain.checked:
                report.events_verified += 1
            elif fault is not None:
                faults.append((index, str(event.envelope.event_id), fault))
        for index, event_id, reason in sorted(faults)[:1]:
            report.failures.append(Failure(reason, stream.service, stream.stream_id,
                                           stream.events[index].envelope.version, event_id))
    return report
