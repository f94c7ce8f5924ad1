"""Sealed, hash-chained envelopes for reporting tests, built from payload dicts by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events import GENESIS_HASH, EventEnvelope, new_event_id
from events.topics import STREAM_TOPICS


def at(text: str) -> datetime:
    """A UTC moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Stream:
    """One stream being written: each `add` seals the next version onto the chain."""

    stream_type: str
    stream_id: str
    envelopes: list[EventEnvelope] = field(default_factory=list)

    def add(self, event_type: str, payload: dict[str, Any], when: str,
            actor: str = "op-1", role: str = "operator", region: str | None = "KZ-75",
            schema_version: int = 1) -> EventEnvelope:
        """Seal `event_type` with `payload` at `when` (UTC) as the next event of the stream."""
        moment = at(when)
        envelope = EventEnvelope.seal(
            prev_hash=self.envelopes[-1].hash if self.envelopes else GENESIS_HASH,
            stream_id=self.stream_id, stream_type=self.stream_type,
            version=len(self.envelopes) + 1, event_id=new_event_id(), event_type=event_type,
            schema_version=schema_version, occurred_at=moment, recorded_at=moment,
            actor={"id": actor, "role": role, "region": region}, correlation_id="corr",
            causation_id=None, payload=payload)
        self.envelopes.append(envelope)
        return envelope

    @property
    def topic(self) -> str:
        """The topic the stream is published to."""
        return STREAM_TOPICS[self.stream_type]


def registered(region: str = "KZ-75", sector: str = "land", title: str = "Bribe for a plot"
               ) -> dict[str, Any]:
    """A case.registered payload."""
    return {"title": title, "description": "An official asked for money.", "region": region,
            "sector": sector, "source": "hotline", "district": "Bostandyk", "anonymous": True,
            "reporter": None}


def issued(region: str = "KZ-75", addressee: str = "Akimat of Almaty", due: str = "2026-03-31"
           ) -> dict[str, Any]:
    """A directive.issued payload."""
    return {"title": "Publish land allocation lists", "text": "Publish them monthly.",
            "issuing_authority": "Agency", "addressee_body": addressee, "region": region,
            "due_date": due, "meeting_reference": "M-1"}


def resolved(outcome: str = "confirmed") -> dict[str, Any]:
    """A case.resolved payload."""
    return {"outcome": outcome, "summary": "Checked.", "measures_taken": []}


def assignment_made(subject_id: str, officer: str, kind: str = "case", region: str = "KZ-75"
                    ) -> dict[str, Any]:
    """An assignment.made payload."""
    return {"subject_id": subject_id, "subject_type": kind, "region": region,
            "office_id": "office-1", "officer_id": officer, "kind": "automatic",
            "rule": "least_loaded", "reason": "automatic", "previous_officer_id": None}


def deadline_set(subject_id: str, due: str, kind: str = "case") -> dict[str, Any]:
    """An assignment.deadline_set payload."""
    return {"subject_id": subject_id, "subject_type": kind, "due_date": due,
            "clock": "appeal_15_working_days", "basis_event_id": "evt-basis"}


def review_opened(subject_id: str, kind: str = "case", region: str = "KZ-75") -> dict[str, Any]:
    """A review.opened payload."""
    return {"subject_id": subject_id, "subject_type": kind, "region": region,
            "reason": "sampled", "due_date": "2026-12-31", "previous_review_id": None,
            "resolver_id": "op-1", "assignee_id": None, "trigger_event_id": "evt-trigger"}


def verdict(subject_id: str, value: str = "approved", kind: str = "case",
            reviewer: str = "mon-1") -> dict[str, Any]:
    """A review.verdict_recorded payload."""
    return {"subject_id": subject_id, "subject_type": kind, "verdict": value,
            "findings": "Handled well.", "flags": [], "reviewer_id": reviewer}
