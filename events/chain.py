"""The per-stream hash chain: how an event's hash is computed and how a stream is re-verified."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from events.canonical import canonical_json

if TYPE_CHECKING:
    from events.envelope import EventEnvelope

GENESIS_HASH = "00" * 32
"""The ``prev_hash`` of every stream's first event: 32 zero bytes."""

HASH_MISMATCH = "hash mismatch"
PREV_HASH_UNLINKED = "prev_hash does not link"
NOT_GENESIS = "first prev_hash is not genesis"
VERSION_GAP = "version gap"
VERSION_OUT_OF_ORDER = "version out of order"
STREAM_MIXED = "envelope belongs to another stream"


def compute_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the previous hash's bytes followed by the canonical JSON of ``body``."""
    return hash_of_canonical(prev_hash, canonical_json(body))


def hash_of_canonical(prev_hash: str, canonical_body: bytes) -> str:
    """`compute_hash` for a body already encoded as canonical JSON."""
    digest = hashlib.sha256(bytes.fromhex(prev_hash))
    digest.update(canonical_body)
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying one stream.

    ``checked`` counts the envelopes verified intact; when the chain is broken,
    ``first_broken_version`` is the stream version (``checked + 1``) at which trust ends and
    ``first_broken_event_id`` the id of the envelope found in that place.
    """

    ok: bool
    checked: int
    first_broken_version: int | None = None
    first_broken_event_id: UUID | None = None
    reason: str | None = None


def verify_chain(envelopes: Sequence[EventEnvelope]) -> ChainReport:
    """Re-verify one stream's envelopes, given in version order, from genesis to the last."""
    prev_hash = GENESIS_HASH
    for index, envelope in enumerate(envelopes):
        reason = _first_fault(envelope, index, envelopes[0], prev_hash)
        if reason is not None:
            return ChainReport(
                ok=False,
                checked=index,
                first_broken_version=index + 1,
                first_broken_event_id=envelope.event_id,
                reason=reason,
            )
        prev_hash = envelope.hash
    return ChainReport(ok=True, checked=len(envelopes))


def _first_fault(envelope: EventEnvelope, index: int, first: EventEnvelope, expected_prev: str) -> str | None:
    """Name the first rule ``envelope`` breaks at position ``index`` of its stream, if any."""
    if (envelope.stream_id, envelope.stream_type) != (first.stream_id, first.stream_type):
        return STREAM_MIXED
    expected_version = index + 1
    if envelope.version > expected_version:
        return VERSION_GAP
    if envelope.version < expected_version:
        return VERSION_OUT_OF_ORDER
    if envelope.prev_hash != expected_prev:
        return NOT_GENESIS if index == 0 else PREV_HASH_UNLINKED
    if envelope.hash != compute_hash(envelope.prev_hash, envelope.hashed_body()):
        return HASH_MISMATCH
    return None
