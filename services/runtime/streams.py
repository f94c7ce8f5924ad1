"""Read-only access to a service's stored envelopes, for auditors and reporting's verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from events import EventEnvelope, Role
from services.runtime.auth import CurrentPrincipal
from services.runtime.context import Runtime
from services.runtime.errors import NotFound
from services.runtime.fields import PathId
from services.runtime.tlog.store import TreeStore

router = APIRouter(prefix="/v1/streams", tags=["audit"])

AUDITORS = (Role.ADMIN, Role.MONITOR, Role.SUPERVISOR, Role.ANALYST)


def stream_region(envelopes: list[EventEnvelope]) -> str | None:
    """The region a stream belongs to: the first `region` any of its payloads names."""
    for envelope in envelopes:
        region = envelope.payload.get("region")
        if isinstance(region, str):
            return region
    return None


@router.get("/{stream_id}/events")
async def stream_events(stream_id: PathId, principal: CurrentPrincipal, runtime: Runtime
                        ) -> dict[str, Any]:
    """Every stored envelope of one stream, as the owning service holds it now."""
    principal.require(*AUDITORS)
    envelopes = await runtime.event_store.load(stream_id)
    if not envelopes or not principal.can_see(stream_region(envelopes)):
        raise NotFound(f"no stream {stream_id}")
    async with runtime.pool.acquire() as conn:
        leaves = await TreeStore(runtime.name).leaf_indexes(conn, [e.event_id for e in envelopes])
    return {
        "service": runtime.name,
        "stream_id": stream_id,
        "events": [e.model_dump(mode="json") for e in envelopes],
        # Where each event sits in the service's verifiable log (absent until sequenced): beside
        # the envelopes, so the hash-chained envelope and its parsers stay as they are.
        "leaf_indexes": {str(event_id): index for event_id, index in leaves.items()},
    }
