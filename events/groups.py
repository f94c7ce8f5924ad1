"""Payloads of the monitoring_group stream (owned by review; stream id = group id)."""

from __future__ import annotations

from events.fields import Reason, Short
from events.registry import EventPayload, payload_type
from events.vocabulary import Region

GroupName = Short
MonitorId = Short


@payload_type("monitoring_group.formed", 1)
class MonitoringGroupFormed(EventPayload):
    """A special monitoring group was formed for a region, or for the republic (region null)."""

    name: GroupName
    region: Region | None


@payload_type("monitoring_group.member_added", 1)
class MonitoringGroupMemberAdded(EventPayload):
    """A monitor (by login ``sub``) joined the group and may review in its region."""

    monitor_id: MonitorId
    name: GroupName


@payload_type("monitoring_group.member_deactivated", 1)
class MonitoringGroupMemberDeactivated(EventPayload):
    """A monitor left the group or was suspended; they may no longer record verdicts for it."""

    monitor_id: MonitorId
    reason: Reason
