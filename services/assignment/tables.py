"""assignment's own tables: the roster and subject read models, written with the events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from uuid import UUID

import asyncpg

from events import EventEnvelope, OfficeKind, SubjectType
from services.assignment.domain.assignment import SubjectState
from services.assignment.domain.roster import OfficerState, OfficeState
from services.assignment.domain.rules import Office, Officer
from services.runtime.db import Conn, advisory_key
from services.runtime.streamlog import StreamLog

PLANNING_LOCK = advisory_key("casetrack.assignment.planning")
"""Assignment's planning lock. Every decision that reads officers' load or subject rows (the
planner, manual assignment, roster changes and their hand-overs, the clock scanner) takes it
first, so two decisions never balance on the same stale load and never deadlock on subject rows.
It orders planning decisions only: the event store's appends take no lock of their own."""


async def lock_planning(conn: Conn) -> None:
    """Plan alone until this transaction ends (planning appends: the events lock comes first)."""
    await StreamLog("assignment").lock_in(conn)
    await conn.execute("SELECT pg_advisory_xact_lock($1)", PLANNING_LOCK)


async def save_office(conn: Conn, office: OfficeState, at: EventEnvelope) -> None:
    """Keep the office row equal to its stream."""
    await conn.execute(
        """INSERT INTO offices (office_id, name, region, kind, active, version, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7)
           ON CONFLICT (office_id) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region,
             kind = EXCLUDED.kind, active = EXCLUDED.active, version = EXCLUDED.version,
             updated_at = EXCLUDED.updated_at""",
        office.id, office.name, office.region.value if office.region else None,
        office.kind.value, office.active, office.version, at.recorded_at,
    )


async def save_officer(conn: Conn, officer: OfficerState, at: EventEnvelope) -> None:
    """Keep the officer row equal to their stream."""
    await conn.execute(
        """INSERT INTO officers (officer_id, name, region, office_id, sectors, capacity, active,
             version, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
           ON CONFLICT (officer_id) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region,
             office_id = EXCLUDED.office_id, sectors = EXCLUDED.sectors,
             capacity = EXCLUDED.capacity, active = EXCLUDED.active, version = EXCLUDED.version,
             updated_at = EXCLUDED.updated_at""",
        officer.id, officer.name, officer.region.value if officer.region else None,
        officer.office_id, [s.value for s in officer.sectors], officer.capacity, officer.active,
        officer.version, at.recorded_at,
    )


async def offices(conn: Conn) -> list[Office]:
    """Every office, for routing."""
    rows = await conn.fetch("SELECT office_id, region, kind, active FROM offices")
    return [Office(r["office_id"], r["region"], OfficeKind(r["kind"]), r["active"]) for r in rows]


async def officers_with_load(conn: Conn) -> list[Officer]:
    """Every active officer with their count of open items, for load balancing."""
    rows = await conn.fetch(
        """SELECT o.officer_id, o.office_id, o.sectors, o.capacity, o.active,
                  (SELECT count(*) FROM subjects s
                    WHERE s.officer_id = o.officer_id AND s.status = 'open') AS open_items
           FROM officers o WHERE o.active""")
    return [Officer(r["officer_id"], r["office_id"], frozenset(r["sectors"]), r["capacity"],
                    int(r["open_items"]), r["active"]) for r in rows]


async def officer_active(conn: Conn, officer_id: str | None) -> bool:
    """Whether an officer exists and takes work."""
    if officer_id is None:
        return False
    return bool(await conn.fetchval("SELECT active FROM officers WHERE officer_id = $1",
                                    officer_id))


def _subject(row: asyncpg.Record) -> SubjectState:
    return SubjectState(
        id=row["subject_id"], subject_type=SubjectType(row["subject_type"]), region=row["region"],
        sector=row["sector"], risk_level=row["risk_level"], status=row["status"],
        office_id=row["office_id"], officer_id=row["officer_id"], manual=row["manual"],
        rule=row["rule"], clock=row["clock"], basis_date=row["basis_date"],
        basis_event_id=row["basis_event_id"], due_date=row["due_date"], version=row["version"],
        notice_due_date=row["notice_due_date"], notice_done=row["notice_done"],
        forward_due_date=row["forward_due_date"], forward_done=row["forward_done"],
        ack_due_date=row["ack_due_date"], ack_done=row["ack_done"],
    )


async def subject(conn: Conn, subject_id: str, *, for_update: bool = False) -> SubjectState | None:
    """One subject, locked for the transaction if asked."""
    row = await conn.fetchrow(
        "SELECT * FROM subjects WHERE subject_id = $1" + (" FOR UPDATE" if for_update else ""),
        subject_id)
    return _subject(row) if row else None


async def open_subjects_of(conn: Conn, officer_id: str) -> list[SubjectState]:
    """An officer's open items, oldest first."""
    rows = await conn.fetch(
        "SELECT * FROM subjects WHERE officer_id = $1 AND status = 'open'"
        " ORDER BY due_date NULLS LAST, subject_id FOR UPDATE", officer_id)
    return [_subject(r) for r in rows]


async def open_subjects(conn: Conn, after: str | None = None) -> list[SubjectState]:
    """Open subjects and those with a side clock still running (those after `after`, by id),
    for clock recomputation, routing replays and escalation scans."""
    rows = await conn.fetch(
        """SELECT * FROM subjects
           WHERE (status = 'open' OR (notice_due_date IS NOT NULL AND NOT notice_done)
                  OR (forward_due_date IS NOT NULL AND NOT forward_done)
                  OR (ack_due_date IS NOT NULL AND NOT ack_done))
             AND subject_id > $1 ORDER BY subject_id""", after or "")
    return [_subject(r) for r in rows]


async def save_subject(conn: Conn, state: SubjectState) -> None:
    """Write a subject row as decided."""
    values = asdict(state)
    values["subject_type"] = state.subject_type.value
    columns = list(values)
    names = ["subject_id" if c == "id" else c for c in columns]
    placeholders = ",".join(f"${i}" for i in range(1, len(columns) + 1))
    updates = ",".join(f"{n} = EXCLUDED.{n}" for n in names if n != "subject_id")
    await conn.execute(
        f"""INSERT INTO subjects ({",".join(names)}, updated_at) VALUES ({placeholders}, now())
            ON CONFLICT (subject_id) DO UPDATE SET {updates}, updated_at = now()""",
        *values.values(),
    )


async def record_escalation(conn: Conn, breach: str, subject_id: str, level: str,
                            due_date: date, event_id: UUID) -> None:
    """Remember a raised breach."""
    await conn.execute(
        "INSERT INTO escalations (breach, subject_id, level, due_date, event_id)"
        " VALUES ($1,$2,$3,$4,$5)", breach, subject_id, level, due_date, event_id)


async def escalated(conn: Conn, breach: str) -> bool:
    """Whether a breach was already raised."""
    return bool(await conn.fetchval("SELECT 1 FROM escalations WHERE breach = $1", breach))
