"""Payloads of the case stream (owned by intake)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events.assignments import AssignmentKind
from events.envelope import HEX_SHA256_PATTERN
from events.fields import District, Long, Reason, Short, Text
from events.registry import REGISTRY, EventPayload, payload_type
from events.vocabulary import CaseOutcome, IntakeSource, Region, RiskLevel, Sector

Title = Short
Description = Text


class ReporterReference(BaseModel):
    """Pointer to a reporter's contact in intake's vault, never the contact itself.

    ``commitment`` is a salted SHA-256 of the vault ciphertext: the hash chain covers it, so
    crypto-shredding the vault entry leaves every event hash verifiable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    vault_ref: Annotated[str, Field(min_length=1, max_length=200)]
    commitment: Annotated[str, Field(pattern=HEX_SHA256_PATTERN)]


@payload_type("case.registered", 1)
class CaseRegisteredV1(EventPayload):
    """v1, read only: a case registered, with no link to a citizen reception."""

    title: Title
    description: Description
    region: Region
    sector: Sector
    source: IntakeSource
    district: District | None
    anonymous: bool
    reporter: ReporterReference | None

    @model_validator(mode="after")
    def _anonymous_reports_name_no_reporter(self) -> Self:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report cannot carry a reporter reference")
        return self


@payload_type("case.registered", 2)
class CaseRegistered(CaseRegisteredV1):
    """A report of corruption risk was registered as a case.

    No field is PII: the reporter's identity and contact live only in intake's vault, and the
    event carries a ``ReporterReference`` to them. Anonymous reports carry no reporter at all.
    v2 adds `reception_id`: the citizen reception the case was registered at, if any.
    """

    reception_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=200)] | None = None


def case_registered_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A v1 registration was made at no reception."""
    return {**payload, "reception_id": None}


REGISTRY.register_upcaster("case.registered", 1, case_registered_v1_to_v2)


Ref = Long


@payload_type("case.triaged", 1)
class CaseTriaged(EventPayload):
    """The case was assessed: its corruption-risk level, category and the triage notes."""

    risk_level: RiskLevel
    category: Short
    notes: Text | None


@payload_type("case.assigned", 1)
class CaseAssignedV1(EventPayload):
    """v1, read only: whether a person chose the officer, as a flag."""

    office_id: Short
    officer_id: Short | None
    assignment_event_id: Short
    manual: bool


@payload_type("case.assigned", 2)
class CaseAssigned(EventPayload):
    """Assignment gave the case to an office and officer (learned from casetrack.assignment.v1).

    v2 names how (`kind`, as `assignment.made` does): a hand-over from a deactivated officer is
    no longer mistaken for a supervisor's choice.
    """

    office_id: Short
    officer_id: Short | None
    assignment_event_id: Short
    kind: AssignmentKind


def case_assigned_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1's `manual` flag as v2's `kind`: v1 said manual for a hand-over too, so it stays manual."""
    manual = payload.pop("manual")
    return {**payload, "kind": AssignmentKind.MANUAL.value if manual else
            AssignmentKind.AUTOMATIC.value}


REGISTRY.register_upcaster("case.assigned", 1, case_assigned_v1_to_v2)


@payload_type("case.progress_noted", 1)
class CaseProgressNoted(EventPayload):
    """Work on the case went on: a progress note and references to attached evidence."""

    note: Text
    evidence_refs: list[Ref]


@payload_type("case.resolved", 1)
class CaseResolved(EventPayload):
    """The case was resolved with an outcome, a summary and the measures taken."""

    outcome: CaseOutcome
    summary: Text
    measures_taken: list[Text]


@payload_type("case.review_started", 1)
class CaseReviewStarted(EventPayload):
    """A monitoring-group review of the case was opened."""

    review_id: Short


@payload_type("case.closed", 1)
class CaseClosed(EventPayload):
    """The review approved the resolution, so the case is closed."""

    review_id: Short
    verdict_event_id: Short


@payload_type("case.reopened", 1)
class CaseReopened(EventPayload):
    """The case was reopened: returned by its review, or manually by a supervisor."""

    reason: Reason
    review_id: Short | None
    findings: Text | None
    flags: list[Short]


@payload_type("case.escalated", 1)
class CaseEscalated(EventPayload):
    """The review escalated the case beyond the regional office."""

    review_id: Short
    findings: Text | None


@payload_type("case.verdict_ignored", 1)
class CaseVerdictIgnored(EventPayload):
    """A review verdict arrived that cannot apply to this case; kept, with the reason."""

    review_id: Short
    verdict: Short
    verdict_event_id: Short
    reason: Reason


@payload_type("case.flagged_for_review", 1)
class CaseFlaggedForReview(EventPayload):
    """Someone asked the monitoring group to review this case."""

    reason: Reason


@payload_type("case.marked_duplicate", 1)
class CaseMarkedDuplicate(EventPayload):
    """This case repeats another one and is closed as its duplicate."""

    original_case_id: Short


@payload_type("case.duplicate_linked", 1)
class CaseDuplicateLinked(EventPayload):
    """Another case was marked as a duplicate of this one."""

    duplicate_case_id: Short


@payload_type("case.withdrawn", 1)
class CaseWithdrawn(EventPayload):
    """A supervisor withdrew the case, with the reason."""

    reason: Reason


@payload_type("case.reporter_disclosed", 1)
class CaseReporterDisclosed(EventPayload):
    """Someone read the reporter's contact in clear: who, in which role, and why."""

    viewer_id: Short
    viewer_role: Short
    purpose: Reason


@payload_type("case.reporter_erased", 1)
class CaseReporterErased(EventPayload):
    """The reporter's (and witnesses') contact was crypto-shredded; the commitment stays."""

    reason: Reason


class NoticeChannel(StrEnum):
    """How the reporter was told of an extension; `not_possible` only for a case with no contact
    held (anonymous, or erased), recorded by intake itself when the extension is decided."""

    PHONE = "phone"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"
    PORTAL = "portal"
    NOT_POSSIBLE = "not_possible"


class ForwardTargetKind(StrEnum):
    """Where a misdirected case goes: another region's office, or another state body."""

    REGION = "region"
    BODY = "body"


@payload_type("case.consideration_extended", 1)
class CaseConsiderationExtended(EventPayload):
    """A supervisor's motivated decision moved the case's due date (at most two months from
    registration in all); the reporter is to be told by `notice_due_date`."""

    previous_due_date: date
    new_due_date: date
    reason: Reason
    notice_due_date: date


@payload_type("case.reporter_notified", 1)
class CaseReporterNotified(EventPayload):
    """The reporter was told of the latest extension: how and on which day (never to whom)."""

    channel: NoticeChannel
    notified_on: date


@payload_type("case.marked_misdirected", 1)
class CaseMarkedMisdirected(EventPayload):
    """The case belongs to another region or body: it is to be forwarded by `forward_due_date`."""

    reason: Reason
    forward_due_date: date


@payload_type("case.forwarded", 1)
class CaseForwarded(EventPayload):
    """The misdirected case was forwarded to the region or body it belongs to; it ends here."""

    target_kind: ForwardTargetKind
    target_region: Region | None
    target_body: Short | None
    reason: Reason
    forward_due_date: date

    @model_validator(mode="after")
    def _names_one_target(self) -> Self:
        if (self.target_kind is ForwardTargetKind.REGION) != (self.target_region is not None):
            raise ValueError("a forward to a region names target_region, and only then")
        if (self.target_kind is ForwardTargetKind.BODY) != (self.target_body is not None):
            raise ValueError("a forward to a body names target_body, and only then")
        return self
