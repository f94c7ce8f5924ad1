"""Commands of the reception stream: what an office asks of a citizen reception."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from events import Official, Region
from events.lifecycle import DirectiveStatus


@dataclass(frozen=True)
class LinkedDirective:
    """The directive a reception says it fulfils, as intake holds it when the reception is
    scheduled (None region: no such directive, or one the caller cannot see)."""

    id: str
    region: str | None
    status: DirectiveStatus | None


@dataclass(frozen=True)
class ScheduleReception:
    """Schedule a reception in a district of a region, on a day, with the officials receiving."""

    region: Region
    district: str
    scheduled_on: date
    place: str
    officials: tuple[Official, ...]
    office_id: str | None
    directive: LinkedDirective | None
    today: date


@dataclass(frozen=True)
class HoldReception:
    """Record that a scheduled reception took place: the day, who received, how many came."""

    held_on: date
    officials_present: tuple[Official, ...]
    attendance: int
    today: date


@dataclass(frozen=True)
class CancelReception:
    """Call off a scheduled reception, with the reason."""

    reason: str


ReceptionCommand = ScheduleReception | HoldReception | CancelReception
