"""The Review aggregate: a task opened for a subject, claimed by a monitor, closed by a verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from events import (
    EventEnvelope,
    EventPayload,
    FindingFlag,
    ReviewClaimed,
    ReviewOpened,
    ReviewReason,
    ReviewVerdictRecorded,
    Verdict,
)
from events.assignments import SubjectType
from services.review.domain.errors import (
    AlreadyDecided,
    ClaimedByAnother,
    FindingsRequired,
    FourEyesViolation,
    NotAMember,
)
from services.runtime.aggregate import Aggregate

STREAM_TYPE = "review"


class ReviewStatus(StrEnum):
    """Where a review task is."""

    OPEN = "open"
    CLAIMED = "claimed"
    DECIDED = "decided"


@dataclass(frozen=True)
class ReviewState:
    """A review as its events made it; version 0 means it does not exist."""

    id: str
    version: int = 0
    status: ReviewStatus | None = None
    subject_id: str = ""
    subject_type: SubjectType | None = None
    region: str | None = None
    reason: ReviewReason | None = None
    due_date: date | None = None
    previous_review_id: str | None = None
    resolver_id: str | None = None
    assignee_id: str | None = None
    trigger_event_id: str | None = None
    opened_at: datetime | None = None
    reviewer_id: str | None = None
    verdict: Verdict | None = None
    findings: str | None = None
    flags: tuple[FindingFlag, ...] = ()
    decided_at: datetime | None = None

    @property
    def exists(self) -> bool:
        """Whether the review was ever opened."""
        return self.version > 0


@dataclass(frozen=True)
class Reviewer:
    """The monitor asking, and what the service knows about them and the subject.

    ``conflicts`` maps person ids to how they took part in the subject (resolver, assignee):
    everything known at decision time, not only what the task recorded when it opened.
    """

    id: str
    is_member: bool
    conflicts: dict[str, str]


@dataclass(frozen=True)
class RecordVerdict:
    """Record the verdict of a review."""

    verdict: Verdict
    findings: str
    flags: tuple[FindingFlag, ...]


def _check_reviewer(state: ReviewState, reviewer: Reviewer) -> None:
    if state.status is ReviewStatus.DECIDED:
        raise AlreadyDecided(f"review {state.id} already has the verdict {state.verdict}")
    if reviewer.id in reviewer.conflicts:
        raise FourEyesViolation(reviewer.id, reviewer.conflicts[reviewer.id])
    if not reviewer.is_member:
        raise NotAMember(reviewer.id, state.region or "?")
    if state.status is ReviewStatus.CLAIMED and state.reviewer_id != reviewer.id:
        raise ClaimedByAnother(state.reviewer_id or "?")


def decide_claim(state: ReviewState, reviewer: Reviewer) -> list[EventPayload]:
    """A monitor takes an open review; taking one's own claim again changes nothing."""
    _check_reviewer(state, reviewer)
    if state.status is ReviewStatus.CLAIMED:
        return []
    return [ReviewClaimed(reviewer_id=reviewer.id)]


def decide_verdict(state: ReviewState, reviewer: Reviewer, command: RecordVerdict
                   ) -> list[EventPayload]:
    """One verdict per task, by its claimant (an unclaimed task is claimed in the same step)."""
    _check_reviewer(state, reviewer)
    if command.verdict is not Verdict.APPROVED and not command.findings.strip():
        raise FindingsRequired(f"a {command.verdict.value} verdict must state its findings")
    assert state.subject_type is not None
    claim: list[EventPayload] = (
        [] if state.status is ReviewStatus.CLAIMED else [ReviewClaimed(reviewer_id=reviewer.id)]
    )
    return [*claim, ReviewVerdictRecorded(
        subject_id=state.subject_id, subject_type=state.subject_type, verdict=command.verdict,
        findings=command.findings, flags=list(command.flags), reviewer_id=reviewer.id,
    )]


def evolve(state: ReviewState, envelope: EventEnvelope, payload: EventPayload) -> ReviewState:
    """The state after one stored event."""
    moved = replace(state, version=envelope.version)
    if isinstance(payload, ReviewOpened):
        return replace(
            moved, status=ReviewStatus.OPEN, subject_id=payload.subject_id,
            subject_type=payload.subject_type, region=payload.region.value,
            reason=payload.reason, due_date=payload.due_date,
            previous_review_id=payload.previous_review_id, resolver_id=payload.resolver_id,
            assignee_id=payload.assignee_id, trigger_event_id=payload.trigger_event_id,
            opened_at=envelope.occurred_at,
        )
    if isinstance(payload, ReviewClaimed):
        return replace(moved, status=ReviewStatus.CLAIMED, reviewer_id=payload.reviewer_id)
    if isinstance(payload, ReviewVerdictRecorded):
        return replace(
            moved, status=ReviewStatus.DECIDED, reviewer_id=payload.reviewer_id,
            verdict=payload.verdict, findings=payload.findings, flags=tuple(payload.flags),
            decided_at=envelope.occurred_at,
        )
    return moved


REVIEW = Aggregate(STREAM_TYPE, lambda review_id: ReviewState(id=review_id), evolve)
"""A review: the fold of its stream."""
fold = REVIEW.fold
