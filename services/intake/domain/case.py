"""The Case aggregate: state as a fold of its events, commands decided against it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from events import (
    REGISTRY,
    CaseRegistered,
    EventEnvelope,
    EventPayload,
    IntakeSource,
    Region,
    Sector,
)
from events.cases import ReporterReference
from services.intake.domain.errors import IllegalTransition

STREAM_TYPE = "case"


class CaseStatus(StrEnum):
    """Where a case is in its life."""

    REGISTERED = "registered"


@dataclass(frozen=True)
class CaseState:
    """A case as its events made it; version 0 means it does not exist."""

    id: str
    version: int = 0
    status: CaseStatus | None = None
    title: str = ""
    description: str = ""
    region: Region | None = None
    sector: Sector | None = None
    source: IntakeSource | None = None
    district: str | None = None
    anonymous: bool = False
    reporter: ReporterReference | None = None
    registered_at: datetime | None = None
    registered_by: str | None = None
    updated_at: datetime | None = None

    @property
    def exists(self) -> bool:
        """Whether the case was ever registered."""
        return self.version > 0


@dataclass(frozen=True)
class RegisterCase:
    """Register a new report of corruption risk as a case."""

    title: str
    description: str
    region: Region
    sector: Sector
    source: IntakeSource
    district: str | None
    anonymous: bool
    reporter: ReporterReference | None


def decide_register(state: CaseState, command: RegisterCase) -> list[EventPayload]:
    """A case is registered once."""
    if state.exists:
        raise IllegalTransition("register", str(state.status), [])
    return [
        CaseRegistered(
            title=command.title, description=command.description, region=command.region,
            sector=command.sector, source=command.source, district=command.district,
            anonymous=command.anonymous, reporter=command.reporter,
        )
    ]


def evolve(state: CaseState, envelope: EventEnvelope, payload: EventPayload) -> CaseState:
    """The state after one stored event."""
    moved = replace(state, version=envelope.version, updated_at=envelope.recorded_at)
    if isinstance(payload, CaseRegistered):
        return replace(
            moved, status=CaseStatus.REGISTERED, title=payload.title,
            description=payload.description, region=payload.region, sector=payload.sector,
            source=payload.source, district=payload.district, anonymous=payload.anonymous,
            reporter=payload.reporter, registered_at=envelope.occurred_at,
            registered_by=envelope.actor.id,
        )
    return moved


def fold(case_id: str, envelopes: list[EventEnvelope]) -> CaseState:
    """Load a case: the fold of its stream."""
    state = CaseState(id=case_id)
    for envelope in envelopes:
        payload = REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
        state = evolve(state, envelope, payload)
    return state
