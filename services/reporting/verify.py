"""Audit check: every stream about a subject proved against its owner's signed checkpoints.

The owner's copy comes in a case bundle (each event with an inclusion proof); the proofs are
checked against the checkpoint signatures of the owner's published log keys, and reporting's own
copy is compared with it. Witness cosignatures are for `casetrack verify` with a monitor's trust
file: reporting knows no witness keys.
"""

from __future__ import annotations

from collections.abc import Sequence

from events import EventEnvelope, verify_chain
from events.tlog.bundle import Bundle, BundleReport, BundleStream, Trust, verify_bundle
from events.tlog.note import NoteError, NoteVerifier, parse_verifier_key
from services.reporting.facts import OWNER_OF_STREAM, Fact
from services.reporting.schemas import BrokenEvent, StreamVerification, Verification

DIFFERS = "differs from the owner's copy"
MISSING_AT_OWNER = "received by reporting but not held by the owner"


def _body(envelope: EventEnvelope) -> tuple[str, object]:
    return envelope.hash, envelope.hashed_body()


def first_difference(received: Sequence[EventEnvelope], held: Sequence[EventEnvelope]
                     ) -> tuple[int, str] | None:
    """The first version where reporting's copy and the owner's differ (owner's extra tail is lag)."""
    by_version = {e.version: e for e in held}
    for envelope in sorted(received, key=lambda e: e.version):
        theirs = by_version.get(envelope.version)
        if theirs is None:
            return envelope.version, MISSING_AT_OWNER
        if _body(theirs) != _body(envelope):
            return envelope.version, DIFFERS
    return None


def compare_stream(service: str, stream_type: str, stream_id: str,
                   received: Sequence[EventEnvelope], held: Sequence[EventEnvelope] | None,
                   *, proof_fault: tuple[int, str] | None = None, proved: str | None = None,
                   ) -> StreamVerification:
    """One stream's verdict: chains re-verified, proofs checked, copies compared, first break named."""
    received = sorted(received, key=lambda e: e.version)
    breaks: list[tuple[int, str]] = [proof_fault] if proof_fault else []
    mine = verify_chain(received)
    if not mine.ok and mine.first_broken_version is not None:
        breaks.append((mine.first_broken_version, f"reporting's copy: {mine.reason}"))
    owner_ok = copy_ok = None
    detail = None
    if held is None:
        detail = f"{service} did not serve the stream"
    else:
        held = sorted(held, key=lambda e: e.version)
        theirs = verify_chain(held)
        owner_ok = theirs.ok
        if not theirs.ok and theirs.first_broken_version is not None:
            breaks.append((theirs.first_broken_version, f"{service}'s chain: {theirs.reason}"))
        difference = first_difference(received, held)
        copy_ok = difference is None
        if difference is not None:
            breaks.append(difference)
        if len(held) > len(received):
            detail = f"{len(held) - len(received)} event(s) not yet received by reporting"
        if proved:
            detail = f"{detail}; {proved}" if detail else proved
    first = None
    if breaks:
        version, reason = min(breaks)
        named = next((e for e in (*(held or []), *received) if e.version == version), None)
        first = BrokenEvent(version=version, reason=reason,
                            event_id=str(named.event_id) if named else None,
                            event_type=named.event_type if named else None)
    return StreamVerification(
        service=service, stream_type=stream_type, stream_id=stream_id,
        events_received=len(received), events_held=None if held is None else len(held),
        received_chain_ok=mine.ok, owner_chain_ok=owner_ok, copy_matches=copy_ok,
        holds=held is not None and not breaks, first_broken=first, detail=detail)


def owner_trust(vkeys: Sequence[str]) -> Trust:
    """Trust the owners' published log keys (current and retired) and require no witness."""
    logs: list[NoteVerifier] = []
    for vkey in vkeys:
        try:
            logs.append(parse_verifier_key(vkey))
        except NoteError:
            continue
    return Trust(logs=logs, witnesses=[], required_witnesses=0)


def _in_checkpoint(stream: BundleStream | None, failed: bool) -> bool | None:
    """Whether every held event of a stream is proved in a signed checkpoint (None: not yet)."""
    if failed:
        return False
    if stream is None or not stream.events or any(e.tree_size is None for e in stream.events):
        return None
    return True


def verify_subject(subject_id: str, subject_type: str, facts: Sequence[Fact], bundle: Bundle,
                   trust: Trust, unavailable: dict[str, str] | None = None) -> Verification:
    """Re-verify every stream that touches the subject against the owners' proofs."""
    report: BundleReport = verify_bundle(bundle, trust)
    received_by: dict[tuple[str, str], list[EventEnvelope]] = {}
    for fact in facts:
        received_by.setdefault((fact.stream_type, fact.stream_id), []).append(fact.envelope())
    held_by = {(s.stream_type, s.stream_id): s for s in bundle.streams}
    results = []
    for (stream_type, stream_id), received in sorted(received_by.items()):
        service = OWNER_OF_STREAM.get(stream_type, "unknown")
        stream = held_by.get((stream_type, stream_id))
        held = [e.envelope for e in stream.events] if stream and stream.events else None
        fault = next(((f.version or 0, f"{service}'s log: {f.reason}") for f in report.failures
                      if f.stream_id == stream_id and f.service == service), None)
        checkpoint_fault = next((f.reason for f in report.failures
                                 if f.service == service and f.stream_id is None), None)
        proved = None
        if stream and stream.events and stream.events[-1].tree_size:
            proved = f"proved against {service}'s checkpoint {stream.events[-1].tree_size}"
        if checkpoint_fault:
            proved = f"{service}: {checkpoint_fault}"
        results.append(compare_stream(service, stream_type, stream_id, received, held,
                                      proof_fault=fault, proved=proved).model_copy(update={
            "in_checkpoint": _in_checkpoint(stream, fault is not None or bool(checkpoint_fault))}))
        if held is None and unavailable and service in unavailable:
            results[-1] = results[-1].model_copy(update={"detail": unavailable[service]})
    return Verification(subject_id=subject_id, subject_type=subject_type,
                        verified=bool(results) and all(r.holds for r in results),
                        streams=results)
