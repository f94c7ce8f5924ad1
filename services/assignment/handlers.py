"""Assignment command handlers: manual assignment, hand-over and adopting unplaced work."""

from __future__ import annotations

from events import OfficeKind, Role
from services.assignment import tables
from services.assignment.domain.assignment import Holder, decide_handover, decide_manual, evolve
from services.assignment.domain.rules import route
from services.assignment.planner import STREAM_TYPE, Planner
from services.assignment.schemas import AssignRequest
from services.assignment.writes import Claim, transact
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.errors import Invalid, NotFound
from services.runtime.eventstore import CommandContext
from services.runtime.pipeline import StaleVersion, UnitOfWork
from services.runtime.results import Written


async def hand_over(planner: Planner, conn: Conn, leaving: str, context: CommandContext,
                    why: str = "deactivated") -> None:
    """Give each open item of a leaving officer to whom the rules choose now."""
    for subject in await tables.open_subjects_of(conn, leaving):
        routing = route(planner.rules, subject.facts, await tables.offices(conn),
                        await tables.officers_with_load(conn), exclude=frozenset({leaving}))
        made = decide_handover(subject, routing, leaving, why)
        if made is not None:
            await planner.commit(conn, subject, [made], context)


async def adopt_orphans(planner: Planner, conn: Conn, context: CommandContext) -> None:
    """Open items with nobody (or an inactive officer) holding them get routed again."""
    rows = await conn.fetch(
        """SELECT s.subject_id FROM subjects s LEFT JOIN officers o ON o.officer_id = s.officer_id
           WHERE s.status = 'open' AND (o.officer_id IS NULL OR NOT o.active)
           ORDER BY s.subject_id""")
    for row in rows:
        subject = await tables.subject(conn, row["subject_id"], for_update=True)
        if subject is None:
            continue
        if subject.officer_id is not None:
            routing = route(planner.rules, subject.facts, await tables.offices(conn),
                            await tables.officers_with_load(conn))
            made = decide_handover(subject, routing, subject.officer_id, "inactive")
            if made is not None:
                await planner.commit(conn, subject, [made], context)
        else:
            await planner.assign_by_rules(conn, subject, "roster changed", context)


async def assign_manually(planner: Planner, principal: Principal, subject_id: str,
                          body: AssignRequest, if_match: int | None, context: CommandContext,
                          claim: Claim) -> WriteResult:
    """A supervisor of the subject's region assigns or reassigns it, with a reason."""
    principal.require(Role.SUPERVISOR, Role.ADMIN)

    async def write(unit: UnitOfWork) -> WriteResult:
        conn = await unit.transaction()
        subject = await tables.subject(conn, subject_id, for_update=True)
        if subject is None or not principal.can_see(subject.region):
            raise NotFound(f"no case or directive {subject_id} known to assignment")
        if if_match is not None and if_match != subject.version:
            raise StaleVersion(subject_id, if_match, subject.version, precondition=True)
        row = await conn.fetchrow(
            """SELECT o.officer_id, o.region, o.office_id, o.active, f.kind
               FROM officers o JOIN offices f ON f.office_id = o.office_id
               WHERE o.officer_id = $1""", body.officer_id)
        if row is None:
            raise Invalid(f"no officer {body.officer_id}",
                          field="officer_id")
        holder = Holder(row["officer_id"], row["region"], row["office_id"],
                        OfficeKind(row["kind"]), row["active"])
        made = decide_manual(subject, holder, body.reason)
        result = await planner.store.append_in(conn, subject_id, STREAM_TYPE, subject.version,
                                               [made], context, serialised=True)
        new = evolve(subject, made, result.version)
        await tables.save_subject(conn, new)
        return Written({"subject_id": new.id, "officer_id": new.officer_id,
                        "office_id": new.office_id, "manual": True, "version": new.version,
                        "event_id": str(result.envelopes[0].event_id)})

    return await transact(planner, claim, write)
