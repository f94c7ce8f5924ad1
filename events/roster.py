"""Payloads of the office and officer streams (the roster, owned by assignment)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from events.fields import Reason, Short
from events.registry import EventPayload, payload_type
from events.vocabulary import Region, Sector

Name = Short
OfficeId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Capacity = Annotated[int, Field(ge=1, le=1000)]


class OfficeKind(StrEnum):
    """What an office is: a region's project office, or a national agency unit."""

    REGIONAL_PROJECT_OFFICE = "regional_project_office"
    AGENCY_UNIT = "agency_unit"


@payload_type("office.opened", 1)
class OfficeOpened(EventPayload):
    """An office joined the roster (stream id = office id); agency units have no region."""

    name: Name
    region: Region | None
    kind: OfficeKind


@payload_type("office.changed", 1)
class OfficeChanged(EventPayload):
    """An office was renamed."""

    name: Name


@payload_type("office.closed", 1)
class OfficeClosed(EventPayload):
    """An office stopped taking work; its officers must be moved or deactivated first."""

    reason: Reason


@payload_type("officer.enrolled", 1)
class OfficerEnrolled(EventPayload):
    """An officer joined an office (stream id = the officer's login `sub`)."""

    name: Name
    region: Region | None
    office_id: OfficeId
    sectors: list[Sector]
    capacity: Capacity


@payload_type("officer.changed", 1)
class OfficerChanged(EventPayload):
    """Some of an officer's particulars changed; absent fields (null) stay as they were."""

    name: Name | None = None
    region: Region | None = None
    office_id: OfficeId | None = None
    sectors: list[Sector] | None = None
    capacity: Capacity | None = None


@payload_type("officer.deactivated", 1)
class OfficerDeactivated(EventPayload):
    """An officer stopped taking work; their open items are handed over."""

    reason: Reason


@payload_type("officer.reactivated", 1)
class OfficerReactivated(EventPayload):
    """A deactivated officer takes work again."""

    reason: Reason | None = None
