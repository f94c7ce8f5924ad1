"""Commands: what callers and other services ask of a case or a directive (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from events import AssignmentKind, CaseOutcome, IntakeSource, Region, RiskLevel, Sector
from events.cases import ForwardTargetKind, NoticeChannel, ReporterReference


@dataclass(frozen=True)
class RegisterCase:
    """Register a new report of corruption risk as a case."""

    title: str
    description: str
    region: Region
    sector: Sector
    source: IntakeSource
    district: str | None
    anonymous: bool
    reporter: ReporterReference | None
    reception_id: str | None = None
    """The citizen reception the case was registered at (checked by the handler)."""


@dataclass(frozen=True)
class TriageCase:
    """Assess a case's risk level and category."""

    risk_level: RiskLevel
    category: str
    notes: str | None


@dataclass(frozen=True)
class NoteProgress:
    """Record work done on a case, with evidence references."""

    note: str
    evidence_refs: tuple[str, ...]


@dataclass(frozen=True)
class ResolveCase:
    """Resolve a case with an outcome."""

    outcome: CaseOutcome
    summary: str
    measures_taken: tuple[str, ...]


@dataclass(frozen=True)
class ReopenCase:
    """Reopen a resolved or closed case by hand (supervisor)."""

    reason: str


@dataclass(frozen=True)
class MarkDuplicate:
    """Close this case as a duplicate of another."""

    original_case_id: str


@dataclass(frozen=True)
class LinkDuplicate:
    """Note on the original that another case duplicates it."""

    duplicate_case_id: str


@dataclass(frozen=True)
class WithdrawCase:
    """Withdraw a case (supervisor), with the reason."""

    reason: str


@dataclass(frozen=True)
class FlagForReview:
    """Ask the monitoring group to review a case."""

    reason: str


@dataclass(frozen=True)
class DiscloseReporter:
    """Record that someone reads the reporter contact in clear, and why."""

    viewer_id: str
    viewer_role: str
    purpose: str


@dataclass(frozen=True)
class EraseReporter:
    """Crypto-shred the reporter's contact (admin), with the reason."""

    reason: str


@dataclass(frozen=True)
class RecordAssignment:
    """Apply an assignment.made event to the subject it names."""

    office_id: str
    officer_id: str | None
    assignment_event_id: str
    kind: AssignmentKind
    occurred_at: datetime


@dataclass(frozen=True)
class StartReview:
    """Apply a review.opened event."""

    review_id: str


@dataclass(frozen=True)
class RecordVerdict:
    """Apply a review.verdict_recorded event."""

    review_id: str
    verdict: str
    verdict_event_id: str
    findings: str | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ExtendConsideration:
    """Move the case's due date by a supervisor's motivated decision, taken on `today`."""

    new_due_date: date
    reason: str
    today: date


@dataclass(frozen=True)
class NotifyReporter:
    """Record that the reporter was told of the latest extension, how and when."""

    channel: NoticeChannel
    notified_on: date
    today: date


@dataclass(frozen=True)
class MarkMisdirected:
    """Say the case belongs to another region or body: its forwarding clock starts."""

    reason: str


@dataclass(frozen=True)
class ForwardCase:
    """Forward a misdirected case to the region or body it belongs to."""

    target_kind: ForwardTargetKind
    target_region: Region | None
    target_body: str | None
    reason: str


ClockCommand = ExtendConsideration | NotifyReporter | MarkMisdirected | ForwardCase

CaseCommand = (
    RegisterCase | TriageCase | NoteProgress | ResolveCase | ReopenCase | MarkDuplicate
    | LinkDuplicate | WithdrawCase | FlagForReview | DiscloseReporter | EraseReporter
    | RecordAssignment | StartReview | RecordVerdict | ClockCommand
)


@dataclass(frozen=True)
class IssueDirective:
    """Issue a directive to a body of a region, due by a date after `today`."""

    title: str
    text: str
    issuing_authority: str
    addressee_body: str
    region: Region
    due_date: date
    meeting_reference: str | None
    today: date
    receptions_required: int = 0


@dataclass(frozen=True)
class AcknowledgeDirective:
    """The addressee confirms receipt."""

    note: str | None


@dataclass(frozen=True)
class ReportProgress:
    """The addressee reports progress."""

    note: str


@dataclass(frozen=True)
class ReportCompletion:
    """The addressee reports the directive carried out."""

    summary: str


@dataclass(frozen=True)
class ExtendDeadline:
    """Move the due date (a supervisor other than the issuer), with a reason."""

    new_due_date: date
    reason: str
    actor_id: str


@dataclass(frozen=True)
class CancelDirective:
    """Cancel a directive, with the reason."""

    reason: str


DirectiveCommand = (
    IssueDirective | AcknowledgeDirective | ReportProgress | ReportCompletion | ExtendDeadline
    | CancelDirective | StartReview | RecordVerdict
)
