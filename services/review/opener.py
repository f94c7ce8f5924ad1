"""The review-opener consumer: follow cases, directives and assignments; open review tasks.

Runs inside the transaction that marks the event processed, so a redelivery is a no-op. The
subject read model only grows by order-independent steps where events come from different topics
(assignees and resolvers are sets; a region is set once), so four-eyes checks converge whatever
order ``assignment.made`` and the intake events arrive in. Intake events of one subject share a
partition, so triage always precedes the resolution it qualifies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from events import (
    REGISTRY,
    Actor,
    EventEnvelope,
    EventPayload,
    ReviewReason,
    RiskLevel,
    UnknownEventType,
)
from events.assignments import AssignmentMade, SubjectType
from events.cases import (
    CaseEscalated,
    CaseFlaggedForReview,
    CaseRegistered,
    CaseReopened,
    CaseResolved,
    CaseTriaged,
)
from events.directives import (
    DirectiveCompletionReported,
    DirectiveEscalated,
    DirectiveIssued,
    DirectiveReturned,
)
from services.review.domain.opening import (
    OpeningPolicy,
    Subject,
    Trigger,
    TriggerKind,
    decide_opening,
    review_id_for,
)
from services.review.domain.review import STREAM_TYPE
from services.review.projections import SCHEMA, project
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.logs import get_logger

log = get_logger(__name__)

OPENER = "review-opener"
SYSTEM_ACTOR = OPENER


async def _upsert(conn: Conn, subject_id: str, subject_type: SubjectType, sets: str,
                  *args: object) -> None:
    """Create the subject row if new, then apply `sets` (which refers to $3.. of `args`)."""
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.subjects (subject_id, subject_type) VALUES ($1, $2)
            ON CONFLICT (subject_id) DO NOTHING""",
        subject_id, subject_type.value,
    )
    if sets:
        await conn.execute(
            f"UPDATE {SCHEMA}.subjects SET {sets}, updated_at = now() WHERE subject_id = $1"
            " AND subject_type = $2",
            subject_id, subject_type.value, *args,
        )


async def _load_subject(conn: Conn, subject_id: str) -> Subject | None:
    row = await conn.fetchrow(
        f"""SELECT s.*, r.reason AS returned_reason FROM {SCHEMA}.subjects s
            LEFT JOIN {SCHEMA}.reviews r ON r.review_id = s.returned_by_review_id
            WHERE s.subject_id = $1 FOR UPDATE OF s""",
        subject_id,
    )
    if row is None:
        return None
    return Subject(
        subject_id=row["subject_id"], subject_type=SubjectType(row["subject_type"]),
        region=row["region"], risk_level=RiskLevel(row["risk_level"]) if row["risk_level"] else None,
        last_resolver_id=row["last_resolver_id"], current_assignee_id=row["current_assignee_id"],
        open_review_id=row["open_review_id"], last_review_id=row["last_review_id"],
        returned_by_review_id=row["returned_by_review_id"],
        returned_review_reason=ReviewReason(row["returned_reason"]) if row["returned_reason"]
        else None,
    )


async def open_if_due(conn: Conn, envelope: EventEnvelope, kind: TriggerKind,
                      policy: OpeningPolicy) -> str | None:
    """Open the review a trigger calls for, once; returns the new review id, if any."""
    subject = await _load_subject(conn, envelope.stream_id)
    if subject is None:
        log.warning("review.subject_unknown", subject_id=envelope.stream_id)
        return None
    trigger = Trigger(kind, str(envelope.event_id), envelope.occurred_at)
    opened = decide_opening(subject, trigger, policy)
    if opened is None:
        return None
    review_id = review_id_for(subject.subject_id, trigger.event_id)
    exists = await conn.fetchval(
        f"SELECT 1 FROM {SCHEMA}.events WHERE stream_id = $1 LIMIT 1", review_id)
    if exists:  # a replay of a trigger that already opened its review
        return None
    context = CommandContext(
        actor=Actor(id=SYSTEM_ACTOR, role="system", region=opened.region.value),
        correlation_id=envelope.correlation_id, causation_id=str(envelope.event_id),
    )
    result = await _store().append_in(conn, review_id, STREAM_TYPE, 0, [opened], context)
    await project(conn, result.envelopes)
    log.info("review.opened", review_id=review_id, reason=opened.reason.value,
             subject_id=subject.subject_id)
    return review_id


def _store() -> EventStore:
    # append_in only uses the caller's connection; the consumer owns no pool of its own here.
    return EventStore(pool=None, schema=SCHEMA)  # type: ignore[arg-type]


def _decode(envelope: EventEnvelope) -> EventPayload | None:
    try:
        return REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    except UnknownEventType:
        return None


async def apply(conn: Conn, envelope: EventEnvelope, policy: OpeningPolicy) -> None:
    """Apply one intake or assignment event to the subject model; open a review if due."""
    payload = _decode(envelope)
    subject_id, case, directive = envelope.stream_id, SubjectType.CASE, SubjectType.DIRECTIVE
    if isinstance(payload, CaseRegistered):
        await _upsert(conn, subject_id, case, "region = coalesce(region, $3)",
                      payload.region.value)
    elif isinstance(payload, DirectiveIssued):
        await _upsert(conn, subject_id, directive, "region = coalesce(region, $3)",
                      payload.region.value)
    elif isinstance(payload, CaseTriaged):
        await _upsert(conn, subject_id, case, "risk_level = $3", payload.risk_level.value)
    elif isinstance(payload, AssignmentMade):
        await _upsert(
            conn, payload.subject_id, payload.subject_type,
            """region = coalesce(region, $3::text), current_assignee_id = $4::text,
               assignee_ids = CASE WHEN $4::text = ANY(assignee_ids) THEN assignee_ids
                                   ELSE assignee_ids || $4::text END""",
            payload.region.value if payload.region else None, payload.officer_id,
        )
    elif isinstance(payload, CaseResolved | DirectiveCompletionReported):
        await _store().lock_in(conn)  # it may append: the events lock before the first write
        kind, stype = ((TriggerKind.RESOLVED, case) if isinstance(payload, CaseResolved)
                       else (TriggerKind.COMPLETION_REPORTED, directive))
        await _upsert(
            conn, subject_id, stype,
            """last_resolver_id = $3::text,
               resolver_ids = CASE WHEN $3::text = ANY(resolver_ids) THEN resolver_ids
                                   ELSE resolver_ids || $3::text END""",
            envelope.actor.id,
        )
        await open_if_due(conn, envelope, kind, policy)
    elif isinstance(payload, CaseFlaggedForReview):
        await _store().lock_in(conn)
        await _upsert(conn, subject_id, case, "")
        await open_if_due(conn, envelope, TriggerKind.FLAGGED, policy)
    elif isinstance(payload, CaseReopened | CaseEscalated | DirectiveReturned
                    | DirectiveEscalated):
        # Returned (or escalated) by a review: its next resolution is reviewed again, linked.
        stype = directive if isinstance(payload, DirectiveReturned | DirectiveEscalated) else case
        if payload.review_id is not None:
            await _upsert(conn, subject_id, stype, "returned_by_review_id = $3",
                          payload.review_id)


def handler(policy: OpeningPolicy) -> Callable[[Conn, EventEnvelope, str], Awaitable[None]]:
    """The review-opener's handler under a policy (the runtime records the event as processed)."""

    async def handle(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        await apply(conn, envelope, policy)

    return handle
