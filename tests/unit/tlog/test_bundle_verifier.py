"""The offline verifier: a faithful bundle holds; each attack is named at the event it touches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events import GENESIS_HASH, EventEnvelope, new_event_id
from events.tlog import Cosigner, generate_signer_key, signer_from_key
from events.tlog.bundle import Bundle, Trust, verify_bundle
from events.tlog.memory import MemoryLog, bundle_of

pytestmark = pytest.mark.unit

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def stream(stream_id: str, stream_type: str, payloads: list[dict[str, object]]) -> list[EventEnvelope]:
    """A sealed stream."""
    out: list[EventEnvelope] = []
    prev = GENESIS_HASH
    for i, payload in enumerate(payloads):
        envelope = EventEnvelope.seal(
            prev_hash=prev, stream_id=stream_id, stream_type=stream_type, version=i + 1,
            event_id=new_event_id(), event_type=f"{stream_type}.noted", schema_version=1,
            occurred_at=AT + timedelta(minutes=i), recorded_at=AT + timedelta(minutes=i),
            actor={"id": "op-1", "role": "operator", "region": "KZ-75"},
            correlation_id=None, causation_id=None, payload=payload)
        out.append(envelope)
        prev = envelope.hash
    return out


def reseal(envelopes: list[EventEnvelope], at: int, payload: dict[str, object]) -> list[EventEnvelope]:
    """An insider's rewrite: change one payload and recompute every later hash."""
    out = envelopes[:at]
    prev = out[-1].hash if out else GENESIS_HASH
    for i, envelope in enumerate(envelopes[at:]):
        fields = envelope.model_dump(exclude={"hash", "prev_hash"})
        if i == 0:
            fields["payload"] = payload
        resealed = EventEnvelope.seal(prev_hash=prev, **fields)
        out.append(resealed)
        prev = resealed.hash
    return out


Setting = tuple[MemoryLog, MemoryLog, Cosigner, list[list[EventEnvelope]]]
"""intake's and review's logs, a witness, and the case's streams."""


@pytest.fixture
def setting() -> Setting:
    intake = MemoryLog("intake", "casetrack/intake/test",
                       signer_from_key(generate_signer_key("casetrack/intake/test")))
    review = MemoryLog("review", "casetrack/review/test",
                       signer_from_key(generate_signer_key("casetrack/review/test")))
    witness = Cosigner.from_key(Cosigner.generate("monitors.example/kz-75"))
    case = stream("case-1", "case", [{"n": i, "reporter": {"commitment": "ab" * 32}} for i in range(6)])
    other = stream("case-2", "case", [{"n": 0}])
    rev = stream("review-1", "review", [{"verdict": "approved"}, {"n": 1}])
    intake.append(case[:3] + other + case[3:])
    review.append(rev)
    return intake, review, witness, [case, rev]


def trust_for(intake: MemoryLog, review: MemoryLog, witness: Cosigner, required: int = 1) -> Trust:
    return Trust(logs=[intake.signer.verifier(), review.signer.verifier()],
                 witnesses=[witness.verifier()], required_witnesses=required)


def test_a_faithful_witnessed_bundle_verifies_every_event(setting: Setting) -> None:
    intake, review, witness, streams = setting
    bundle = bundle_of("case-1", [intake, review], streams, [witness])
    report = verify_bundle(Bundle.model_validate_json(bundle.model_dump_json()),
                           trust_for(intake, review, witness))
    assert report.ok, report.failures
    assert report.events_verified == 8
    assert report.checkpoints == {("intake", 7): 1, ("review", 2): 1}


def test_an_insider_rewrite_with_recomputed_chain_fails_at_the_edited_event(setting: Setting) -> None:
    intake, review, witness, streams = setting
    case = streams[0]
    bundle = bundle_of("case-1", [intake, review], streams, [witness])
    rewritten = reseal(case, 2, {"n": 2, "reporter": None})
    forged = bundle.model_copy(update={"streams": [
        bundle.streams[0].model_copy(update={"events": [
            e.model_copy(update={"envelope": r}) for e, r in zip(bundle.streams[0].events, rewritten,
                                                                 strict=True)]}),
        bundle.streams[1]]})
    report = verify_bundle(forged, trust_for(intake, review, witness))
    first = report.first_failure
    assert first is not None and not report.ok
    assert (first.event_id, first.version) == (str(case[2].event_id), 3)
    assert "not the event the log holds" in first.reason


def test_a_dropped_event_is_detected(setting: Setting) -> None:
    intake, review, witness, streams = setting
    bundle = bundle_of("case-1", [intake, review], streams, [witness])
    events = bundle.streams[0].events
    dropped = bundle.model_copy(update={"streams": [
        bundle.streams[0].model_copy(update={"events": events[:2] + events[3:]}), bundle.streams[1]]})
    report = verify_bundle(dropped, trust_for(intake, review, witness))
    assert report.first_failure is not None
    assert report.first_failure.event_id == str(streams[0][3].event_id)
    assert "version gap" in report.first_failure.reason


def test_a_bundle_signed_by_an_unknown_log_key_is_refused(setting: Setting) -> None:
    intake, review, witness, streams = setting
    bundle = bundle_of("case-1", [intake, review], streams, [witness])
    stranger = signer_from_key(generate_signer_key("casetrack/intake/test"))
    report = verify_bundle(bundle, Trust(logs=[stranger.verifier(), review.signer.verifier()],
                                         witnesses=[witness.verifier()]))
    assert not report.ok
    assert report.failures[0].reason.startswith("checkpoint refused: note is not signed by any trusted key")
    assert report.failures[1].event_id == str(streams[0][0].event_id)


def test_an_unwitnessed_checkpoint_is_not_enough_when_witnesses_are_required(setting: Setting) -> None:
    intake, review, witness, streams = setting
    bundle = bundle_of("case-1", [intake, review], streams, [])
    report = verify_bundle(bundle, trust_for(intake, review, witness))
    assert report.first_failure is not None
    assert "0 trusted witness cosignature(s), 1 required" in report.first_failure.reason
    assert verify_bundle(bundle, trust_for(intake, review, witness, required=0)).ok


def test_erased_personal_data_still_verifies(setting: Setting) -> None:
    """The chain covers the commitment; destroying the vault key changes no byte of the event."""
    intake, review, witness, streams = setting
    bundle = bundle_of("case-1", [intake, review], streams, [witness])
    assert all("name" not in str(e.envelope.payload) for s in bundle.streams for e in s.events)
    assert verify_bundle(bundle, trust_for(intake, review, witness)).ok
