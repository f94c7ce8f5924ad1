"""What reporting keeps of each event (a fact), and the columns of every read-model table."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from events import REGISTRY, EventEnvelope, compute_hash, format_timestamp

OWNER_OF_STREAM: dict[str, str] = {
    "case": "intake", "directive": "intake", "assignment": "assignment",
    "office": "assignment", "officer": "assignment", "review": "review",
    "monitoring_group": "review", "reception": "intake", "survey_wave": "intake",
}
"""The service that owns (and can re-serve) each stream type."""

HISTORY_COLUMNS = (
    "event_id", "subject_id", "stream_id", "stream_type", "topic", "version", "event_type",
    "schema_version", "occurred_at", "recorded_at", "actor", "correlation_id", "causation_id",
    "payload", "prev_hash", "hash", "hash_ok", "log_position",
)
CASE_COLUMNS = (
    "case_id", "region", "sector", "source", "status", "title", "district", "anonymous",
    "registered_at", "registered_by", "version", "updated_at", "risk_level", "category",
    "office_id", "assignee_id", "assigned_at", "due_date", "deadline_source",
    "escalation_level", "outcome", "resolved_at", "closed_at", "reopen_count", "review_id",
    "review_status", "reviews_opened", "duplicate_of",
    "extensions", "extended_due_date", "notice_due_date", "notified_on", "notice_channel",
    "notices_late", "forward_due_date", "forwarded_to", "forwarded_at", "reception_id",
)
DIRECTIVE_COLUMNS = (
    "directive_id", "region", "title", "issuing_authority", "addressee_body",
    "meeting_reference", "status", "issued_at", "issued_by", "original_due_date", "due_date",
    "extensions", "completed_at", "verified_at", "cancelled_at", "office_id", "assignee_id",
    "review_id", "review_status", "version", "updated_at", "receptions_required",
)
REVIEW_COLUMNS = (
    "review_id", "subject_id", "subject_type", "region", "reason", "opened_at", "due_date",
    "assignee_id", "claimed_by", "claimed_at", "verdict", "verdict_at", "reviewer_id", "version",
)
GROUP_COLUMNS = ("group_id", "name", "region", "members", "member_count", "formed_at", "version")

Row = dict[str, Any]

_BODY_KEYS = {
    "stream_id", "stream_type", "version", "event_id", "event_type", "schema_version",
    "occurred_at", "recorded_at", "actor", "correlation_id", "causation_id", "payload",
    "prev_hash",
}
"""What an envelope's hash covers: every field but the hash and the storage position."""
_TIMES = ("occurred_at", "recorded_at")
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", re.ASCII)


@dataclass(frozen=True)
class Fact:
    """One event as reporting keeps it: the envelope's fields plus the topic it came from."""

    event_id: UUID
    stream_id: str
    stream_type: str
    topic: str
    version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: Mapping[str, Any]
    correlation_id: str | None
    causation_id: str | None
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str
    position: int | None = None
    """The event's position in its owner's log (from the message; not covered by the hash)."""

    @classmethod
    def of(cls, envelope: EventEnvelope, topic: str) -> Fact:
        """The fact an envelope delivers."""
        return cls(envelope.event_id, envelope.stream_id, envelope.stream_type, topic,
                   envelope.version, envelope.event_type, envelope.schema_version,
                   envelope.occurred_at, envelope.recorded_at,
                   envelope.actor.model_dump(mode="json"), envelope.correlation_id,
                   envelope.causation_id, envelope.payload, envelope.prev_hash, envelope.hash,
                   envelope.position)

    @classmethod
    def from_row(cls, row: Any) -> Fact:
        """The fact kept in a history row."""
        actor, payload = row["actor"], row["payload"]
        return cls(row["event_id"], row["stream_id"], row["stream_type"], row["topic"],
                   row["version"], row["event_type"], row["schema_version"], row["occurred_at"],
                   row["recorded_at"], json.loads(actor) if isinstance(actor, str) else actor,
                   row["correlation_id"], row["causation_id"],
                   json.loads(payload) if isinstance(payload, str) else payload,
                   row["prev_hash"], row["hash"], row.get("log_position"))

    def envelope(self) -> EventEnvelope:
        """The envelope again, as its owner sealed it."""
        return EventEnvelope.model_validate({
            "stream_id": self.stream_id, "stream_type": self.stream_type,
            "version": self.version, "event_id": self.event_id, "event_type": self.event_type,
            "schema_version": self.schema_version, "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at, "actor": dict(self.actor),
            "correlation_id": self.correlation_id, "causation_id": self.causation_id,
            "payload": dict(self.payload), "prev_hash": self.prev_hash, "hash": self.hash})

    def hash_ok(self) -> bool:
        """Whether the event's own hash recomputes from its body and prev_hash."""
        return self._fast_hash_ok() or self._contract_hash_ok()

    def _fast_hash_ok(self) -> bool:
        # The canonical bytes straight from plain JSON data (what arrives on the wire); a
        # mismatch is confirmed by the contract's own, slower encoder before it counts.
        body = {
            "stream_id": self.stream_id, "stream_type": self.stream_type,
            "version": self.version, "event_id": str(self.event_id),
            "event_type": self.event_type, "schema_version": self.schema_version,
            "occurred_at": format_timestamp(self.occurred_at),
            "recorded_at": format_timestamp(self.recorded_at), "actor": dict(self.actor),
            "correlation_id": self.correlation_id, "causation_id": self.causation_id,
            "payload": self.payload, "prev_hash": self.prev_hash,
        }
        try:
            digest = hashlib.sha256(bytes.fromhex(self.prev_hash))
            digest.update(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
        except (TypeError, ValueError):
            return False
        return digest.hexdigest() == self.hash

    def wire_hash_ok(self, value: bytes) -> bool:
        """Whether the hash recomputes straight from the message that delivered the fact, when
        that message is in canonical form (False otherwise: `hash_ok` then decides).

        Canonical form means the body the message carries is byte for byte the body
        `_fast_hash_ok` builds, so no timestamp needs formatting (hot in a replay)."""
        try:
            data = orjson.loads(value)
            data.pop("hash")
            data.pop("position", None)
            canonical = (data.keys() == _BODY_KEYS and data["event_id"] == str(self.event_id)
                         and all(_CANONICAL_TIME.fullmatch(data[k]) for k in _TIMES))
            if not canonical:
                return False
            digest = hashlib.sha256(bytes.fromhex(self.prev_hash))
            digest.update(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
        except (TypeError, ValueError, KeyError):
            return False
        return digest.hexdigest() == self.hash

    def _contract_hash_ok(self) -> bool:
        try:
            envelope = self.envelope()
        except ValueError:
            return False
        return compute_hash(envelope.prev_hash, envelope.hashed_body()) == self.hash

    @property
    def data(self) -> Mapping[str, Any]:
        """The payload in its type's latest version: what projections read. `payload` stays
        as stored, because the hash covers it."""
        return REGISTRY.current_payload(self.event_type, self.schema_version, self.payload)

    def text(self, name: str) -> str | None:
        """A payload field (latest version) as text, None when absent."""
        value = self.data.get(name)
        return None if value is None else str(value)


def _json_text(value: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # beyond orjson (e.g. huge integers): the standard encoder decides
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True)


def history_row(fact: Fact, subject_id: str | None, hash_ok: bool) -> Row:
    """The history row kept for a fact."""
    return {
        "event_id": fact.event_id, "subject_id": subject_id, "stream_id": fact.stream_id,
        "stream_type": fact.stream_type, "topic": fact.topic, "version": fact.version,
        "event_type": fact.event_type, "schema_version": fact.schema_version,
        "occurred_at": fact.occurred_at, "recorded_at": fact.recorded_at,
        "actor": _json_text(fact.actor),
        "correlation_id": fact.correlation_id, "causation_id": fact.causation_id,
        "payload": _json_text(fact.payload),
        "prev_hash": fact.prev_hash, "hash": fact.hash, "hash_ok": hash_ok,
        "log_position": fact.position,
    }
