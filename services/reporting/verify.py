"""Audit check: every stream about a subject re-verified in itself and against its owner's copy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import httpx

from events import EventEnvelope, verify_chain
from services.reporting.facts import OWNER_OF_STREAM, Fact
from services.reporting.schemas import BrokenEvent, StreamVerification, Verification
from services.runtime.auth import issue_token
from services.runtime.settings import Settings

HeldStream = Callable[[str, str], Awaitable[list[EventEnvelope] | None]]
"""Fetch (service, stream id) -> the envelopes the owner holds now, None if it cannot say."""

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
                   received: Sequence[EventEnvelope], held: Sequence[EventEnvelope] | None
                   ) -> StreamVerification:
    """One stream's verdict: both chains re-verified, the copies compared, the first break named."""
    received = sorted(received, key=lambda e: e.version)
    breaks: list[tuple[int, str]] = []
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


async def verify_subject(subject_id: str, subject_type: str, facts: Sequence[Fact],
                         fetch: HeldStream) -> Verification:
    """Re-verify every stream that touches the subject."""
    streams: dict[tuple[str, str], list[EventEnvelope]] = {}
    for fact in facts:
        streams.setdefault((fact.stream_type, fact.stream_id), []).append(fact.envelope())
    results = []
    for (stream_type, stream_id), received in sorted(streams.items()):
        service = OWNER_OF_STREAM.get(stream_type, "unknown")
        held = await fetch(service, stream_id)
        results.append(compare_stream(service, stream_type, stream_id, received, held))
    return Verification(subject_id=subject_id, subject_type=subject_type,
                        verified=bool(results) and all(r.holds for r in results),
                        streams=results)


def http_fetcher(settings: Settings, client: httpx.AsyncClient) -> HeldStream:
    """Fetch streams from their owners' `/v1/streams/{id}/events` with a service token."""
    token = issue_token("svc-reporting", "admin", ["*"], secret=settings.jwt_secret,
                        ttl_seconds=300)

    async def fetch(service: str, stream_id: str) -> list[EventEnvelope] | None:
        try:
            response = await client.get(
                f"{settings.url_of(service)}/v1/streams/{stream_id}/events",
                headers={"Authorization": f"Bearer {token}"}, timeout=10)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return [EventEnvelope.model_validate(e) for e in response.json()["events"]]

    return fetch
