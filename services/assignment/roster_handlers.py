"""The roster's command handlers: offices and officers, with their read rows in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from events import OfficeKind, Role
from services.assignment import tables
from services.assignment.domain import roster
from services.assignment.domain.roster import OFFICE_STREAM, OFFICER_STREAM, OfficerState, OfficeState
from services.assignment.handlers import adopt_orphans, hand_over
from services.assignment.planner import Planner
from services.assignment.schemas import (
    ChangeOfficerRequest,
    EnrollOfficerRequest,
    OfficerView,
    OfficeView,
    OpenOfficeRequest,
)
from services.assignment.writes import Claim, transact
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.eventstore import AppendResult, CommandContext
from services.runtime.problems import Problem


def office_view(s: OfficeState) -> OfficeView:
    """The API's view of an office."""
    return OfficeView(id=s.id, name=s.name, region=s.region, kind=s.kind, active=s.active,
                      version=s.version)


def officer_view(s: OfficerState) -> OfficerView:
    """The API's view of an officer."""
    return OfficerView(id=s.id, name=s.name, region=s.region, office_id=s.office_id,
                       sectors=list(s.sectors), capacity=s.capacity, active=s.active,
                       version=s.version)


def may_manage(principal: Principal, region: str | None) -> None:
    """Admins manage the roster of their regions and national units; supervisors their regions'."""
    principal.require(Role.ADMIN, Role.SUPERVISOR)
    if principal.can_see(region) and (region is not None or principal.role is Role.ADMIN):
        return
    raise Problem(403, "Forbidden", "you may not manage the roster of that region",
                  field="region")


def visible(principal: Principal, region: str | None) -> bool:
    """Roster entries of national units are visible to all; regional ones in scope only."""
    return region is None or principal.can_see(region)


async def load_office(planner: Planner, conn: Conn, principal: Principal, office_id: str
                      ) -> OfficeState:
    """A visible office, or 404."""
    state = roster.fold_office(office_id, await planner.store.load_in(conn, office_id))
    if state.exists and state.kind is OfficeKind.REGIONAL_PROJECT_OFFICE \
            and not visible(principal, state.region.value if state.region else None):
        raise Problem(404, "Not Found", f"no office {office_id}")
    if not state.exists:
        raise Problem(404, "Not Found", f"no office {office_id}")
    return state


async def load_officer(planner: Planner, conn: Conn, principal: Principal, officer_id: str
                       ) -> OfficerState:
    """A visible officer, or 404."""
    state = roster.fold_officer(officer_id, await planner.store.load_in(conn, officer_id))
    if not state.exists or not visible(principal, state.region.value if state.region else None):
        raise Problem(404, "Not Found", f"no officer {officer_id}")
    return state


async def _office_in(planner: Planner, conn: Conn, office_id: str) -> OfficeState:
    return roster.fold_office(office_id, await planner.store.load_in(conn, office_id))


async def open_office(planner: Planner, principal: Principal, body: OpenOfficeRequest,
                      context: CommandContext, claim: Claim) -> WriteResult:
    """Open an office under the id the admin chose."""
    may_manage(principal, body.region.value if body.region else None)

    async def write(conn: Conn) -> WriteResult:
        state = await _office_in(planner, conn, body.id)
        events = roster.decide_open_office(state, body.name, body.region, body.kind)
        return await _append_office(planner, conn, state, events, context, claim, 0, 201)

    return await transact(planner, None, write)


async def change_office(planner: Planner, principal: Principal, office_id: str, name: str,
                        if_match: int | None, context: CommandContext, claim: Claim
                        ) -> WriteResult:
    """Rename an office."""
    async def write(conn: Conn) -> WriteResult:
        state = await load_office(planner, conn, principal, office_id)
        may_manage(principal, state.region.value if state.region else None)
        events = roster.decide_change_office(state, name)
        return await _append_office(planner, conn, state, events, context, claim, if_match, 200)

    return await transact(planner, if_match, write)


async def close_office(planner: Planner, principal: Principal, office_id: str, reason: str,
                       if_match: int | None, context: CommandContext, claim: Claim
                       ) -> WriteResult:
    """Close an office that has no active officer left."""
    async def write(conn: Conn) -> WriteResult:
        state = await load_office(planner, conn, principal, office_id)
        may_manage(principal, state.region.value if state.region else None)
        active = await conn.fetchval(
            "SELECT count(*) FROM officers WHERE office_id = $1 AND active", office_id)
        events = roster.decide_close_office(state, int(active), reason)
        return await _append_office(planner, conn, state, events, context, claim, if_match, 200)

    return await transact(planner, if_match, write)


async def _append_office(planner: Planner, conn: Conn, state: OfficeState, events: list[Any],
                         context: CommandContext, claim: Claim, expected: int | None,
                         status: int) -> WriteResult:
    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        new = state
        for envelope, payload in zip(result.envelopes, events, strict=True):
            new = roster.evolve_office(new, payload, envelope.version)
        return status, office_view(new).model_dump(mode="json")

    async def project(c: Conn, result: AppendResult) -> None:
        if result.envelopes:
            await tables.save_office(c, _office_after(state, events, result),
                                     result.envelopes[-1])

    result = await planner.store.append_in(
        conn, state.id, OFFICE_STREAM, expected if expected is not None else state.version,
        events, context, idempotency=claim, response_for=respond, also=project)
    return respond(result)


def _office_after(state: OfficeState, events: list[Any], result: AppendResult) -> OfficeState:
    for envelope, payload in zip(result.envelopes, events, strict=True):
        state = roster.evolve_office(state, payload, envelope.version)
    return state


def _officer_after(state: OfficerState, events: list[Any], result: AppendResult) -> OfficerState:
    for envelope, payload in zip(result.envelopes, events, strict=True):
        state = roster.evolve_officer(state, payload, envelope.version)
    return state


async def _append_officer(planner: Planner, conn: Conn, state: OfficerState, events: list[Any],
                          context: CommandContext, claim: Claim, expected: int | None,
                          status: int, then: Callable[[Conn], Awaitable[None]] | None = None
                          ) -> WriteResult:
    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        return status, officer_view(_officer_after(state, events, result)).model_dump(mode="json")

    async def project(c: Conn, result: AppendResult) -> None:
        if result.envelopes:
            await tables.save_officer(c, _officer_after(state, events, result),
                                      result.envelopes[-1])
            if then is not None:
                await then(c)

    result = await planner.store.append_in(
        conn, state.id, OFFICER_STREAM, expected if expected is not None else state.version,
        events, context, idempotency=claim, response_for=respond, also=project)
    return respond(result)


async def enroll_officer(planner: Planner, principal: Principal, body: EnrollOfficerRequest,
                         context: CommandContext, claim: Claim) -> WriteResult:
    """Enroll an officer (id = their login `sub`) in an open office; they take orphaned work."""
    async def write(conn: Conn) -> WriteResult:
        office = await _office_in(planner, conn, body.office_id)
        if not office.exists:
            raise Problem(422, "Unprocessable Content", f"no office {body.office_id}",
                          field="office_id")
        may_manage(principal, office.region.value if office.region else None)
        state = roster.fold_officer(body.id, await planner.store.load_in(conn, body.id))
        events = roster.decide_enroll(state, office, body.name, body.sectors, body.capacity)
        return await _append_officer(planner, conn, state, events, context, claim, 0, 201,
                                     then=lambda c: adopt_orphans(planner, c, context))

    return await transact(planner, None, write)


async def change_officer(planner: Planner, principal: Principal, officer_id: str,
                         body: ChangeOfficerRequest, if_match: int | None,
                         context: CommandContext, claim: Claim) -> WriteResult:
    """Change an officer's particulars; moving to another region hands their open work over."""
    async def write(conn: Conn) -> WriteResult:
        state = await load_officer(planner, conn, principal, officer_id)
        may_manage(principal, state.region.value if state.region else None)
        office = None
        if body.office_id is not None:
            office = await _office_in(planner, conn, body.office_id)
            if office.exists:
                may_manage(principal, office.region.value if office.region else None)
        events = roster.decide_change_officer(state, office, body.name, body.sectors,
                                              body.capacity)
        moved_region = office is not None and office.exists and office.region != state.region
        then = (lambda c: hand_over(planner, c, officer_id, context, "moved to another region")) \
            if moved_region else None
        return await _append_officer(planner, conn, state, events, context, claim, if_match, 200,
                                     then=then)

    return await transact(planner, if_match, write)


async def deactivate_officer(planner: Planner, principal: Principal, officer_id: str,
                             reason: str, if_match: int | None, context: CommandContext,
                             claim: Claim) -> WriteResult:
    """Deactivate an officer and hand every open item over by the rules, one event each."""
    async def write(conn: Conn) -> WriteResult:
        state = await load_officer(planner, conn, principal, officer_id)
        may_manage(principal, state.region.value if state.region else None)
        events = roster.decide_deactivate(state, reason)
        return await _append_officer(planner, conn, state, events, context, claim, if_match, 200,
                                     then=lambda c: hand_over(planner, c, officer_id, context))

    return await transact(planner, if_match, write)


async def reactivate_officer(planner: Planner, principal: Principal, officer_id: str,
                             reason: str | None, if_match: int | None, context: CommandContext,
                             claim: Claim) -> WriteResult:
    """Reactivate an officer; they take work the rules could not place."""
    async def write(conn: Conn) -> WriteResult:
        state = await load_officer(planner, conn, principal, officer_id)
        may_manage(principal, state.region.value if state.region else None)
        office = await _office_in(planner, conn, state.office_id)
        events = roster.decide_reactivate(state, office, reason)
        return await _append_officer(planner, conn, state, events, context, claim, if_match, 200,
                                     then=lambda c: adopt_orphans(planner, c, context))

    return await transact(planner, if_match, write)
