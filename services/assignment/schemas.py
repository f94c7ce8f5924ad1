"""Request and response models of assignment's HTTP API (separate from the events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from events import OfficeKind, Region, Sector
from services.runtime.fields import FreeText, Ident, Line

Reason = Annotated[FreeText, Field(max_length=2000)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenOfficeRequest(_Request):
    """POST /v1/offices: the admin names the office id."""

    id: Ident
    name: Annotated[Line, Field(max_length=200)]
    region: Region | None = None
    kind: OfficeKind = OfficeKind.REGIONAL_PROJECT_OFFICE


class ChangeOfficeRequest(_Request):
    """PATCH /v1/offices/{id}."""

    name: Annotated[Line, Field(max_length=200)]


class ReasonRequest(_Request):
    """A change that must say why."""

    reason: Reason


class OptionalReasonRequest(_Request):
    """A change that may say why."""

    reason: Reason | None = None


class EnrollOfficerRequest(_Request):
    """POST /v1/officers: id is the officer's login `sub`; the region is the office's."""

    id: Ident
    name: Annotated[Line, Field(max_length=200)]
    office_id: Ident
    sectors: Annotated[list[Sector], Field(min_length=1)]
    capacity: Annotated[int, Field(ge=1, le=1000)] = 20


class ChangeOfficerRequest(_Request):
    """PATCH /v1/officers/{id}: only what is given changes."""

    name: Annotated[Line, Field(max_length=200)] | None = None
    office_id: Ident | None = None
    sectors: Annotated[list[Sector], Field(min_length=1)] | None = None
    capacity: Annotated[int, Field(ge=1, le=1000)] | None = None


class AssignRequest(_Request):
    """POST /v1/assignments/{subject_id}: assign or reassign by hand."""

    officer_id: Ident
    reason: Reason


class OfficeView(BaseModel):
    """An office of the roster."""

    id: str
    name: str
    region: Region | None
    kind: OfficeKind
    active: bool
    version: int


class OfficerView(BaseModel):
    """An officer of the roster."""

    id: str
    name: str
    region: Region | None
    office_id: str
    sectors: list[Sector]
    capacity: int
    active: bool
    version: int


class AssignmentEventView(BaseModel):
    """One event of a subject's assignment history."""

    version: int
    event_type: str
    recorded_at: datetime
    actor_id: str
    payload: dict[str, object]


class AssignmentView(BaseModel):
    """Who holds a subject, why, and by when."""

    subject_id: str
    subject_type: str
    region: Region | None
    status: str
    office_id: str | None
    officer_id: str | None
    manual: bool
    rule: str | None
    clock: str | None
    due_date: date | None
    version: int
    history: list[AssignmentEventView]


class OfficerLoad(BaseModel):
    """One officer's open work."""

    officer_id: str
    name: str
    office_id: str
    region: Region | None
    active: bool
    capacity: int
    open_items: int
    overdue: int


class WorkloadView(BaseModel):
    """Open work per officer, and what the rules could not place."""

    as_of: date
    officers: list[OfficerLoad]
    unassigned: int
