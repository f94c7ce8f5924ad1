"""Plans the assignment of subjects: rules and load on intake's events, deadlines from clocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from events import (
    REGISTRY,
    Actor,
    AssignmentEscalated,
    DeadlineSet,
    EscalationLevel,
    EventEnvelope,
    EventPayload,
    SubjectType,
)
from events.calendar import agency_date
from events.central_bodies import central_bodies
from services.assignment import tables
from services.assignment.domain import assignment as domain
from services.assignment.domain.assignment import SubjectState
from services.assignment.domain.clocks import (
    APPEAL,
    DIRECTIVE,
    DIRECTIVE_ACKNOWLEDGEMENT,
    EXTENSION,
    EXTENSION_NOTICE,
    MISDIRECTED_FORWARD,
    Clocks,
    breach_key,
)
from services.assignment.domain.rules import Rule, route
from services.assignment.domain.side_clocks import EXTENDED, MISDIRECTED, TRACKED, after_intake, pending
from services.runtime.db import Conn
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.pipeline import CommandPipeline
from services.runtime.stream_cache import StreamCache
from services.runtime.streamlog import StreamLog

STREAM_TYPE = "assignment"
SYSTEM_ACTOR = "assignment-planner"

OPENS = {"case.registered": SubjectType.CASE, "directive.issued": SubjectType.DIRECTIVE}
CLOSES = frozenset({"case.resolved", "case.closed", "case.withdrawn", "case.marked_duplicate",
                    "case.forwarded", "directive.verified", "directive.cancelled"})
REOPENS = frozenset({"case.reopened", "directive.returned", "case.escalated",
                     "directive.escalated"})
"""A returned or escalated subject is worked on again: its clock runs again (escalated: from
the deadline it already missed or is missing, so the scanner escalates it as it would any)."""


@dataclass(frozen=True)
class Planner:
    """Everything a planning decision needs: the store, the rules and the clocks."""

    store: StreamLog
    """Where planning appends, on the caller's connection (the API's planner: the event store)."""
    rules: Sequence[Rule]
    clocks: Clocks
    cache: StreamCache = field(default_factory=StreamCache, compare=False)
    """The roster streams' states known to this process (see CommandPipeline)."""

    def pipeline(self) -> CommandPipeline:
        """The command pipeline on the planner's store; only a pooled event store runs commands."""
        if not isinstance(self.store, EventStore):
            raise TypeError("this planner appends inside consumers only; it runs no commands")
        return CommandPipeline(self.store, self.cache)

    async def commit(self, conn: Conn, state: SubjectState, events: Sequence[EventPayload],
                     context: CommandContext, expected_version: int | None = None
                     ) -> SubjectState:
        """Append a subject's new events and keep its row in step, in the caller's transaction."""
        if events:
            result = await self.store.append_in(conn, state.id, STREAM_TYPE, expected_version,
                                                events, context, serialised=True)
            for envelope, payload in zip(result.envelopes, events, strict=True):
                state = domain.evolve(state, payload, envelope.version)
        await tables.save_subject(conn, state)
        return state

    async def assign_by_rules(self, conn: Conn, state: SubjectState, trigger: str,
                              context: CommandContext) -> SubjectState:
        """Route by the rules unless routing would not change (or the holder was chosen by hand)."""
        routing = route(self.rules, state.facts, await tables.offices(conn),
                        await tables.officers_with_load(conn))
        made = domain.decide_automatic(state, routing, trigger,
                                       await tables.officer_active(conn, state.officer_id))
        return await self.commit(conn, state, [made] if made else [], context)

    async def on_intake(self, conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        """React to one intake event (already de-duplicated by event id)."""
        kind, payload = envelope.event_type, REGISTRY.current(envelope)
        await tables.lock_planning(conn)
        state = await tables.subject(conn, envelope.stream_id, for_update=True)
        region = state.region if state is not None else payload.get("region")
        context = CommandContext(
            actor=Actor(id=SYSTEM_ACTOR, role="system", region=region),
            correlation_id=envelope.correlation_id, causation_id=str(envelope.event_id))
        if kind in OPENS:
            if state is not None:
                return  # the subject is already known: a second registration changes nothing
            await self._open(conn, envelope, OPENS[kind], payload, context)
        elif state is None:
            return  # not ours to plan (e.g. registered before this service existed)
        elif kind == "case.triaged":
            risk = payload.get("risk_level")
            if risk == state.risk_level:
                return
            triaged = replace(state, risk_level=risk)
            await self.assign_by_rules(conn, triaged, f"{kind} ({risk} risk)", context)
        elif kind == "directive.deadline_extended":
            due = date.fromisoformat(str(payload["new_due_date"]))
            if due != state.due_date:
                await self.commit(conn, state, [self._deadline(state, due, "directive_extended",
                                                               envelope)], context)
        elif kind in TRACKED:
            await self._side_clock(conn, after_intake(state, kind, False), envelope, payload,
                                   context)
        elif kind in CLOSES:
            await tables.save_subject(conn, replace(after_intake(state, kind, True),
                                                    status=domain.CLOSED))
        elif kind in REOPENS and state.status == domain.CLOSED:
            await self.assign_by_rules(conn, replace(state, status=domain.OPEN), kind, context)

    async def _side_clock(self, conn: Conn, state: SubjectState, envelope: EventEnvelope,
                          payload: dict[str, Any], context: CommandContext) -> None:
        """An extension moves the due date and starts the notice clock; marking a case
        misdirected starts its forwarding clock; a notice only meets its clock."""
        events: list[EventPayload] = []
        if envelope.event_type == EXTENDED:
            events = [self._deadline(state, _day(payload["new_due_date"]), EXTENSION, envelope),
                      self._deadline(state, _day(payload["notice_due_date"]), EXTENSION_NOTICE,
                                     envelope)]
        elif envelope.event_type == MISDIRECTED:
            events = [self._deadline(state, _day(payload["forward_due_date"]),
                                     MISDIRECTED_FORWARD, envelope)]
        await self.commit(conn, state, events, context)

    async def _open(self, conn: Conn, envelope: EventEnvelope, subject_type: SubjectType,
                    payload: dict[str, Any], context: CommandContext) -> None:
        state = SubjectState(
            id=envelope.stream_id, subject_type=subject_type, region=payload.get("region"),
            sector=payload.get("sector"), basis_date=agency_date(envelope.occurred_at),
            basis_event_id=str(envelope.event_id))
        if subject_type is SubjectType.CASE:
            assert state.basis_date is not None
            deadline = self._deadline(state, self.clocks.due(APPEAL, state.basis_date), APPEAL,
                                      envelope)
        else:
            deadline = self._deadline(state, date.fromisoformat(str(payload["due_date"])),
                                      DIRECTIVE, envelope)
        deadlines = [deadline]
        catalog = central_bodies()
        if subject_type is SubjectType.DIRECTIVE and catalog.body_of(payload.get("addressee_body")):
            assert state.basis_date is not None
            deadlines.append(self._deadline(state, catalog.acknowledgement_due(state.basis_date),
                                            DIRECTIVE_ACKNOWLEDGEMENT, envelope))
        state = await self.commit(conn, state, deadlines, context)
        await self.assign_by_rules(conn, state, envelope.event_type, context)

    @staticmethod
    def _deadline(state: SubjectState, due: date, clock: str, basis: EventEnvelope
                  ) -> DeadlineSet:
        return DeadlineSet(subject_id=state.id, subject_type=state.subject_type, due_date=due,
                           clock=clock, basis_event_id=str(basis.event_id))

    async def recompute_clock(self, conn: Conn, state: SubjectState, context: CommandContext
                              ) -> SubjectState:
        """Re-derive a case's appeal deadline from its basis with today's calendar and clocks."""
        if state.clock != APPEAL or state.basis_date is None or state.basis_event_id is None:
            return state
        due = self.clocks.due(APPEAL, state.basis_date)
        if due == state.due_date:
            return state
        event = DeadlineSet(subject_id=state.id, subject_type=state.subject_type, due_date=due,
                            clock=APPEAL, basis_event_id=state.basis_event_id)
        return await self.commit(conn, state, [event], context)

    async def escalate(self, conn: Conn, state: SubjectState, today: date,
                       context: CommandContext) -> EscalationLevel | None:
        """Raise the subject's breach for today, once per (subject, level, due date)."""
        if state.status != domain.OPEN or state.due_date is None:
            return None
        level = self.clocks.escalation(today, state.due_date)
        if level is None:
            return None
        breach = breach_key(state.id, level, state.due_date)
        if await tables.escalated(conn, breach):
            return None
        await self._raise(conn, state, level, state.due_date, state.clock, breach, context)
        return level

    async def escalate_side_clocks(self, conn: Conn, state: SubjectState, today: date,
                                   context: CommandContext) -> SubjectState:
        """Raise each missed side clock (notice, forwarding) once per clock and due date."""
        for clock, due in pending(state):
            breach = breach_key(state.id, EscalationLevel.OVERDUE, due, clock)
            if today > due and not await tables.escalated(conn, breach):
                state = await self._raise(conn, state, EscalationLevel.OVERDUE, due, clock,
                                          breach, context)
        return state

    async def _raise(self, conn: Conn, state: SubjectState, level: EscalationLevel, due: date,
                     clock: str | None, breach: str, context: CommandContext) -> SubjectState:
        event = AssignmentEscalated(subject_id=state.id, subject_type=state.subject_type,
                                    level=level, due_date=due, breach=breach, clock=clock)
        result = await self.store.append_in(conn, state.id, STREAM_TYPE, None, [event], context,
                                            serialised=True)
        await tables.record_escalation(conn, breach, state.id, level.value, due,
                                       result.envelopes[0].event_id)
        state = replace(state, version=result.version)
        await tables.save_subject(conn, state)
        return state


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))

