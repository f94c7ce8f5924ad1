"""intake's reactor: assignment and review events move cases and directives (any order, once)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
from services.runtime.consumer import Delivery, Subscription
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, Head, seal
from services.runtime.logs import get_logger
from services.runtime.streamlog import StreamLog

log = get_logger(__name__)

REACTOR = "intake-reactor"
SCHEMA = "intake"
STORE = StreamLog(SCHEMA)
"""intake's log on the consumer's own connection: the reactor needs no pool."""

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
    await react_batch(conn, [(envelope, topic)])


async def react_batch(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Apply a fetch's assignment and review events at once, in order.

    Every stream they touch is read first, each event is decided against the state the earlier
    ones left, and all new events are written in one statement: no write before the last read
    (the event store's ordering rule). A stream that moved meanwhile raises ConcurrencyConflict
    and the runtime applies the batch again.
    """
    planned = [(envelope, payload, command) for envelope, _ in deliveries
               if (command := command_for(envelope, payload := _payload(envelope))) is not None]
    if planned:
        await STORE.lock_in(conn)  # before any write: the relay's horizon counts only lockers
    streams: dict[str, list[EventEnvelope]] = {}
    for subject_id in dict.fromkeys(str(p.get("subject_id")) for _, p, _ in planned):
        streams[subject_id] = await STORE.load_in(conn, subject_id)
    sealed: list[EventEnvelope] = []
    ignored: list[tuple[EventEnvelope, str, str]] = []
    for envelope, payload, command in planned:
        subject_id = str(payload.get("subject_id"))
        kind: Kind[Any, Any] = DIRECTIVES if payload.get("subject_type") == "directive" else CASES
        envelopes = streams[subject_id]
        state = kind.aggregate.fold(subject_id, envelopes)
        if not state.exists or (envelopes and envelopes[0].stream_type != kind.stream_type):
            ignored.append((envelope, subject_id, f"no {state.noun} {subject_id} at intake"))
            continue
        events = kind.decide(state, command)
        if not events:
            log.info("reactor.no_effect", subject_id=subject_id)
            continue
        context = CommandContext(actor=envelope.actor, correlation_id=envelope.correlation_id,
                                 causation_id=str(envelope.event_id))
        head = Head(envelopes[-1].version, envelopes[-1].hash)
        new = seal(head, subject_id, kind.stream_type, events, context, envelope.occurred_at)
        envelopes.extend(new)
        sealed.extend(new)
    if ignored:
        await _ignore(conn, ignored)
    if sealed:
        await STORE.write(conn, sealed)


async def _ignore(conn: Conn, ignored: Sequence[tuple[EventEnvelope, str, str]]) -> None:
    """Keep messages about subjects we do not hold, with the reason."""
    await conn.executemany(
        f"""INSERT INTO {SCHEMA}.ignored_messages (event_id, consumer, event_type, subject_id,
              reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        [(e.event_id, REACTOR, e.event_type, subject_id, reason)
         for e, subject_id, reason in ignored])
    for _, subject_id, reason in ignored:
        log.warning("reactor.ignored", subject_id=subject_id, reason=reason)


SUBSCRIPTIONS = [Subscription(REACTOR, (ASSIGNMENT_TOPIC, REVIEW_TOPIC), react,
                              apply_batch=react_batch)]
