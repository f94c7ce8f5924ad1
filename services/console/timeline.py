"""A subject's merged timeline as people read it: when, who, what — only fields meant to be shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.console.labels import N_

SERVICE_OF_TOPIC = {"casetrack.intake.v1": "intake", "casetrack.assignment.v1": "assignment",
                    "casetrack.review.v1": "review"}

# Only these payload fields are ever shown: a reporter's reference and commitment (and anything a
# future event adds) stay out unless someone decides here that people should see them.
SHOWN_FIELDS: dict[str, str] = {
    "title": N_("Title"), "sector": N_("Sector"), "source": N_("Source"),
    "district": N_("District"), "risk_level": N_("Risk level"), "category": N_("Category"),
    "notes": N_("Notes"), "note": N_("Note"), "outcome": N_("Outcome"), "summary": N_("Summary"),
    "measures_taken": N_("Measures taken"), "reason": N_("Reason"), "verdict": N_("Verdict"),
    "findings": N_("Findings"), "flags": N_("Flags"), "officer_id": N_("Officer"),
    "office_id": N_("Office"), "due_date": N_("Due date"), "reviewer_id": N_("Reviewer"),
    "new_due_date": N_("New due date"),
}
LABELLED_VALUES = {"sector", "source", "risk_level", "outcome", "verdict", "flags", "reason"}

EVENT_LABELS: dict[str, str] = {
    "case.registered": N_("Case registered"), "case.triaged": N_("Case triaged"),
    "case.assigned": N_("Case assigned"), "case.progress_noted": N_("Progress noted"),
    "case.resolved": N_("Case resolved"), "case.review_started": N_("Review started"),
    "case.reopened": N_("Case reopened"), "case.closed": N_("Case closed"),
    "case.escalated": N_("Case escalated"), "case.withdrawn": N_("Case withdrawn"),
    "case.flagged_for_review": N_("Flagged for review"),
    "case.marked_duplicate": N_("Marked as duplicate"), "case.duplicate_linked": N_("Duplicate linked"),
    "case.verdict_ignored": N_("Verdict not applied"),
    "case.reporter_disclosed": N_("Reporter contact disclosed"),
    "case.reporter_erased": N_("Reporter contact erased"),
    "case.consideration_extended": N_("Consideration extended"),
    "case.reporter_notified": N_("Reporter notified of the extension"),
    "case.marked_misdirected": N_("Marked as misdirected"), "case.forwarded": N_("Case forwarded"),
    "assignment.made": N_("Assignment made"), "assignment.deadline_set": N_("Deadline set"),
    "assignment.escalated": N_("Deadline escalated"),
    "review.opened": N_("Review opened"), "review.claimed": N_("Review claimed"),
    "review.verdict_recorded": N_("Verdict recorded"),
}


@dataclass(frozen=True)
class Detail:
    """One shown field of an event: its label msgid, value(s), and whether values are labels."""

    label: str
    values: tuple[str, ...]
    labelled: bool


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    occurred_at: str
    recorded_at: str
    service: str
    event_type: str
    what: str
    actor_id: str
    actor_role: str
    version: int
    stream_id: str
    hash_ok: bool
    details: tuple[Detail, ...]


def _details(payload: dict[str, Any]) -> tuple[Detail, ...]:
    shown = []
    for key, label in SHOWN_FIELDS.items():
        value = payload.get(key)
        if value in (None, "", []):
            continue
        values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
        shown.append(Detail(label, values, key in LABELLED_VALUES))
    return tuple(shown)


def entries(events: list[dict[str, Any]], as_of: datetime | None = None) -> list[Entry]:
    """The history's events (recorded by `as_of`, when given), oldest first."""
    lines = []
    for event in events:
        recorded = datetime.fromisoformat(event["recorded_at"])
        if as_of is not None and recorded > as_of:
            continue
        actor = event.get("actor") or {}
        lines.append(Entry(
            occurred_at=event["occurred_at"], recorded_at=event["recorded_at"],
            service=SERVICE_OF_TOPIC.get(event.get("topic", ""), event.get("stream_type", "")),
            event_type=event["event_type"],
            what=EVENT_LABELS.get(event["event_type"], event["event_type"]),
            actor_id=str(actor.get("id", "")), actor_role=str(actor.get("role", "")),
            version=int(event["version"]), stream_id=event["stream_id"],
            hash_ok=bool(event.get("hash_ok", False)), details=_details(event.get("payload") or {})))
    return lines
