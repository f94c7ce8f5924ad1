"""Case bundles: each stream about a subject as its owner holds it, proved against checkpoints.

Events come from their owners (the record of truth), not reporting's copy, so an edit in an
owner's database shows as an event its own log does not hold. Each proof is against the newest
witnessed checkpoint that covers the event, else the newest checkpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from events import EventEnvelope
from events.tlog.bundle import Bundle, BundleEvent, BundleLog, BundleStream, ConsistencyLink
from events.tlog.checkpoint import Checkpoint, parse_checkpoint
from events.tlog.note import NoteError, parse_note
from services.reporting.facts import OWNER_OF_STREAM, Fact
from services.runtime.auth import issue_token
from services.runtime.settings import Settings


class OwnerUnavailable(Exception):
    """An owning service did not answer what the bundle needs."""


class OwnerLogs(Protocol):
    """What a bundle needs from the owning services."""

    async def stream(self, service: str, stream_id: str) -> tuple[list[EventEnvelope], dict[str, int]]:
        """The envelopes of a stream and their leaf indexes."""
        ...

    async def checkpoint(self, service: str, witnessed: bool) -> str | None:
        """The newest (witnessed) checkpoint note, None if there is none."""
        ...

    async def checkpoint_now(self, service: str) -> None:
        """Ask the owner to sequence what it has and sign a checkpoint if its log grew."""
        ...

    async def inclusion(self, service: str, event_id: str, tree_size: int) -> list[str]:
        """The base64 audit path of an event to the root at ``tree_size``."""
        ...

    async def consistency(self, service: str, old: int, new: int) -> list[str]:
        """The base64 consistency proof between two sizes."""
        ...


@dataclass(frozen=True)
class _Served:
    note: str
    checkpoint: Checkpoint


async def _checkpoints(owners: OwnerLogs, service: str) -> tuple[_Served | None, _Served | None]:
    async def get(witnessed: bool) -> _Served | None:
        note = await owners.checkpoint(service, witnessed)
        if note is None:
            return None
        try:
            return _Served(note, parse_checkpoint(parse_note(note).text))
        except NoteError as exc:
            raise OwnerUnavailable(f"{service} served a malformed checkpoint: {exc}") from exc

    return await get(True), await get(False)


async def build_bundle(subject_id: str, subject_type: str, facts: Sequence[Fact],
                       owners: OwnerLogs) -> Bundle:
    """Every stream touching the subject, each event with its inclusion proof, and the checkpoints."""
    keys = sorted({(f.stream_type, f.stream_id) for f in facts})
    services = sorted({OWNER_OF_STREAM[t] for t, _ in keys if t in OWNER_OF_STREAM})
    await asyncio.gather(*(owners.checkpoint_now(s) for s in services))
    served = {s: await _checkpoints(owners, s) for s in services}
    used: dict[str, set[int]] = {s: set() for s in services}
    streams: list[BundleStream] = []
    for stream_type, stream_id in keys:
        service = OWNER_OF_STREAM.get(stream_type)
        if service is None:
            continue
        envelopes, leaves = await owners.stream(service, stream_id)
        witnessed, latest = served[service]
        events = await asyncio.gather(*(
            _prove(owners, service, e, leaves.get(str(e.event_id)), witnessed, latest, used[service])
            for e in envelopes))
        streams.append(BundleStream(service=service, stream_type=stream_type, stream_id=stream_id,
                                    events=list(events)))
    logs: dict[str, BundleLog] = {}
    for service in services:
        witnessed, latest = served[service]
        notes = {c.checkpoint.size: c for c in (witnessed, latest) if c is not None
                 and c.checkpoint.size in used[service]}
        links = []
        if witnessed and latest and len(notes) == 2:
            links.append(ConsistencyLink(
                from_size=witnessed.checkpoint.size, to_size=latest.checkpoint.size,
                hashes=await owners.consistency(service, witnessed.checkpoint.size,
                                                latest.checkpoint.size)))
        newest = latest or witnessed
        origin = newest.checkpoint.origin if newest is not None else service
        logs[service] = BundleLog(origin=origin, checkpoints=[c.note for _, c in sorted(notes.items())],
                                  consistency=links)
    return Bundle(subject_type=subject_type, subject_id=subject_id,
                  generated_at=datetime.now(UTC).isoformat(), logs=logs, streams=streams)


async def _prove(owners: OwnerLogs, service: str, envelope: EventEnvelope, index: int | None,
                 witnessed: _Served | None, latest: _Served | None, used: set[int]) -> BundleEvent:
    covering = next((c for c in (witnessed, latest) if c and index is not None
                     and index < c.checkpoint.size), None)
    if covering is None or index is None:
        return BundleEvent(envelope=envelope, leaf_index=index)
    size = covering.checkpoint.size
    used.add(size)
    hashes = await owners.inclusion(service, str(envelope.event_id), size)
    return BundleEvent(envelope=envelope, leaf_index=index, tree_size=size, inclusion=hashes)


class HttpOwners:
    """OwnerLogs over the owners' `/v1/streams` and `/v1/log` APIs, with a service token."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        token = issue_token("svc-reporting", "admin", ["*"], secret=settings.jwt_secret,
                            ttl_seconds=300)
        self.headers = {"Authorization": f"Bearer {token}"}

    async def _get(self, service: str, path: str, params: dict[str, Any] | None = None,
                   missing_ok: bool = False) -> httpx.Response | None:
        try:
            response = await self.client.get(f"{self.settings.url_of(service)}{path}", params=params,
                                              headers=self.headers, timeout=10)
        except httpx.HTTPError as exc:
            raise OwnerUnavailable(f"{service} did not answer {path}: {exc!r}") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code != 200:
            raise OwnerUnavailable(f"{service} answered {response.status_code} to {path}")
        return response

    async def stream(self, service: str, stream_id: str) -> tuple[list[EventEnvelope], dict[str, int]]:
        """The owner's envelopes of the stream and their leaf indexes."""
        response = await self._get(service, f"/v1/streams/{stream_id}/events", missing_ok=True)
        if response is None:
            return [], {}
        body = response.json()
        return ([EventEnvelope.model_validate(e) for e in body["events"]],
                {k: int(v) for k, v in body.get("leaf_indexes", {}).items()})

    async def checkpoint(self, service: str, witnessed: bool) -> str | None:
        """The owner's newest (witnessed) checkpoint."""
        response = await self._get(service, "/v1/log/checkpoint",
                                   params={"witnessed": str(witnessed).lower()}, missing_ok=True)
        return None if response is None else response.text

    async def checkpoint_now(self, service: str) -> None:
        """POST the owner's on-demand checkpoint."""
        try:
            response = await self.client.post(f"{self.settings.url_of(service)}/v1/log/checkpoint",
                                               headers=self.headers, timeout=10)
        except httpx.HTTPError as exc:
            raise OwnerUnavailable(f"{service} did not answer a checkpoint request: {exc!r}") from exc
        if response.status_code != 200:
            raise OwnerUnavailable(f"{service} answered {response.status_code} to a checkpoint request")

    async def inclusion(self, service: str, event_id: str, tree_size: int) -> list[str]:
        """The owner's inclusion proof."""
        response = await self._get(service, "/v1/log/proofs/inclusion",
                                   params={"event_id": event_id, "tree_size": tree_size})
        assert response is not None
        hashes: list[str] = response.json()["hashes"]
        return hashes

    async def consistency(self, service: str, old: int, new: int) -> list[str]:
        """The owner's consistency proof."""
        response = await self._get(service, "/v1/log/proofs/consistency",
                                   params={"from": old, "to": new})
        assert response is not None
        hashes: list[str] = response.json()["hashes"]
        return hashes

    async def log_keys(self, service: str) -> list[str]:
        """Every verifier key the owner's log has used (current and retired)."""
        response = await self._get(service, "/v1/log/keys")
        assert response is not None
        body = response.json()
        return [body["current"], *body["retired"]]
