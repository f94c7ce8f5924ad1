"""intake's reactor: assignment and review events move cases and directives (any order, once)."""

from __future__ import annotations

from typing import Any, cast

from events import (
    ASSIGNMENT_TOPIC,
    REGISTRY,
    REVIEW_TOPIC,
    AssignmentKind,
    EventEnvelope,
    UnknownEventType,
)
from services.intake.directive_handlers import DIRECTIVES
from services.intake.domain.commands import RecordAssignment, RecordVerdict, StartReview
from services.intake.execution import Kind
from services.intake.handlers import CASES
from services.runtime.consumer import Subscription
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.logs import get_logger

log = get_logger(__name__)

REACTOR = "intake-reactor"
SCHEMA = "intake"
# Only the *_in methods are used, on the consumer's own transaction: no pool is needed.
STORE = EventStore(cast(Any, None), SCHEMA)

Command = RecordAssignment | StartReview | RecordVerdict


def _payload(envelope: EventEnvelope) -> dict[str, Any]:
    """The payload upcast to the newest version we know (as stored if the type is unknown)."""
    try:
        return REGISTRY.upcast(envelope.event_type, envelope.schema_version, envelope.payload)[1]
    except UnknownEventType:
        return dict(envelope.payload)


def command_for(envelope: EventEnvelope, payload: dict[str, Any]) -> Command | None:
    """The command an assignment or review event means for intake, if any."""
    if envelope.event_type == "assignment.made":
        if payload.get("subject_type") != "case":
            return None  # directives carry no assignment event in the contract
        return RecordAssignment(
            office_id=str(payload["office_id"]), officer_id=payload.get("officer_id"),
            assignment_event_id=str(envelope.event_id), kind=AssignmentKind(payload["kind"]),
            occurred_at=envelope.occurred_at)
    if envelope.event_type == "review.opened":
        return StartReview(review_id=envelope.stream_id)
    if envelope.event_type == "review.verdict_recorded":
        return RecordVerdict(
            review_id=envelope.stream_id, verdict=str(payload.get("verdict")),
            verdict_event_id=str(envelope.event_id), findings=payload.get("findings") or None,
            flags=tuple(str(f) for f in payload.get("flags") or ()))
    return None


async def react(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Apply one assignment or review event inside the consumer's transaction."""
    payload = _payload(envelope)
    command = command_for(envelope, payload)
    if command is None:
        return
    subject_id = str(payload.get("subject_id"))
    kind: Kind[Any, Any] = DIRECTIVES if payload.get("subject_type") == "directive" else CASES
    envelopes = await STORE.load_in(conn, subject_id)
    state = kind.aggregate.fold(subject_id, envelopes)
    if not kind.exists(state) or (envelopes and envelopes[0].stream_type != kind.stream_type):
        await _ignore(conn, envelope, subject_id, f"no {kind.noun} {subject_id} at intake")
        return
    events = kind.decide(state, command)
    if not events:
        log.info("reactor.no_effect", subject_id=subject_id)
        return
    context = CommandContext(actor=envelope.actor, correlation_id=envelope.correlation_id,
                             causation_id=str(envelope.event_id))
    # ConcurrencyConflict propagates: the runtime retries the whole message.
    await STORE.append_in(conn, subject_id, kind.stream_type, kind.version_of(state), events,
                          context, occurred_at=envelope.occurred_at)


async def _ignore(conn: Conn, envelope: EventEnvelope, subject_id: str, reason: str) -> None:
    """Keep a message about a subject we do not hold, with the reason."""
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.ignored_messages (event_id, consumer, event_type, subject_id,
              reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        envelope.event_id, REACTOR, envelope.event_type, subject_id, reason)
    log.warning("reactor.ignored", subject_id=subject_id, reason=reason)


SUBSCRIPTIONS = [Subscription(REACTOR, (ASSIGNMENT_TOPIC, REVIEW_TOPIC), react)]
