"""Rebuild review's read tables from its log and the topics, then swap them in atomically.

python -m services.review.rebuild           fold, build shadow tables, swap them in
python -m services.review.rebuild --check   fold into shadow tables, compare with live,
                                            exit 1 on a difference

The queue (`reviews`), the groups and their members are folds of review's own streams. A
subject's row has two parts, each folded in the order the live tables saw it: what the
review-opener applied from intake and assignment (topic order per subject), with each
`review.opened` right after the event that triggered it (its `causation_id`: the opener opened
it while applying that event, which is what clears `returned_by_review_id`); and the open and
last review, from review's own log in visibility order. `updated_at` is when a row was
processed, not what the log says: a rebuild writes the last event's `recorded_at` and a check
ignores it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REGISTRY, EventEnvelope, UnknownEventType
from services.review.opener import OPENER
from services.review.projections import SCHEMA
from services.runtime.rebuild import Table
from services.runtime.rebuild_owned import OwnedTables, Row, Rows, Source, command

SUBJECTS = Table("subjects", ("subject_id",), (
    "subject_id", "subject_type", "region", "risk_level", "resolver_ids", "assignee_ids",
    "last_resolver_id", "current_assignee_id", "open_review_id", "last_review_id",
    "returned_by_review_id", "updated_at"), volatile=("updated_at",))
REVIEWS = Table("reviews", ("review_id",), (
    "review_id", "subject_id", "subject_type", "region", "reason", "status", "due_date",
    "previous_review_id", "resolver_id", "assignee_id", "trigger_event_id", "reviewer_id",
    "verdict", "verdict_event_id", "opened_at", "decided_at", "version"))
GROUPS = Table("monitoring_groups", ("group_id",),
               ("group_id", "name", "region", "formed_at", "version"))
MEMBERS = Table("group_members", ("group_id", "monitor_id"),
                ("group_id", "monitor_id", "name", "active", "added_at", "changed_at"))

RESOLUTIONS = frozenset({"case.resolved", "directive.completion_reported"})
RETURNS = frozenset({"case.reopened", "case.escalated", "directive.returned",
                     "directive.escalated"})
CREATES = {"case.registered": "case", "directive.issued": "directive", "case.triaged": "case",
           "case.resolved": "case", "directive.completion_reported": "directive",
           "case.flagged_for_review": "case", "case.reopened": "case", "case.escalated": "case",
           "directive.returned": "directive", "directive.escalated": "directive"}
"""Intake events that give the opener a subject row (returns only when they name a review)."""


@dataclass
class SubjectRow:
    """A subject as the opener and the projection leave it."""

    subject_id: str
    subject_type: str
    region: str | None = None
    risk_level: str | None = None
    resolver_ids: list[str] = field(default_factory=list)
    assignee_ids: list[str] = field(default_factory=list)
    last_resolver_id: str | None = None
    current_assignee_id: str | None = None
    open_review_id: str | None = None
    last_review_id: str | None = None
    returned_by_review_id: str | None = None
    updated_at: datetime | None = None

    def touched(self, envelope: EventEnvelope) -> None:
        """Note an event that changed the row."""
        if self.updated_at is None or envelope.recorded_at > self.updated_at:
            self.updated_at = envelope.recorded_at

    def row(self) -> Row:
        """The row in the table's column order."""
        return tuple(getattr(self, c) for c in SUBJECTS.columns)


class Fold:
    """review's read tables from its own events and the intake/assignment events applied."""

    def __init__(self) -> None:
        self.subjects: dict[str, SubjectRow] = {}
        self.reviews: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.members: dict[tuple[str, str], dict[str, Any]] = {}

    def subject(self, subject_id: str, subject_type: str) -> SubjectRow:
        """The subject's row, created if new."""
        return self.subjects.setdefault(subject_id, SubjectRow(subject_id, subject_type))

    def applied(self, envelope: EventEnvelope) -> None:
        """One intake or assignment event, as the opener applies it to the subject."""
        kind, payload = envelope.event_type, _payload(envelope)
        if payload is None:
            return
        if kind == "assignment.made":
            row = self.subject(payload["subject_id"], payload["subject_type"])
            row.region = row.region or payload.get("region")
            row.current_assignee_id = payload["officer_id"]
            _add(row.assignee_ids, payload["officer_id"])
        elif kind in CREATES and (kind not in RETURNS or payload.get("review_id") is not None):
            row = self.subject(envelope.stream_id, CREATES[kind])
            if kind in ("case.registered", "directive.issued"):
                row.region = row.region or payload["region"]
            elif kind == "case.triaged":
                row.risk_level = payload["risk_level"]
            elif kind in RESOLUTIONS:
                row.last_resolver_id = envelope.actor.id
                _add(row.resolver_ids, envelope.actor.id)
            elif kind in RETURNS:
                row.returned_by_review_id = payload["review_id"]
        else:
            return
        row.touched(envelope)

    def opened(self, envelope: EventEnvelope) -> None:
        """A review's opening as the opener's transaction left the subject (the open and last
        review come from the own log: see `own`)."""
        payload = envelope.payload
        row = self.subject(payload["subject_id"], payload["subject_type"])
        row.region = row.region or payload["region"]
        row.returned_by_review_id = None
        row.touched(envelope)

    def own(self, envelope: EventEnvelope) -> None:
        """One of review's own events, in visibility order."""
        payload = _payload(envelope)
        if payload is None:
            return
        kind, stream = envelope.event_type, envelope.stream_id
        if kind == "review.opened":
            self.reviews.setdefault(stream, {
                "review_id": stream, "subject_id": payload["subject_id"],
                "subject_type": payload["subject_type"], "region": payload["region"],
                "reason": payload["reason"], "status": "open", "due_date": payload["due_date"],
                "previous_review_id": payload.get("previous_review_id"),
                "resolver_id": payload.get("resolver_id"),
                "assignee_id": payload.get("assignee_id"),
                "trigger_event_id": payload["trigger_event_id"], "reviewer_id": None,
                "verdict": None, "verdict_event_id": None, "opened_at": envelope.occurred_at,
                "decided_at": None, "version": envelope.version})
            row = self.subject(payload["subject_id"], payload["subject_type"])
            row.open_review_id = row.last_review_id = stream
            row.touched(envelope)
        elif kind in ("review.claimed", "review.verdict_recorded"):
            self._review_moved(envelope, payload)
        elif envelope.stream_type == "monitoring_group":
            self._group(envelope, payload)

    def _review_moved(self, envelope: EventEnvelope, payload: dict[str, Any]) -> None:
        review = self.reviews.get(envelope.stream_id)
        if review is not None and review["version"] < envelope.version:
            review.update(reviewer_id=payload["reviewer_id"], version=envelope.version,
                          status="claimed")
            if envelope.event_type == "review.verdict_recorded":
                review.update(status="decided", verdict=payload["verdict"],
                              verdict_event_id=envelope.event_id,
                              decided_at=envelope.occurred_at)
        if envelope.event_type == "review.verdict_recorded":
            row = self.subjects.get(payload["subject_id"])
            if row is not None and row.open_review_id == envelope.stream_id:
                row.open_review_id = None
                row.touched(envelope)

    def _group(self, envelope: EventEnvelope, payload: dict[str, Any]) -> None:
        group_id, at = envelope.stream_id, envelope.occurred_at
        if envelope.event_type == "monitoring_group.formed":
            self.groups[group_id] = {"group_id": group_id, "name": payload["name"],
                                     "region": payload.get("region"), "formed_at": at,
                                     "version": envelope.version}
            return
        key = (group_id, payload.get("monitor_id", ""))
        member = self.members.get(key)
        if envelope.event_type == "monitoring_group.member_added":
            if member is None:
                self.members[key] = {"group_id": group_id, "monitor_id": key[1],
                                     "name": payload["name"], "active": True, "added_at": at,
                                     "changed_at": at}
            else:
                member.update(name=payload["name"], active=True, changed_at=at)
        elif envelope.event_type == "monitoring_group.member_deactivated" and member is not None:
            member.update(active=False, changed_at=at)
        if group_id in self.groups:
            self.groups[group_id]["version"] = envelope.version

    def rows(self) -> Rows:
        """Every table's rows."""
        return {
            SUBJECTS.name: [s.row() for s in self.subjects.values()],
            REVIEWS.name: [tuple(r[c] for c in REVIEWS.columns) for r in self.reviews.values()],
            GROUPS.name: [tuple(g[c] for c in GROUPS.columns) for g in self.groups.values()],
            MEMBERS.name: [tuple(m[c] for c in MEMBERS.columns) for m in self.members.values()],
        }


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _payload(envelope: EventEnvelope) -> dict[str, Any] | None:
    """The payload as the contract reads it (upcast, enums as their values); None if unknown."""
    try:
        decoded = REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    except UnknownEventType:
        return None
    return dict(decoded.model_dump(mode="python"), **{
        k: v.value for k, v in decoded if hasattr(v, "value")})


def fold(source: Source) -> Rows:
    """review's read tables: a pure fold of its log and of what its opener applied."""
    state = Fold()
    openings: dict[str, list[EventEnvelope]] = {}
    for envelope in source.own:
        if envelope.event_type == "review.opened" and envelope.causation_id:
            openings.setdefault(envelope.causation_id, []).append(envelope)
    placed: set[str] = set()
    for envelope, _ in source.consumed:
        state.applied(envelope)
        for opening in openings.pop(str(envelope.event_id), []):
            state.opened(opening)
            placed.add(str(opening.event_id))
    for envelope in source.own:
        if envelope.event_type == "review.opened" and str(envelope.event_id) not in placed:
            state.opened(envelope)  # its trigger is not among what the opener applied
        state.own(envelope)
    return state.rows()


TABLES = OwnedTables(
    service=SCHEMA, consumer=OPENER, topics=(INTAKE_TOPIC, ASSIGNMENT_TOPIC),
    scripts=("001_review.sql",), tables=(SUBJECTS, REVIEWS, GROUPS, MEMBERS), fold=fold)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    return command(TABLES, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
