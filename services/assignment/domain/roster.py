"""The roster's aggregates: an office and an officer, each a fold of its own stream."""

from __future__ import annotations

from dataclasses import dataclass, replace

from events import (
    EventPayload,
    OfficeChanged,
    OfficeClosed,
    OfficeKind,
    OfficeOpened,
    OfficerChanged,
    OfficerDeactivated,
    OfficerEnrolled,
    OfficerReactivated,
    Region,
    Sector,
)
from services.runtime.aggregate import Aggregate
from services.runtime.errors import Conflict, Invalid

OFFICE_STREAM = "office"
OFFICER_STREAM = "officer"


@dataclass(frozen=True)
class OfficeState:
    """An office as its events made it; version 0 means it was never opened."""

    id: str
    version: int = 0
    name: str = ""
    region: Region | None = None
    kind: OfficeKind = OfficeKind.REGIONAL_PROJECT_OFFICE
    active: bool = False

    @property
    def exists(self) -> bool:
        """Whether the office was ever opened."""
        return self.version > 0


@dataclass(frozen=True)
class OfficerState:
    """An officer as their events made them; version 0 means never enrolled."""

    id: str
    version: int = 0
    name: str = ""
    region: Region | None = None
    office_id: str = ""
    sectors: tuple[Sector, ...] = ()
    capacity: int = 0
    active: bool = False

    @property
    def exists(self) -> bool:
        """Whether the officer was ever enrolled."""
        return self.version > 0


def evolve_office(state: OfficeState, payload: EventPayload, version: int) -> OfficeState:
    """The office after one event."""
    moved = replace(state, version=version)
    if isinstance(payload, OfficeOpened):
        return replace(moved, name=payload.name, region=payload.region, kind=payload.kind,
                       active=True)
    if isinstance(payload, OfficeChanged):
        return replace(moved, name=payload.name)
    if isinstance(payload, OfficeClosed):
        return replace(moved, active=False)
    return moved


def evolve_officer(state: OfficerState, payload: EventPayload, version: int) -> OfficerState:
    """The officer after one event."""
    moved = replace(state, version=version)
    if isinstance(payload, OfficerEnrolled):
        return replace(moved, name=payload.name, region=payload.region,
                       office_id=payload.office_id, sectors=tuple(payload.sectors),
                       capacity=payload.capacity, active=True)
    if isinstance(payload, OfficerChanged):
        return replace(
            moved,
            name=payload.name or state.name,
            region=payload.region if payload.office_id is not None else state.region,
            office_id=payload.office_id or state.office_id,
            sectors=tuple(payload.sectors) if payload.sectors is not None else state.sectors,
            capacity=payload.capacity or state.capacity,
        )
    if isinstance(payload, OfficerDeactivated):
        return replace(moved, active=False)
    if isinstance(payload, OfficerReactivated):
        return replace(moved, active=True)
    return moved


OFFICE = Aggregate(OFFICE_STREAM, lambda office_id: OfficeState(id=office_id),
                   lambda state, envelope, payload: evolve_office(state, payload, envelope.version))
"""An office: the fold of its stream."""
OFFICER = Aggregate(OFFICER_STREAM, lambda officer_id: OfficerState(id=officer_id),
                    lambda state, envelope, payload: evolve_officer(state, payload, envelope.version))
"""An officer: the fold of their stream."""
fold_office = OFFICE.fold
fold_officer = OFFICER.fold


def decide_open_office(state: OfficeState, name: str, region: Region | None,
                       kind: OfficeKind) -> list[EventPayload]:
    """An office id is opened once; a regional office has a region, an agency unit none."""
    if state.exists:
        raise Conflict(f"office {state.id} already exists", field="id")
    if kind is OfficeKind.REGIONAL_PROJECT_OFFICE and region is None:
        raise Invalid("a regional project office needs a region", field="region")
    if kind is OfficeKind.AGENCY_UNIT and region is not None:
        raise Invalid("an agency unit is national and has no region", field="region")
    return [OfficeOpened(name=name, region=region, kind=kind)]


def decide_change_office(state: OfficeState, name: str) -> list[EventPayload]:
    """Renaming to the same name changes nothing."""
    return [] if name == state.name else [OfficeChanged(name=name)]


def decide_close_office(state: OfficeState, active_officers: int, reason: str) -> list[EventPayload]:
    """An office closes once, and only when no active officer is left in it."""
    if not state.active:
        raise Conflict(f"office {state.id} is already closed")
    if active_officers:
        raise Conflict(f"office {state.id} still has {active_officers} active officers;"
                       " deactivate or move them first")
    return [OfficeClosed(reason=reason)]


def decide_enroll(state: OfficerState, office: OfficeState, name: str, sectors: list[Sector],
                  capacity: int) -> list[EventPayload]:
    """An officer is enrolled once, into an open office, taking its region."""
    if state.exists:
        raise Conflict(f"officer {state.id} already exists", field="id")
    _require_open(office)
    return [OfficerEnrolled(name=name, region=office.region, office_id=office.id,
                            sectors=_unique(sectors), capacity=capacity)]


def decide_change_officer(state: OfficerState, office: OfficeState | None, name: str | None,
                          sectors: list[Sector] | None, capacity: int | None) -> list[EventPayload]:
    """Only what differs is recorded; moving to another office takes that office's region."""
    if office is not None and office.id != state.office_id:
        _require_open(office)
    else:
        office = None
    change = OfficerChanged(
        name=name if name and name != state.name else None,
        region=office.region if office is not None else None,
        office_id=office.id if office is not None else None,
        sectors=_unique(sectors) if sectors is not None
        and tuple(_unique(sectors)) != state.sectors else None,
        capacity=capacity if capacity and capacity != state.capacity else None,
    )
    return [change] if change.model_dump(exclude_none=True) else []


def decide_deactivate(state: OfficerState, reason: str) -> list[EventPayload]:
    """An active officer can be deactivated."""
    if not state.active:
        raise Conflict(f"officer {state.id} is already inactive")
    return [OfficerDeactivated(reason=reason)]


def decide_reactivate(state: OfficerState, office: OfficeState, reason: str | None
                      ) -> list[EventPayload]:
    """An inactive officer of an open office can be reactivated."""
    if state.active:
        raise Conflict(f"officer {state.id} is already active")
    _require_open(office)
    return [OfficerReactivated(reason=reason)]


def _require_open(office: OfficeState) -> None:
    if not office.exists:
        raise Invalid(f"no office {office.id}", field="office_id")
    if not office.active:
        raise Invalid(f"office {office.id} is closed", field="office_id")


def _unique(sectors: list[Sector]) -> list[Sector]:
    return sorted(set(sectors), key=lambda s: s.value)
