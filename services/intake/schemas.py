"""Request and response models of intake's HTTP API (separate from the events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events import CaseOutcome, IntakeSource, Region, RiskLevel, Sector
from services.runtime.fields import ExpectedVersion, FreeText, Line

LongText = Annotated[FreeText, Field(max_length=10_000)]
Reason = Annotated[FreeText, Field(max_length=2_000)]
Short = Annotated[Line, Field(max_length=200)]
MAX_WITNESSES = 10


class ReporterContact(BaseModel):
    """Who reported and how to reach them: PII, kept only in the vault."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True,
                                            pattern=r"^\+?[0-9 ()-]{5,30}$")] | None = None
    email: Annotated[Line, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: Annotated[FreeText, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _names_some_contact(self) -> Self:
        if not any((self.name, self.phone, self.email, self.address)):
            raise ValueError("a reporter contact needs at least one of name, phone, email, address")
        return self


class RegisterCaseRequest(BaseModel):
    """POST /v1/cases."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Line, Field(max_length=200)]
    description: Annotated[FreeText, Field(max_length=10_000)]
    region: Region
    sector: Sector
    source: IntakeSource
    district: Annotated[Line, Field(max_length=120)] | None = None
    anonymous: bool = False
    reporter: ReporterContact | None = None
    witnesses: Annotated[list[ReporterContact], Field(max_length=MAX_WITNESSES)] = []
    reception_id: Annotated[Line, Field(max_length=200, description=(
        "the citizen reception the report was made at: held, or being held today, in the "
        "case's region"))] | None = None

    @model_validator(mode="after")
    def _anonymous_has_no_reporter(self) -> Self:
        if self.anonymous and (self.reporter is not None or self.witnesses):
            raise ValueError("an anonymous report cannot name a reporter or witnesses")
        if self.witnesses and self.reporter is None:
            raise ValueError("witnesses are kept with a named reporter's contact")
        return self


class Write(BaseModel):
    """Fields every write may carry."""

    model_config = ConfigDict(extra="forbid")

    expected_version: ExpectedVersion = None


class TriageRequest(Write):
    """POST /v1/cases/{id}/triage."""

    risk_level: RiskLevel
    category: Short
    notes: LongText | None = None


class NotesRequest(Write):
    """POST /v1/cases/{id}/notes: a progress note with evidence references."""

    note: LongText
    evidence_refs: Annotated[list[Annotated[Line, Field(max_length=500)]],
                             Field(max_length=50)] = []


class ResolveRequest(Write):
    """POST /v1/cases/{id}/resolve."""

    outcome: CaseOutcome
    summary: LongText
    measures_taken: Annotated[list[Reason], Field(max_length=50)] = []


class ReasonRequest(Write):
    """A write whose only field is its reason (reopen, withdraw, flag, erase, cancel)."""

    reason: Reason


class DuplicateOfRequest(Write):
    """POST /v1/cases/{id}/duplicate-of: this case repeats the original."""

    original_case_id: Short


class ProgressNoteView(BaseModel):
    """One progress note."""

    note: str
    evidence_refs: list[str]
    noted_at: datetime
    noted_by: str


class ReporterView(BaseModel):
    """A reporter's contact in clear: only for supervisors and admins of the case's region."""

    case_id: str
    reporter: ReporterContact | None
    witnesses: list[ReporterContact]
    disclosure_version: int


class CaseView(BaseModel):
    """A case as intake holds it now (or as of a moment)."""

    id: str
    version: int
    status: str
    title: str
    description: str
    region: Region
    sector: Sector
    source: IntakeSource
    district: str | None
    anonymous: bool
    has_reporter: bool
    reporter_erased: bool
    registered_at: datetime
    registered_by: str | None
    updated_at: datetime
    risk_level: RiskLevel | None
    category: str | None
    triage_notes: str | None
    office_id: str | None
    officer_id: str | None
    progress: list[ProgressNoteView]
    outcome: CaseOutcome | None
    summary: str | None
    measures_taken: list[str]
    resolved_by: str | None
    review_id: str | None
    escalated: bool
    findings: str | None
    reopen_count: int
    flagged_for_review: str | None
    duplicate_of: str | None
    duplicates: list[str]
    withdrawn_reason: str | None
    due_date: date | None = Field(description="15 working days from registration, or as extended")
    extensions: int = 0
    notice_due_date: date | None = None
    notified_on: date | None = None
    notice_channel: str | None = None
    misdirected_reason: str | None = None
    forward_due_date: date | None = None
    forwarded_to: str | None = None
    forwarded_at: datetime | None = None
    reception_id: str | None = None
    allowed_actions: list[str]
