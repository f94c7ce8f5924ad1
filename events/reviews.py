"""Payloads of the review stream (owned by review; stream id = review id)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from events.assignments import SubjectType  # case | directive, shared with assignment
from events.fields import Short
from events.registry import EventPayload, payload_type
from events.vocabulary import Region

Id = Short
Findings = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]


class ReviewReason(StrEnum):
    """Why a review was opened."""

    HIGH_RISK = "high_risk"  # a resolved case of high or critical risk: always reviewed
    SAMPLED = "sampled"  # a resolved case of lower risk picked by the deterministic sample
    DIRECTIVE_REPORT = "directive_report"  # every directive completion report
    FLAGGED = "flagged"  # an operator or monitor flagged the case for review


class Verdict(StrEnum):
    """What a monitoring group decided about a review's subject."""

    APPROVED = "approved"  # case closed / directive verified
    RETURNED = "returned"  # case reopened / directive returned to the addressee, with findings
    ESCALATED = "escalated"  # handed to the agency; the subject stays open, flagged


class FindingFlag(StrEnum):
    """Structured findings that accompany a verdict's free text."""

    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    MISSED_DEADLINE = "missed_deadline"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    PROCEDURE_VIOLATION = "procedure_violation"
    INCOMPLETE_MEASURES = "incomplete_measures"
    REPORTER_NOT_INFORMED = "reporter_not_informed"
    OTHER = "other"


@payload_type("review.opened", 1)
class ReviewOpened(EventPayload):
    """A review task was opened for a case or directive; due by ``due_date``.

    ``resolver_id`` and ``assignee_id`` are what the review service knew when it opened the task;
    the four-eyes rule is checked against everything it knows at verdict time.
    """

    subject_id: Id
    subject_type: SubjectType
    region: Region
    reason: ReviewReason
    due_date: date
    previous_review_id: Id | None
    resolver_id: Id | None
    assignee_id: Id | None
    trigger_event_id: Id


@payload_type("review.claimed", 1)
class ReviewClaimed(EventPayload):
    """A monitor took the review task."""

    reviewer_id: Id


@payload_type("review.verdict_recorded", 1)
class ReviewVerdictRecorded(EventPayload):
    """The reviewer's verdict; ``returned`` and ``escalated`` always carry findings."""

    subject_id: Id
    subject_type: SubjectType
    verdict: Verdict
    findings: Findings
    flags: Annotated[list[FindingFlag], Field(max_length=len(FindingFlag))]
    reviewer_id: Id
