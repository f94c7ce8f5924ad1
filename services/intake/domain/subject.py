"""What the state of every intake subject (case, directive, reception) shares: its identity,
version, status, region and when it last changed, and which operator actions that status
allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Generic, Self, TypeVar

from events import EventEnvelope, Region
from services.intake.domain.errors import IllegalTransition

StatusT = TypeVar("StatusT", bound=StrEnum)


@dataclass(frozen=True)
class SubjectState(Generic[StatusT]):
    """A subject as its events made it; version 0 means it does not exist."""

    noun: ClassVar[str]
    """What refusals call the subject ("cannot cancel a directive that is …")."""
    unborn: ClassVar[str]
    """What refusals call its state before its first event ("unregistered", "unissued" …)."""
    actions: ClassVar[Mapping[str, frozenset[StrEnum]]]
    """The operator actions (named like their endpoints) and the statuses they apply in."""

    id: str
    version: int = 0
    status: StatusT | None = None
    region: Region | None = None
    updated_at: datetime | None = None

    @property
    def region_code(self) -> str | None:
        """The code of the region the subject belongs to (who may see it), once known."""
        return self.region.value if self.region else None

    @property
    def exists(self) -> bool:
        """Whether the subject's first event (registration, issue, scheduling) happened."""
        return self.status is not None

    def after(self, envelope: EventEnvelope, status: StatusT | None) -> Self:
        """This state one stored event on: that event's version and time, and `status`."""
        return replace(self, version=envelope.version, updated_at=envelope.recorded_at,
                       status=status)

    def allowed_actions(self) -> list[str]:
        """The operator actions the status allows now."""
        if self.status is None:
            return []
        return [name for name, statuses in self.actions.items() if self.status in statuses]

    def require_new(self, action: str) -> None:
        """Refuse (409) the action that begins a subject (register, issue, schedule) once it has
        begun."""
        if self.exists:
            raise IllegalTransition(action, str(self.status), self.allowed_actions(),
                                    subject=self.noun)

    def require_begun(self, command: object) -> None:
        """Refuse (409) any other command before the subject's first event."""
        if not self.exists:
            raise IllegalTransition(type(command).__name__, self.unborn, [], subject=self.noun)

    def require(self, action: str) -> None:
        """Refuse (409, naming what is allowed) an action the status does not allow now."""
        allowed = self.allowed_actions()
        if action not in allowed:
            raise IllegalTransition(action, str(self.status or self.unborn), allowed,
                                    subject=self.noun)
