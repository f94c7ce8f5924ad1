"""Response models of reporting's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class CaseRow(BaseModel):
    """One case in the register."""

    id: str
    region: str
    sector: str
    source: str
    status: str
    title: str
    district: str | None
    anonymous: bool
    registered_at: datetime
    registered_by: str | None
    version: int
    updated_at: datetime
    risk_level: str | None = None
    category: str | None = None
    office_id: str | None = None
    assignee_id: str | None = None
    assigned_at: datetime | None = None
    due_date: date | None = None
    deadline: date
    deadline_source: str | None = None
    overdue: bool
    escalation_level: str | None = None
    outcome: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    review_id: str | None = None
    review_status: str | None = None
    reviews_opened: int = 0
    duplicate_of: str | None = None
    extensions: int = 0
    extended_due_date: date | None = None
    notice_due_date: date | None = None
    notified_on: date | None = None
    notice_channel: str | None = None
    notices_late: int = 0
    forward_due_date: date | None = None
    forwarded_to: str | None = None
    forwarded_at: datetime | None = None
    reception_id: str | None = None


class CasePage(BaseModel):
    """A page of the case register."""

    items: list[CaseRow]
    total: int
    limit: int
    offset: int


class HistoryEvent(BaseModel):
    """One event in a subject's cross-service timeline."""

    event_id: str
    stream_id: str
    stream_type: str
    topic: str
    version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, Any]
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    hash_ok: bool
    chain_verified: bool


class History(BaseModel):
    """A subject's whole history, and whether every chain in it verifies."""

    subject_id: str
    chain_verified: bool
    events: list[HistoryEvent]


class DirectiveRow(BaseModel):
    """One directive in the register."""

    id: str
    region: str
    title: str
    issuing_authority: str | None
    addressee_body: str
    meeting_reference: str | None
    status: str
    issued_at: datetime
    issued_by: str | None
    original_due_date: date
    due_date: date
    extensions: int
    days_overdue: int
    completed_at: datetime | None
    verified_at: datetime | None
    cancelled_at: datetime | None
    office_id: str | None
    assignee_id: str | None
    review_id: str | None
    review_status: str | None
    version: int
    updated_at: datetime
    receptions_required: int = 0
    receptions_held: int = 0


class DirectivePage(BaseModel):
    """A page of the directive register."""

    items: list[DirectiveRow]
    total: int
    limit: int
    offset: int


class BrokenEvent(BaseModel):
    """The first event at which a stream's history stops holding."""

    version: int
    event_id: str | None
    event_type: str | None
    reason: str


class StreamVerification(BaseModel):
    """One stream touching the subject, re-verified in itself and against its owner's copy."""

    service: str
    stream_type: str
    stream_id: str
    events_received: int
    events_held: int | None
    received_chain_ok: bool
    owner_chain_ok: bool | None
    copy_matches: bool | None
    holds: bool
    first_broken: BrokenEvent | None
    detail: str | None = None
    in_checkpoint: bool | None = Field(
        None, description="every event the owner holds is proved included in its signed "
        "checkpoint; false if a proof or checkpoint fails; null while some are not yet in one")


class Verification(BaseModel):
    """Whether the whole history of a case or directive holds, stream by stream."""

    subject_id: str
    subject_type: str
    verified: bool
    streams: list[StreamVerification]


class OfficialRow(BaseModel):
    """A public official named at a reception."""

    name: str
    position: str


class ReceptionRow(BaseModel):
    """One citizen reception in the register, with the cases registered at it."""

    id: str
    region: str
    district: str
    status: str
    scheduled_on: date
    place: str
    office_id: str | None
    directive_id: str | None
    officials: list[OfficialRow]
    scheduled_at: datetime
    scheduled_by: str | None
    held_on: date | None
    officials_present: list[OfficialRow]
    attendance: int | None
    cancelled_at: datetime | None
    cases_registered: int
    version: int
    updated_at: datetime


class ReceptionPage(BaseModel):
    """A page of the reception register."""

    items: list[ReceptionRow]
    total: int
    limit: int
    offset: int
