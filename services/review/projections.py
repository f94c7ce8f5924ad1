"""review's read models, updated from its own events in the transaction that appends them."""

from __future__ import annotations

from collections.abc import Iterable

from events import (
    REGISTRY,
    EventEnvelope,
    MonitoringGroupFormed,
    MonitoringGroupMemberAdded,
    MonitoringGroupMemberDeactivated,
    ReviewClaimed,
    ReviewOpened,
    ReviewVerdictRecorded,
)
from services.runtime.db import Conn

SCHEMA = "review"


async def apply_review_event(conn: Conn, envelope: EventEnvelope) -> None:
    """Fold one review event into the queue and the subject it concerns."""
    payload = REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    review_id = envelope.stream_id
    if isinstance(payload, ReviewOpened):
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.reviews (review_id, subject_id, subject_type, region, reason,
                  status, due_date, previous_review_id, resolver_id, assignee_id,
                  trigger_event_id, opened_at, version)
                VALUES ($1,$2,$3,$4,$5,'open',$6,$7,$8,$9,$10,$11,$12)
                ON CONFLICT (review_id) DO NOTHING""",
            review_id, payload.subject_id, payload.subject_type.value, payload.region.value,
            payload.reason.value, payload.due_date, payload.previous_review_id,
            payload.resolver_id, payload.assignee_id, payload.trigger_event_id,
            envelope.occurred_at, envelope.version,
        )
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.subjects (subject_id, subject_type, region, open_review_id,
                  last_review_id) VALUES ($1, $2, $3, $4, $4)
                ON CONFLICT (subject_id) DO UPDATE SET open_review_id = $4, last_review_id = $4,
                  returned_by_review_id = NULL, updated_at = now()""",
            payload.subject_id, payload.subject_type.value, payload.region.value, review_id,
        )
    elif isinstance(payload, ReviewClaimed):
        await conn.execute(
            f"""UPDATE {SCHEMA}.reviews SET status = 'claimed', reviewer_id = $2, version = $3
                WHERE review_id = $1 AND version < $3""",
            review_id, payload.reviewer_id, envelope.version,
        )
    elif isinstance(payload, ReviewVerdictRecorded):
        await conn.execute(
            f"""UPDATE {SCHEMA}.reviews SET status = 'decided', reviewer_id = $2, verdict = $3,
                  verdict_event_id = $4, decided_at = $5, version = $6
                WHERE review_id = $1 AND version < $6""",
            review_id, payload.reviewer_id, payload.verdict.value, envelope.event_id,
            envelope.occurred_at, envelope.version,
        )
        await conn.execute(
            f"""UPDATE {SCHEMA}.subjects SET open_review_id = NULL, updated_at = now()
                WHERE subject_id = $1 AND open_review_id = $2""",
            payload.subject_id, review_id,
        )


async def apply_group_event(conn: Conn, envelope: EventEnvelope) -> None:
    """Fold one monitoring_group event into the groups and members tables."""
    payload = REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    group_id = envelope.stream_id
    if isinstance(payload, MonitoringGroupFormed):
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.monitoring_groups (group_id, name, region, formed_at, version)
                VALUES ($1, $2, $3, $4, $5)""",
            group_id, payload.name, payload.region.value if payload.region else None,
            envelope.occurred_at, envelope.version,
        )
        return
    if isinstance(payload, MonitoringGroupMemberAdded):
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.group_members (group_id, monitor_id, name, active, added_at,
                  changed_at) VALUES ($1, $2, $3, true, $4, $4)
                ON CONFLICT (group_id, monitor_id) DO UPDATE SET name = EXCLUDED.name,
                  active = true, changed_at = EXCLUDED.changed_at""",
            group_id, payload.monitor_id, payload.name, envelope.occurred_at,
        )
    elif isinstance(payload, MonitoringGroupMemberDeactivated):
        await conn.execute(
            f"""UPDATE {SCHEMA}.group_members SET active = false, changed_at = $3
                WHERE group_id = $1 AND monitor_id = $2""",
            group_id, payload.monitor_id, envelope.occurred_at,
        )
    await conn.execute(
        f"UPDATE {SCHEMA}.monitoring_groups SET version = $2 WHERE group_id = $1",
        group_id, envelope.version,
    )


async def project(conn: Conn, envelopes: Iterable[EventEnvelope]) -> None:
    """Apply what one append stores, in the transaction that stores it."""
    for envelope in envelopes:
        if envelope.stream_type == "review":
            await apply_review_event(conn, envelope)
        elif envelope.stream_type == "monitoring_group":
            await apply_group_event(conn, envelope)
