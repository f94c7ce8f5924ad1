"""Reads: a subject's assignment, the roster, and workload, scoped to the caller's regions."""

from __future__ import annotations

from datetime import date

from services.assignment import tables
from services.assignment.schemas import (
    AssignmentEventView,
    AssignmentView,
    OfficerLoad,
    OfficerView,
    OfficeView,
    WorkloadView,
)
from services.runtime.auth import Principal
from services.runtime.db import Conn
from services.runtime.errors import NotFound
from services.runtime.streamlog import StreamLog


def _regions(principal: Principal) -> list[str] | None:
    """The regions a caller sees, or None for all."""
    return None if principal.can_see("*") else sorted(principal.regions)


async def assignment(conn: Conn, store: StreamLog, principal: Principal, subject_id: str
                     ) -> AssignmentView:
    """Who holds a subject and its assignment history; 404 outside the caller's regions."""
    state = await tables.subject(conn, subject_id)
    if state is None or not principal.can_see(state.region):
        raise NotFound(f"no case or directive {subject_id} known to assignment")
    history = [
        AssignmentEventView(version=e.version, event_type=e.event_type, recorded_at=e.recorded_at,
                            actor_id=e.actor.id, payload=e.payload)
        for e in await store.load_in(conn, subject_id)
    ]
    return AssignmentView(
        subject_id=state.id, subject_type=state.subject_type.value, region=state.region,
        status=state.status, office_id=state.office_id, officer_id=state.officer_id,
        manual=state.manual, rule=state.rule, clock=state.clock, due_date=state.due_date,
        version=state.version, history=history)


def _scope(principal: Principal, region: str | None, column: str, args: list[object]
           ) -> str:
    """A WHERE fragment limiting rows to the requested region within the caller's scope."""
    clauses = []
    allowed = _regions(principal)
    if allowed is not None:
        args.append(allowed)
        clauses.append(f"({column} IS NULL OR {column} = ANY(${len(args)}::text[]))")
    if region is not None:
        args.append(region)
        clauses.append(f"{column} = ${len(args)}")
    return " AND ".join(clauses) or "true"


async def offices(conn: Conn, principal: Principal, region: str | None) -> list[OfficeView]:
    """Offices in the caller's regions (and national units)."""
    args: list[object] = []
    rows = await conn.fetch(
        f"SELECT * FROM offices WHERE {_scope(principal, region, 'region', args)}"
        " ORDER BY office_id", *args)
    return [OfficeView(id=r["office_id"], name=r["name"], region=r["region"], kind=r["kind"],
                       active=r["active"], version=r["version"]) for r in rows]


async def officers(conn: Conn, principal: Principal, region: str | None, office: str | None
                   ) -> list[OfficerView]:
    """Officers in the caller's regions (and of national units)."""
    args: list[object] = []
    where = _scope(principal, region, "region", args)
    if office is not None:
        args.append(office)
        where += f" AND office_id = ${len(args)}"
    rows = await conn.fetch(f"SELECT * FROM officers WHERE {where} ORDER BY officer_id", *args)
    return [OfficerView(id=r["officer_id"], name=r["name"], region=r["region"],
                        office_id=r["office_id"], sectors=r["sectors"], capacity=r["capacity"],
                        active=r["active"], version=r["version"]) for r in rows]


async def workload(conn: Conn, principal: Principal, region: str | None, office: str | None,
                   on: date) -> WorkloadView:
    """Open items and overdue counts per officer, and unassigned open items, in scope."""
    args: list[object] = [on]
    where = _scope(principal, region, "o.region", args)
    if office is not None:
        args.append(office)
        where += f" AND o.office_id = ${len(args)}"
    rows = await conn.fetch(
        f"""SELECT o.officer_id, o.name, o.office_id, o.region, o.active, o.capacity,
                   count(s.subject_id) AS open_items,
                   count(s.subject_id) FILTER (WHERE s.due_date < $1) AS overdue
            FROM officers o LEFT JOIN subjects s
              ON s.officer_id = o.officer_id AND s.status = 'open'
            WHERE {where}
            GROUP BY o.officer_id ORDER BY o.office_id, o.officer_id""", *args)
    unassigned_args: list[object] = []
    unassigned = await conn.fetchval(
        f"""SELECT count(*) FROM subjects s WHERE s.status = 'open' AND s.officer_id IS NULL
            AND {_scope(principal, region, 's.region', unassigned_args)}""", *unassigned_args)
    return WorkloadView(
        as_of=on, unassigned=int(unassigned or 0),
        officers=[OfficerLoad(officer_id=r["officer_id"], name=r["name"], office_id=r["office_id"],
                              region=r["region"], active=r["active"], capacity=r["capacity"],
                              open_items=r["open_items"], overdue=r["overdue"]) for r in rows])
