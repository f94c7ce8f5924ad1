"""Payloads of the reception stream (owned by intake): citizen receptions held by the offices.

A reception is scheduled (district, date, place, the officials who will receive citizens), then
held (the officials actually present and how many citizens came) or cancelled. Officials are
public office-holders named by name and position; no field names a citizen, so none is PII.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from events.fields import District, Long, Reason, Short
from events.registry import EventPayload, payload_type
from events.vocabulary import Region

Place = Long

MAX_OFFICIALS = 50
"""Officials named at one reception, at most."""
MAX_ATTENDANCE = 100_000
"""Citizens counted at one reception, at most (a bound, not an expectation)."""


class Official(BaseModel):
    """A public official receiving citizens: a name and a position (e.g. deputy akim)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Short
    position: Short


Officials = Annotated[list[Official], Field(min_length=1, max_length=MAX_OFFICIALS)]


@payload_type("reception.scheduled", 1)
class ReceptionScheduled(EventPayload):
    """An office scheduled a citizen reception in a district of its region.

    `office_id` is assignment's roster id of the office, carried as an opaque id; `directive_id`
    names the directive (same region) the reception fulfils, if any.
    """

    region: Region
    district: District
    scheduled_on: date
    place: Place
    officials: Officials
    office_id: Short | None
    directive_id: Short | None


@payload_type("reception.held", 1)
class ReceptionHeld(EventPayload):
    """The reception took place: on which day, the officials actually present, how many came."""

    held_on: date
    officials_present: Officials
    attendance: Annotated[int, Field(ge=0, le=MAX_ATTENDANCE)]


@payload_type("reception.cancelled", 1)
class ReceptionCancelled(EventPayload):
    """A scheduled reception was called off, with the reason."""

    reason: Reason


class ReceptionStatus(StrEnum):
    """Where a reception is in its life."""

    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


_RECEPTION_MOVES = {
    "reception.scheduled": ReceptionStatus.SCHEDULED,
    "reception.held": ReceptionStatus.HELD,
    "reception.cancelled": ReceptionStatus.CANCELLED,
}


def next_reception_status(current: ReceptionStatus | None, event_type: str
                          ) -> ReceptionStatus | None:
    """A reception's status after one event of its stream (intake and reporting share it)."""
    return _RECEPTION_MOVES.get(event_type, current)


def reception_status(event_types: Iterable[str]) -> ReceptionStatus | None:
    """A reception's status after its stream's events, in stream order."""
    status: ReceptionStatus | None = None
    for event_type in event_types:
        status = next_reception_status(status, event_type)
    return status
