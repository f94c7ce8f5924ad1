"""When a review task opens, for what reason, due when, and under which (replay-stable) id.

Rules (each is a function of what the review service has seen of the subject so far):

- a case resolution opens a review if the case is high or critical risk, if it was returned (or
  escalated) by a review since its last reviewed resolution (the new review links the earlier one and keeps
  its reason), or if the keyed sample picks it; one review per resolution (keyed by the
  ``case.resolved`` event id);
- a flag opens a review (reason ``flagged``); a directive completion report always opens one;
- at most one review per subject is open at a time: a trigger that arrives while one is open
  opens nothing (that review covers it);
- the review id is ``uuid5(subject id, trigger event id)``, so a redelivered or replayed trigger
  can never open a second task; the due date counts working days from the trigger's date.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from events import Region, ReviewOpened, ReviewReason, RiskLevel
from events.assignments import SubjectType
from events.calendar import WorkingCalendar, agency_date
from services.review.domain.sampling import ALWAYS_REVIEWED, SamplingPolicy

REVIEW_NAMESPACE = uuid.UUID("6b1f3c2e-8d4a-5e07-9c1b-2f3a4d5e6f70")


class TriggerKind(StrEnum):
    """The intake events that may open a review."""

    RESOLVED = "resolved"
    FLAGGED = "flagged"
    COMPLETION_REPORTED = "completion_reported"


@dataclass(frozen=True)
class Subject:
    """What review knows about a case or directive (its own read model of intake/assignment)."""

    subject_id: str
    subject_type: SubjectType
    region: Region | None = None
    risk_level: RiskLevel | None = None
    last_resolver_id: str | None = None
    current_assignee_id: str | None = None
    open_review_id: str | None = None
    last_review_id: str | None = None
    returned_by_review_id: str | None = None
    returned_review_reason: ReviewReason | None = None


@dataclass(frozen=True)
class Trigger:
    """An intake event that may open a review."""

    kind: TriggerKind
    event_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class OpeningPolicy:
    """Sampling plus how many working days a review has."""

    sampling: SamplingPolicy
    calendar: WorkingCalendar
    due_working_days: int


def review_id_for(subject_id: str, trigger_event_id: str) -> str:
    """The review a trigger opens: the same id however often the trigger is delivered."""
    return str(uuid.uuid5(REVIEW_NAMESPACE, f"{subject_id}|{trigger_event_id}"))


def due_date(policy: OpeningPolicy, occurred_at: datetime) -> date:
    """The review's due date: N working days after the trigger's day in Kazakhstan."""
    day = agency_date(occurred_at)
    return policy.calendar.add_working_days(day, policy.due_working_days)


def reason_for(subject: Subject, trigger: Trigger, policy: OpeningPolicy) -> ReviewReason | None:
    """Why this trigger opens a review, or None when it opens none."""
    if trigger.kind is TriggerKind.FLAGGED:
        return ReviewReason.FLAGGED
    if trigger.kind is TriggerKind.COMPLETION_REPORTED:
        return ReviewReason.DIRECTIVE_REPORT
    if subject.risk_level in ALWAYS_REVIEWED:
        return ReviewReason.HIGH_RISK
    if subject.returned_by_review_id is not None:
        return subject.returned_review_reason or ReviewReason.SAMPLED
    if policy.sampling.sampled(subject.subject_id):
        return ReviewReason.SAMPLED
    return None


def decide_opening(subject: Subject, trigger: Trigger, policy: OpeningPolicy) -> ReviewOpened | None:
    """The ``review.opened`` a trigger causes, or None (no region known, already open, not due)."""
    if subject.region is None or subject.open_review_id is not None:
        return None
    reason = reason_for(subject, trigger, policy)
    if reason is None:
        return None
    return ReviewOpened(
        subject_id=subject.subject_id, subject_type=subject.subject_type,
        region=subject.region,
        reason=reason, due_date=due_date(policy, trigger.occurred_at),
        previous_review_id=subject.last_review_id, resolver_id=subject.last_resolver_id,
        assignee_id=subject.current_assignee_id, trigger_event_id=trigger.event_id,
    )
