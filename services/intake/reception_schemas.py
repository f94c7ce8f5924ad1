"""Request and response models of intake's reception API (separate from the events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from events import Region
from events.receptions import MAX_ATTENDANCE, MAX_OFFICIALS
from services.intake.schemas import Short, Write
from services.runtime.fields import DueDate, Line


class OfficialBody(BaseModel):
    """A public official receiving citizens: name and position (not a reporter's data)."""

    model_config = ConfigDict(extra="forbid")

    name: Short
    position: Short


Officials = Annotated[list[OfficialBody], Field(min_length=1, max_length=MAX_OFFICIALS)]


class ScheduleReceptionRequest(BaseModel):
    """POST /v1/receptions."""

    model_config = ConfigDict(extra="forbid")

    region: Region
    district: Annotated[Line, Field(max_length=120)]
    scheduled_on: Annotated[DueDate, Field(description=(
        "the day of the reception: at most 30 days back (recorded after the fact) and a year "
        "ahead"))]
    place: Annotated[Line, Field(max_length=500)]
    officials: Officials
    office_id: Short | None = None
    directive_id: Annotated[Short | None, Field(description=(
        "the directive (same region, not cancelled or verified) the reception fulfils"))] = None


class HoldReceptionRequest(Write):
    """POST /v1/receptions/{id}/hold: it took place."""

    held_on: Annotated[DueDate, Field(description="on or after the scheduled day, not after "
                                                  "today")]
    officials_present: Officials
    attendance: Annotated[int, Field(ge=0, le=MAX_ATTENDANCE,
                                     description="citizens who came")]


class OfficialView(BaseModel):
    """An official as the reception names them."""

    name: str
    position: str


class ReceptionView(BaseModel):
    """A reception as intake holds it now (or as of a moment)."""

    id: str
    version: int
    status: str
    region: Region
    district: str
    scheduled_on: date
    place: str
    officials: list[OfficialView]
    office_id: str | None
    directive_id: str | None
    scheduled_at: datetime
    scheduled_by: str | None
    updated_at: datetime
    held_on: date | None
    officials_present: list[OfficialView]
    attendance: int | None
    cancel_reason: str | None
    allowed_actions: list[str]


class ReceptionPage(BaseModel):
    """A page of receptions, by scheduled day."""

    items: list[ReceptionView]
    total: int
    limit: int
    offset: int
