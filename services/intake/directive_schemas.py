"""Request and response models of intake's directive API (separate from the events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from events import Region
from events.central_bodies import central_bodies
from events.directives import MAX_RECEPTIONS_REQUIRED
from services.intake.schemas import LongText, Reason, Short, Write
from services.runtime.fields import DueDate


class IssueDirectiveRequest(Write):
    """POST /v1/directives."""

    title: Short
    text: LongText
    issuing_authority: Short
    addressee_body: Short
    region: Region
    due_date: DueDate
    meeting_reference: Short | None = None
    receptions_required: Annotated[int, Field(
        ge=0, le=MAX_RECEPTIONS_REQUIRED,
        description="citizen receptions the addressee must hold (held ones naming the "
                    "directive count)")] = 0

    @field_validator("addressee_body")
    @classmethod
    def _central_body_code_or_local_name(cls, value: str) -> str:
        """A central body by its catalog code (any case, stored exactly); a local body by name."""
        return central_bodies().canonical_addressee(value)


class AcknowledgeRequest(Write):
    """POST /v1/directives/{id}/acknowledge."""

    note: Annotated[LongText | None, Field()] = None


class ProgressRequest(Write):
    """POST /v1/directives/{id}/progress."""

    note: LongText


class CompletionRequest(Write):
    """POST /v1/directives/{id}/report: the completion report."""

    summary: LongText


class ExtendRequest(Write):
    """POST /v1/directives/{id}/extend: a new due date, by a supervisor other than the issuer."""

    new_due_date: DueDate
    reason: Reason


class DirectiveView(BaseModel):
    """A directive as intake holds it now (or as of a moment), lateness measured on `as_of_date`."""

    id: str
    version: int
    status: str
    title: str
    text: str
    issuing_authority: str
    addressee_body: str
    region: Region
    due_date: date
    original_due_date: date
    effective_due_date: date
    meeting_reference: str | None
    issued_at: datetime
    issued_by: str | None
    updated_at: datetime
    acknowledgement: str | None
    progress: list[str]
    completion_summary: str | None
    reported_on: date | None
    review_id: str | None
    findings: str | None
    extensions: int
    cancel_reason: str | None
    as_of_date: date
    overdue: bool
    days_overdue: int
    receptions_required: int
    receptions_held: int
    allowed_actions: list[str]
