"""The pure projection core: from the set of events about a subject to its register rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from events.assignments import SIDE_CLOCKS
from events.lifecycle import case_status, directive_status
from services.reporting.clocks import clock_columns
from services.reporting.facts import Fact, Row, history_row
from services.reporting.reception_model import reception_row


def review_subject(facts: Iterable[Fact]) -> tuple[str, str] | None:
    """The (subject id, subject type) of a review stream, from its opening or its verdict."""
    found: tuple[str, str] | None = None
    for fact in sorted(facts, key=_stream_order):
        subject, kind = fact.text("subject_id"), fact.text("subject_type")
        if fact.event_type in ("review.opened", "review.verdict_recorded") and subject:
            found = found or (subject, kind or "")
            if fact.event_type == "review.opened":
                return subject, kind or ""
    return found


def direct_subject(fact: Fact) -> str | None:
    """The subject of a fact known without other facts; None for review events (see reviews)."""
    if fact.stream_type == "review":
        return None
    if fact.stream_type == "assignment":
        return fact.text("subject_id") or fact.stream_id
    return fact.stream_id


def _stream_order(fact: Fact) -> tuple[str, str, int, str]:
    return fact.stream_type, fact.stream_id, fact.version, str(fact.event_id)


def _latest(facts: Iterable[Fact], *types: str) -> Fact | None:
    chosen = [f for f in facts if f.event_type in types]
    return max(chosen, key=_stream_order) if chosen else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _reviews(facts: Sequence[Fact]) -> list[Row]:
    by_review: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.stream_type == "review":
            by_review.setdefault(fact.stream_id, []).append(fact)
    rows = [review_row(review_id, stream) for review_id, stream in by_review.items()]
    return sorted((r for r in rows if r["opened_at"] is not None),
                  key=lambda r: (r["opened_at"], r["review_id"]))


def _review_status(row: Row | None) -> str | None:
    if row is None:
        return None
    return str(row["verdict"]) if row["verdict"] else ("claimed" if row["claimed_by"] else "open")


_CLOCKED = frozenset({"assignment.deadline_set", "assignment.escalated"})


def _assignment(facts: Sequence[Fact], own_type: str) -> tuple[Fact | None, Fact | None, Fact | None]:
    made = _latest(facts, "assignment.made") or _latest(facts, f"{own_type}.assigned")
    # the subject's due date: side clocks (notice, forwarding) have columns of their own
    clocked = [f for f in facts if f.event_type in _CLOCKED
               and f.data.get("clock") not in SIDE_CLOCKS]
    deadline = _latest(clocked, "assignment.deadline_set")
    escalated = _latest(clocked, "assignment.escalated")
    return made, deadline, escalated


def case_row(case_id: str, facts: Sequence[Fact]) -> Row | None:
    """The case register row from every event about the case, whatever order they came in."""
    own = sorted((f for f in facts if f.stream_type == "case" and f.stream_id == case_id),
                 key=_stream_order)
    registered = next((f for f in own if f.event_type == "case.registered"), None)
    if registered is None:
        return None
    triaged = _latest(own, "case.triaged")
    resolved = _latest(own, "case.resolved")
    closed = _latest(own, "case.closed")
    duplicate = _latest(own, "case.marked_duplicate")
    made, deadline, escalated = _assignment(facts, "case")
    reviews = _reviews(facts)
    latest_review = reviews[-1] if reviews else None
    p = registered.data
    return {
        "case_id": case_id, "region": str(p.get("region")), "sector": str(p.get("sector")),
        "source": str(p.get("source")), "status": str(case_status(f.event_type for f in own)),
        "title": str(p.get("title", "")), "district": registered.text("district"),
        "anonymous": bool(p.get("anonymous", False)), "registered_at": registered.occurred_at,
        "registered_by": registered.actor.get("id"), "version": own[-1].version,
        "updated_at": max(f.recorded_at for f in facts),
        "risk_level": triaged.text("risk_level") if triaged else None,
        "category": triaged.text("category") if triaged else None,
        "office_id": made.text("office_id") if made else None,
        "assignee_id": made.text("officer_id") if made else None,
        "assigned_at": made.occurred_at if made else None,
        "due_date": _date(deadline.data.get("due_date")) if deadline else None,
        "deadline_source": deadline.text("clock") if deadline else None,
        "escalation_level": escalated.text("level") if escalated else None,
        "outcome": resolved.text("outcome") if resolved else None,
        "resolved_at": resolved.occurred_at if resolved else None,
        "closed_at": closed.occurred_at if closed else None,
        "reopen_count": sum(1 for f in own if f.event_type == "case.reopened"),
        "review_id": latest_review["review_id"] if latest_review else None,
        "review_status": _review_status(latest_review), "reviews_opened": len(reviews),
        "duplicate_of": duplicate.text("original_case_id") if duplicate else None,
        **clock_columns(own),
        "reception_id": registered.text("reception_id"),
    }


def directive_row(directive_id: str, facts: Sequence[Fact]) -> Row | None:
    """The directive register row from every event about the directive."""
    own = sorted((f for f in facts if f.stream_type == "directive"
                  and f.stream_id == directive_id), key=_stream_order)
    issued = next((f for f in own if f.event_type == "directive.issued"), None)
    if issued is None:
        return None
    extended = [f for f in own if f.event_type == "directive.deadline_extended"]
    completed = _latest(own, "directive.completion_reported")
    verified = _latest(own, "directive.verified")
    cancelled = _latest(own, "directive.cancelled")
    made, _, _ = _assignment(facts, "directive")
    reviews = _reviews(facts)
    latest_review = reviews[-1] if reviews else None
    p = issued.data
    original = _date(p.get("due_date"))
    assert original is not None, "directive.issued carries a due_date"
    due = _date(extended[-1].data.get("new_due_date")) if extended else original
    return {
        "directive_id": directive_id, "region": str(p.get("region")),
        "title": str(p.get("title", "")), "issuing_authority": issued.text("issuing_authority"),
        "addressee_body": str(p.get("addressee_body", "")),
        "meeting_reference": issued.text("meeting_reference"),
        "status": str(directive_status(f.event_type for f in own)),
        "issued_at": issued.occurred_at,
        "issued_by": issued.actor.get("id"), "original_due_date": original,
        "due_date": due or original, "extensions": len(extended),
        "completed_at": completed.occurred_at if completed else None,
        "verified_at": verified.occurred_at if verified else None,
        "cancelled_at": cancelled.occurred_at if cancelled else None,
        "office_id": made.text("office_id") if made else None,
        "assignee_id": made.text("officer_id") if made else None,
        "review_id": latest_review["review_id"] if latest_review else None,
        "review_status": _review_status(latest_review), "version": own[-1].version,
        "updated_at": max(f.recorded_at for f in facts),
        "receptions_required": int(p.get("receptions_required", 0)),
    }


def review_row(review_id: str, facts: Sequence[Fact]) -> Row:
    """The review register row of one review stream."""
    own = [f for f in facts if f.stream_type == "review" and f.stream_id == review_id]
    opened = _latest(own, "review.opened")
    claimed = _latest(own, "review.claimed")
    verdict = _latest(own, "review.verdict_recorded")
    subject = review_subject(own)
    return {
        "review_id": review_id, "subject_id": subject[0] if subject else None,
        "subject_type": subject[1] if subject else None,
        "region": opened.text("region") if opened else None,
        "reason": opened.text("reason") if opened else None,
        "opened_at": opened.occurred_at if opened else None,
        "due_date": _date(opened.data.get("due_date")) if opened else None,
        "assignee_id": opened.text("assignee_id") if opened else None,
        "claimed_by": claimed.text("reviewer_id") if claimed else None,
        "claimed_at": claimed.occurred_at if claimed else None,
        "verdict": verdict.text("verdict") if verdict else None,
        "verdict_at": verdict.occurred_at if verdict else None,
        "reviewer_id": verdict.text("reviewer_id") if verdict else None,
        "version": max(f.version for f in own),
    }


def group_row(group_id: str, facts: Sequence[Fact]) -> Row | None:
    """A monitoring group with its active members, from its own stream."""
    own = sorted((f for f in facts if f.stream_type == "monitoring_group"
                  and f.stream_id == group_id), key=_stream_order)
    formed = next((f for f in own if f.event_type == "monitoring_group.formed"), None)
    if formed is None:
        return None
    members: dict[str, str] = {}
    for fact in own:
        monitor = fact.text("monitor_id")
        if monitor and fact.event_type == "monitoring_group.member_added":
            members[monitor] = fact.text("name") or ""
        elif monitor and fact.event_type == "monitoring_group.member_deactivated":
            members.pop(monitor, None)
    return {
        "group_id": group_id, "name": str(formed.data.get("name", "")),
        "region": formed.text("region"), "members": json.dumps(sorted(members)),
        "member_count": len(members), "formed_at": formed.occurred_at,
        "version": own[-1].version,
    }


@dataclass(frozen=True)
class ReadModels:
    """Every read-model row, as a rebuild computes it from a set of facts."""

    history: list[Row]
    cases: list[Row]
    directives: list[Row]
    reviews: list[Row]
    groups: list[Row]
    receptions: list[Row] = field(default_factory=list)


class ModelBuilder:
    """`project_all` fact by fact, for a replay that writes as it reads: a fact's history row as
    soon as its subject is known (at once, but for a review's: its opening may come later), the
    rest once every fact is in."""

    def __init__(self) -> None:
        self.ids: set[UUID] = set()
        self.slots: set[tuple[str, str, int]] = set()
        self.own_rows: dict[tuple[str, str], list[Fact]] = {}
        self.by_subject: dict[str, list[Fact]] = {}
        self.verified: set[UUID] = set()

    def add(self, fact: Fact, verified: bool = False) -> Row | None:
        """Take a fact (`verified`: its hash is known to recompute); its history row if it can be
        written now (None: a duplicate, or later)."""
        # Like the live history table: one event per id and per stream slot, the first wins.
        slot = (fact.stream_type, fact.stream_id, fact.version)
        if fact.event_id in self.ids or slot in self.slots:
            return None
        self.ids.add(fact.event_id)
        self.slots.add(slot)
        if verified:
            self.verified.add(fact.event_id)
        if fact.stream_type in ("review", "monitoring_group"):
            self.own_rows.setdefault((fact.stream_type, fact.stream_id), []).append(fact)
            if fact.stream_type == "review":
                return None
        subject = direct_subject(fact)
        if subject is not None:
            self.by_subject.setdefault(subject, []).append(fact)
        return history_row(fact, subject, verified or fact.hash_ok())

    def finish(self) -> ReadModels:
        """The rows not yet given: the reviews' history rows, and every register row."""
        history: list[Row] = []
        for (kind, _), facts in self.own_rows.items():
            if kind != "review":
                continue
            found = review_subject(facts)
            subject = found[0] if found else None
            for fact in facts:
                history.append(history_row(fact, subject,
                                           fact.event_id in self.verified or fact.hash_ok()))
                if subject is not None:
                    self.by_subject.setdefault(subject, []).append(fact)
        cases, directives, receptions = [], [], []
        for subject, subject_facts in self.by_subject.items():
            if (reception := reception_row(subject, subject_facts)) is not None:
                receptions.append(reception)
            if (case := case_row(subject, subject_facts)) is not None:
                cases.append(case)
            if (directive := directive_row(subject, subject_facts)) is not None:
                directives.append(directive)
        reviews = [review_row(sid, fs) for (kind, sid), fs in self.own_rows.items()
                   if kind == "review"]
        groups = [g for (kind, sid), fs in self.own_rows.items() if kind == "monitoring_group"
                  if (g := group_row(sid, fs)) is not None]
        return ReadModels(history, cases, directives, reviews, groups, receptions)


def project_all(facts: Iterable[Fact]) -> ReadModels:
    """All read models from a set of facts: duplicates and order make no difference."""
    builder = ModelBuilder()
    early = [row for fact in facts if (row := builder.add(fact)) is not None]
    models = builder.finish()
    return ReadModels(early + models.history, models.cases, models.directives, models.reviews,
                      models.groups, models.receptions)
