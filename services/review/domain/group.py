"""The MonitoringGroup aggregate: a group per region (or the republic) and its monitors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from events import (
    EventEnvelope,
    EventPayload,
    MonitoringGroupFormed,
    MonitoringGroupMemberAdded,
    MonitoringGroupMemberDeactivated,
    Region,
)
from services.review.domain.errors import MemberExists, UnknownMember
from services.runtime.aggregate import Aggregate

STREAM_TYPE = "monitoring_group"


@dataclass(frozen=True)
class Member:
    """A monitor in a group."""

    monitor_id: str
    name: str
    active: bool
    added_at: datetime


@dataclass(frozen=True)
class GroupState:
    """A group as its events made it; version 0 means it was never formed."""

    id: str
    version: int = 0
    name: str = ""
    region: Region | None = None
    formed_at: datetime | None = None
    members: tuple[Member, ...] = ()

    @property
    def exists(self) -> bool:
        """Whether the group was formed."""
        return self.version > 0

    def active_member(self, monitor_id: str) -> Member | None:
        """The active membership of a monitor, if any."""
        return next((m for m in self.members if m.monitor_id == monitor_id and m.active), None)


def decide_form(name: str, region: Region | None) -> list[EventPayload]:
    """Form a group (uniqueness per region is the read model's unique index, checked on append)."""
    return [MonitoringGroupFormed(name=name, region=region)]


def decide_add_member(state: GroupState, monitor_id: str, name: str) -> list[EventPayload]:
    """Add a monitor who is not already an active member."""
    if state.active_member(monitor_id) is not None:
        raise MemberExists(f"{monitor_id} is already an active member of group {state.id}")
    return [MonitoringGroupMemberAdded(monitor_id=monitor_id, name=name)]


def decide_deactivate(state: GroupState, monitor_id: str, reason: str) -> list[EventPayload]:
    """Deactivate an active member."""
    if state.active_member(monitor_id) is None:
        raise UnknownMember(f"{monitor_id} is not an active member of group {state.id}")
    return [MonitoringGroupMemberDeactivated(monitor_id=monitor_id, reason=reason)]


def evolve(state: GroupState, envelope: EventEnvelope, payload: EventPayload) -> GroupState:
    """The state after one stored event."""
    moved = replace(state, version=envelope.version)
    if isinstance(payload, MonitoringGroupFormed):
        return replace(moved, name=payload.name, region=payload.region,
                       formed_at=envelope.occurred_at)
    if isinstance(payload, MonitoringGroupMemberAdded):
        others = tuple(m for m in state.members if m.monitor_id != payload.monitor_id)
        return replace(moved, members=(*others, Member(payload.monitor_id, payload.name, True,
                                                       envelope.occurred_at)))
    if isinstance(payload, MonitoringGroupMemberDeactivated):
        return replace(moved, members=tuple(
            replace(m, active=False) if m.monitor_id == payload.monitor_id else m
            for m in state.members))
    return moved


GROUP = Aggregate(STREAM_TYPE, lambda group_id: GroupState(id=group_id), evolve)
"""A monitoring group: the fold of its stream."""
fold = GROUP.fold
