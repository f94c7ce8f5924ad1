"""Request and response models of review's HTTP API (separate from the events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from events import FindingFlag, Region, ReviewReason, Verdict
from events.assignments import SubjectType
from services.runtime.fields import ExpectedVersion, FreeText, Line, OptionalFreeText

Name = Annotated[Line, Field(max_length=200)]
Reason = Annotated[FreeText, Field(max_length=2_000)]


class FormGroupRequest(BaseModel):
    """POST /v1/monitoring-groups: a group for a region, or the republican group (region null)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    region: Region | None


class AddMemberRequest(BaseModel):
    """POST /v1/monitoring-groups/{id}/members."""

    model_config = ConfigDict(extra="forbid")

    monitor_id: Annotated[Name, Field(description="the monitor's login `sub`")]
    name: Name
    expected_version: ExpectedVersion = None


class DeactivateMemberRequest(BaseModel):
    """POST /v1/monitoring-groups/{id}/members/{monitor_id}/deactivate."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    expected_version: ExpectedVersion = None


class MemberView(BaseModel):
    """A monitor in a group."""

    monitor_id: str
    name: str
    active: bool
    added_at: datetime


class GroupView(BaseModel):
    """A monitoring group and its members."""

    id: str
    version: int
    name: str
    region: Region | None
    formed_at: datetime
    members: list[MemberView]


class GroupList(BaseModel):
    """The groups the caller may see."""

    items: list[GroupView]


class ClaimRequest(BaseModel):
    """POST /v1/reviews/{id}/claim (the body is optional)."""

    model_config = ConfigDict(extra="forbid")

    expected_version: ExpectedVersion = None


class VerdictRequest(BaseModel):
    """POST /v1/reviews/{id}/verdict; findings are required unless the verdict is approved."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    findings: Annotated[OptionalFreeText, Field(max_length=10_000)] = ""
    flags: Annotated[list[FindingFlag], Field(max_length=len(FindingFlag))] = []
    expected_version: ExpectedVersion = None

    @model_validator(mode="after")
    def _flags_are_distinct(self) -> Self:
        if len(set(self.flags)) != len(self.flags):
            raise ValueError("flags must not repeat")
        return self


class ReviewSummary(BaseModel):
    """A review task as the queue shows it."""

    id: str
    version: int
    status: str
    subject_id: str
    subject_type: SubjectType
    region: Region
    reason: ReviewReason
    due_date: date
    overdue: bool
    previous_review_id: str | None
    reviewer_id: str | None
    verdict: Verdict | None
    opened_at: datetime
    decided_at: datetime | None


class ReviewPage(BaseModel):
    """A page of the review queue."""

    items: list[ReviewSummary]
    total: int
    limit: int
    offset: int


class ReviewEvent(BaseModel):
    """One event of a review's own stream."""

    event_id: str
    version: int
    event_type: str
    occurred_at: datetime
    actor: dict[str, Any]
    payload: dict[str, Any]
    hash: str


class ReviewDetail(ReviewSummary):
    """A review with its findings, who took part in the subject, and its own history."""

    resolver_id: str | None
    assignee_id: str | None
    trigger_event_id: str
    findings: str | None
    flags: list[FindingFlag]
    history: list[ReviewEvent]
