"""Rebuild assignment's read tables from its log and intake's topic, then swap them in.

python -m services.assignment.rebuild           fold, build shadow tables, swap them in
python -m services.assignment.rebuild --check   fold into shadow tables, compare with live,
                                                exit 1 on a difference

Offices, officers and escalations are folds of assignment's own streams. A subject's row (the
workload counts open rows per officer) has two parts that never write each other's columns: its
routing facts and status, from the intake events the planner applied (registration, triage,
closing and reopening, in the subject's stream order), and its holder, clock and version, from
its own assignment stream. `updated_at` of a subject and `raised_at` of an escalation record
when a row was processed, not what the log says: a rebuild writes the event's `recorded_at` and
a check ignores them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import astuple, replace
from datetime import datetime
from typing import Any

from events import INTAKE_TOPIC, REGISTRY, AssignmentEscalated, EventEnvelope, SubjectType
from events.calendar import agency_date
from services.assignment.consumers import PLANNER, SCHEMA
from services.assignment.domain import assignment as domain
from services.assignment.domain.assignment import SubjectState
from services.assignment.domain.roster import (
    OFFICE_STREAM,
    OFFICER_STREAM,
    OfficerState,
    OfficeState,
    evolve_office,
    evolve_officer,
)
from services.assignment.domain.side_clocks import TRACKED, after_intake
from services.assignment.planner import CLOSES, OPENS, REOPENS, STREAM_TYPE
from services.runtime.rebuild import Table
from services.runtime.rebuild_owned import OwnedTables, Row, Rows, Source, command

OFFICES = Table("offices", ("office_id",), (
    "office_id", "name", "region", "kind", "active", "version", "updated_at"))
OFFICERS = Table("officers", ("officer_id",), (
    "officer_id", "name", "region", "office_id", "sectors", "capacity", "active", "version",
    "updated_at"))
SUBJECTS = Table("subjects", ("subject_id",), (
    "subject_id", "subject_type", "region", "sector", "risk_level", "status", "office_id",
    "officer_id", "manual", "rule", "clock", "basis_date", "basis_event_id", "due_date",
    "version", "notice_due_date", "notice_done", "forward_due_date", "forward_done",
    "ack_due_date", "ack_done",
    "updated_at"), volatile=("updated_at",))
ESCALATIONS = Table("escalations", ("breach",), (
    "breach", "subject_id", "level", "due_date", "event_id", "raised_at"),
    volatile=("raised_at",))


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def planned(consumed: Sequence[tuple[EventEnvelope, str]]
            ) -> tuple[dict[str, SubjectState], dict[str, datetime]]:
    """Subjects as the planner's intake reactions leave their routing facts and status, and
    the last time an intake event touched each."""
    subjects: dict[str, SubjectState] = {}
    touched: dict[str, datetime] = {}
    for envelope, _ in consumed:
        kind, payload, sid = envelope.event_type, REGISTRY.current(envelope), envelope.stream_id
        state = subjects.get(sid)
        if kind in OPENS:
            if state is not None:
                continue
            state = SubjectState(
                id=sid, subject_type=OPENS[kind], region=payload.get("region"),
                sector=payload.get("sector"), basis_date=agency_date(envelope.occurred_at),
                basis_event_id=str(envelope.event_id))
        elif state is None:
            continue
        elif kind == "case.triaged" and payload.get("risk_level") != state.risk_level:
            state = replace(state, risk_level=payload.get("risk_level"))
        elif kind in TRACKED:
            state = after_intake(state, kind, False)
        elif kind in CLOSES:
            state = replace(after_intake(state, kind, True), status=domain.CLOSED)
        elif kind in REOPENS and state.status == domain.CLOSED:
            state = replace(state, status=domain.OPEN)
        else:
            continue
        subjects[sid] = state
        touched[sid] = envelope.recorded_at
    return subjects, touched


def fold(source: Source) -> Rows:
    """assignment's read tables: a pure fold of its log and of what its planner applied."""
    subjects, touched = planned(source.consumed)
    offices: dict[str, tuple[OfficeState, datetime]] = {}
    officers: dict[str, tuple[OfficerState, datetime]] = {}
    escalations: list[Row] = []
    for envelope in source.own:
        payload = REGISTRY.read(envelope)
        sid, version = envelope.stream_id, envelope.version
        if envelope.stream_type == OFFICE_STREAM:
            office = offices.get(sid, (OfficeState(id=sid), envelope.recorded_at))[0]
            offices[sid] = (evolve_office(office, payload, version), envelope.recorded_at)
        elif envelope.stream_type == OFFICER_STREAM:
            officer = officers.get(sid, (OfficerState(id=sid), envelope.recorded_at))[0]
            officers[sid] = (evolve_officer(officer, payload, version), envelope.recorded_at)
        elif envelope.stream_type == STREAM_TYPE and sid in subjects:
            subjects[sid] = domain.evolve(subjects[sid], payload, version)
            touched[sid] = max(touched[sid], envelope.recorded_at)
            if isinstance(payload, AssignmentEscalated):
                escalations.append((payload.breach, sid, payload.level.value, payload.due_date,
                                    envelope.event_id, envelope.recorded_at))
    return {
        OFFICES.name: [(s.id, s.name, _value(s.region), s.kind.value, s.active, s.version, at)
                       for s, at in offices.values()],
        OFFICERS.name: [(s.id, s.name, _value(s.region), s.office_id,
                         [x.value for x in s.sectors], s.capacity, s.active, s.version, at)
                        for s, at in officers.values()],
        SUBJECTS.name: [_subject_row(s, touched[sid]) for sid, s in subjects.items()],
        ESCALATIONS.name: escalations,
    }


def _subject_row(state: SubjectState, at: datetime) -> Row:
    values = list(astuple(state))
    values[1] = SubjectType(state.subject_type).value
    return (*values, at)


TABLES = OwnedTables(
    service=SCHEMA, consumer=PLANNER, topics=(INTAKE_TOPIC,),
    scripts=("001_roster_and_subjects.sql", "002_clocks.sql", "003_bodies.sql"),
    tables=(OFFICES, OFFICERS, SUBJECTS, ESCALATIONS), fold=fold)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    return command(TABLES, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
