"""A case's state as its events made it, and which operator actions its status allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from events import CaseOutcome, IntakeSource, RiskLevel, Sector
from events.calendar import agency_date
from events.case_clocks import appeal_due
from events.cases import NoticeChannel, ReporterReference
from events.lifecycle import CaseStatus
from services.intake.domain.subject import SubjectState

S = CaseStatus
OPEN = frozenset({S.REGISTERED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED})
"""Statuses in which the case is worked on at its office. An escalated case is open too, at the
agency: it can be noted on, resolved again or reopened, but not withdrawn or merged."""
AWAITING_VERDICT = frozenset({S.RESOLVED, S.UNDER_REVIEW})
FINAL = frozenset({S.CLOSED, S.WITHDRAWN, S.DUPLICATE, S.FORWARDED})
ACTIONS: dict[str, frozenset[CaseStatus]] = {
    "triage": frozenset({S.REGISTERED, S.TRIAGED, S.ASSIGNED}),
    "notes": frozenset({S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.ESCALATED}),
    "resolve": frozenset({S.IN_PROGRESS, S.REOPENED, S.ESCALATED}),
    "reopen": frozenset({S.RESOLVED, S.UNDER_REVIEW, S.CLOSED, S.ESCALATED}),
    "duplicate-of": frozenset({S.REGISTERED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS}),
    "withdraw": OPEN | AWAITING_VERDICT,
    "flag-for-review": frozenset(S) - {S.WITHDRAWN, S.DUPLICATE, S.FORWARDED},
    "reporter": frozenset(S),
    "erase-reporter": frozenset(S),
    "extend-consideration": OPEN | {S.ESCALATED},
    "notify-reporter": frozenset(S),
    "misdirected": frozenset({S.REGISTERED, S.TRIAGED, S.ASSIGNED}),
    "forward": frozenset({S.REGISTERED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS}),
}
"""The operator actions (named like their endpoints) and the statuses they apply in."""


@dataclass(frozen=True)
class ProgressNote:
    """One progress note with its evidence references."""

    note: str
    evidence_refs: tuple[str, ...]
    noted_at: datetime
    noted_by: str


@dataclass(frozen=True)
class CaseState(SubjectState[CaseStatus]):
    """A case as its events made it; version 0 means it does not exist."""

    noun = "case"
    unborn = "unregistered"
    actions = ACTIONS

    title: str = ""
    description: str = ""
    sector: Sector | None = None
    source: IntakeSource | None = None
    district: str | None = None
    anonymous: bool = False
    reporter: ReporterReference | None = None
    reporter_erased: bool = False
    disclosures: int = 0
    registered_at: datetime | None = None
    registered_by: str | None = None
    risk_level: RiskLevel | None = None
    category: str | None = None
    triage_notes: str | None = None
    office_id: str | None = None
    officer_id: str | None = None
    assigned_at: datetime | None = None
    assignment_event_ids: frozenset[str] = frozenset()
    progress: tuple[ProgressNote, ...] = ()
    outcome: CaseOutcome | None = None
    summary: str | None = None
    measures_taken: tuple[str, ...] = ()
    resolved_by: str | None = None
    review_id: str | None = None
    escalated: bool = False
    findings: str | None = None
    reopen_count: int = 0
    flagged_reason: str | None = None
    duplicate_of: str | None = None
    duplicates: tuple[str, ...] = ()
    withdrawn_reason: str | None = None
    reception_id: str | None = None
    finished_at: datetime | None = None
    verdicts_seen: frozenset[str] = frozenset()
    ignored_verdicts: tuple[str, ...] = field(default=())
    extended_due_date: date | None = None
    extensions: int = 0
    extended_on: date | None = None
    notice_due_date: date | None = None
    notified_on: date | None = None
    notice_channel: NoticeChannel | None = None
    misdirected_reason: str | None = None
    forward_due_date: date | None = None
    forwarded_to: str | None = None
    forwarded_at: datetime | None = None

    @property
    def due_date(self) -> date | None:
        """The consideration's due date: 15 working days from registration, or as extended."""
        if self.extended_due_date is not None:
            return self.extended_due_date
        return appeal_due(agency_date(self.registered_at)) if self.registered_at else None

    @property
    def notice_pending(self) -> bool:
        """Whether the reporter is still to be told of the latest extension."""
        return self.notice_due_date is not None and self.notified_on is None

    @property
    def has_contact(self) -> bool:
        """Whether a reporter contact is held and not erased."""
        return self.reporter is not None and not self.reporter_erased


    def allowed_actions(self) -> list[str]:
        """The operator actions the case's status allows now, less those about a contact not
        held, a notice not pending, or forwarding a case already marked misdirected."""
        actions = super().allowed_actions()
        if not self.has_contact:
            actions = [a for a in actions if a not in ("reporter", "erase-reporter")]
        if not self.notice_pending:
            actions = [a for a in actions if a != "notify-reporter"]
        if self.misdirected_reason is not None:
            actions = [a for a in actions if a != "misdirected"]
        return actions
