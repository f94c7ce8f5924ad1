"""The roster's command handlers: offices and officers, with their read rows in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from events import OfficeKind, Role
from services.assignment import tables
from services.assignment.domain import roster
from services.assignment.domain.roster import OfficerState, OfficeState
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
from services.runtime.errors import Forbidden, Invalid, NotFound
from services.runtime.eventstore import CommandContext
from services.runtime.pipeline import Expected, UnitOfWork
from services.runtime.results import Written


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
    raise Forbidden("you may not manage the roster of that region",
                  field="region")


def visible(principal: Principal, region: str | None) -> bool:
    """Roster entries of national units are visible to all; regional ones in scope only."""
    return region is None or principal.can_see(region)


def _office_visible(principal: Principal, office_id: str, state: OfficeState) -> OfficeState:
    """An office the caller may see (national units: everyone), or 404."""
    regional = state.kind is OfficeKind.REGIONAL_PROJECT_OFFICE
    if not state.exists or (regional and not visible(
            principal, state.region.value if state.region else None)):
        raise NotFound(f"no office {office_id}")
    return state


def _officer_visible(principal: Principal, officer_id: str, state: OfficerState) -> OfficerState:
    """An officer the caller may see, or 404."""
    if not state.exists or not visible(principal, state.region.value if state.region else None):
        raise NotFound(f"no officer {officer_id}")
    return state


async def read_office(planner: Planner, principal: Principal, office_id: str) -> OfficeState:
    """A visible office as its stream has it now, or 404."""
    return _office_visible(principal, office_id,
                           await planner.pipeline().read(
                               roster.OFFICE, office_id))


async def read_officer(planner: Planner, principal: Principal, officer_id: str) -> OfficerState:
    """A visible officer as their stream has it now, or 404."""
    return _officer_visible(principal, officer_id,
                            await planner.pipeline().read(
                                roster.OFFICER, officer_id))


async def _load_office(unit: UnitOfWork, principal: Principal, office_id: str,
                       if_match: int | None) -> OfficeState:
    state = _office_visible(principal, office_id, await unit.load(roster.OFFICE, office_id))
    unit.expect(office_id, Expected.of(if_match, None))
    may_manage(principal, state.region.value if state.region else None)
    return state


async def _load_officer(unit: UnitOfWork, principal: Principal, officer_id: str,
                        if_match: int | None) -> OfficerState:
    state = _officer_visible(principal, officer_id, await unit.load(roster.OFFICER, officer_id))
    unit.expect(officer_id, Expected.of(if_match, None))
    may_manage(principal, state.region.value if state.region else None)
    return state


async def _append_office(unit: UnitOfWork, office_id: str, events: list[Any],
                         context: CommandContext, created: bool = False) -> WriteResult:
    """Append an office's events and keep its row in step."""
    state: OfficeState = unit.append(office_id, events, context)
    appended = unit.appended(office_id)
    if appended:
        await tables.save_office(await unit.transaction(), state, appended[-1])
    return Written(office_view(state).model_dump(mode="json"), created)


async def _append_officer(unit: UnitOfWork, officer_id: str, events: list[Any],
                          context: CommandContext, created: bool = False,
                          then: Callable[[Conn], Awaitable[None]] | None = None) -> WriteResult:
    """Append an officer's events, keep their row in step, then hand over or adopt work."""
    state: OfficerState = unit.append(officer_id, events, context)
    appended = unit.appended(officer_id)
    if appended:
        conn = await unit.transaction()
        await tables.save_officer(conn, state, appended[-1])
        if then is not None:
            await then(conn)
    return Written(officer_view(state).model_dump(mode="json"), created)


async def open_office(planner: Planner, principal: Principal, body: OpenOfficeRequest,
                      context: CommandContext, claim: Claim) -> WriteResult:
    """Open an office under the id the admin chose."""
    may_manage(principal, body.region.value if body.region else None)

    async def write(unit: UnitOfWork) -> WriteResult:
        state = await unit.load(roster.OFFICE, body.id)
        events = roster.decide_open_office(state, body.name, body.region, body.kind)
        return await _append_office(unit, body.id, events, context, created=True)

    return await transact(planner, claim, write)


async def change_office(planner: Planner, principal: Principal, office_id: str, name: str,
                        if_match: int | None, context: CommandContext, claim: Claim
                        ) -> WriteResult:
    """Rename an office."""
    async def write(unit: UnitOfWork) -> WriteResult:
        state = await _load_office(unit, principal, office_id, if_match)
        events = roster.decide_change_office(state, name)
        return await _append_office(unit, office_id, events, context)

    return await transact(planner, claim, write)


async def close_office(planner: Planner, principal: Principal, office_id: str, reason: str,
                       if_match: int | None, context: CommandContext, claim: Claim
                       ) -> WriteResult:
    """Close an office that has no active officer left."""
    async def write(unit: UnitOfWork) -> WriteResult:
        state = await _load_office(unit, principal, office_id, if_match)
        active = await unit.conn.fetchval(
            "SELECT count(*) FROM officers WHERE office_id = $1 AND active", office_id)
        events = roster.decide_close_office(state, int(active), reason)
        return await _append_office(unit, office_id, events, context)

    return await transact(planner, claim, write)


async def enroll_officer(planner: Planner, principal: Principal, body: EnrollOfficerRequest,
                         context: CommandContext, claim: Claim) -> WriteResult:
    """Enroll an officer (id = their login `sub`) in an open office; they take orphaned work."""
    async def write(unit: UnitOfWork) -> WriteResult:
        office = await unit.load(roster.OFFICE, body.office_id)
        if not office.exists:
            raise Invalid(f"no office {body.office_id}",
                          field="office_id")
        may_manage(principal, office.region.value if office.region else None)
        state = await unit.load(roster.OFFICER, body.id)
        events = roster.decide_enroll(state, office, body.name, body.sectors, body.capacity)
        return await _append_officer(unit, body.id, events, context, created=True,
                                     then=lambda c: adopt_orphans(planner, c, context))

    return await transact(planner, claim, write)


async def change_officer(planner: Planner, principal: Principal, officer_id: str,
                         body: ChangeOfficerRequest, if_match: int | None,
                         context: CommandContext, claim: Claim) -> WriteResult:
    """Change an officer's particulars; moving to another region hands their open work over."""
    async def write(unit: UnitOfWork) -> WriteResult:
        state = await _load_officer(unit, principal, officer_id, if_match)
        office = None
        if body.office_id is not None:
            office = await unit.load(roster.OFFICE, body.office_id)
            if office.exists:
                may_manage(principal, office.region.value if office.region else None)
        events = roster.decide_change_officer(state, office, body.name, body.sectors,
                                              body.capacity)
        moved_region = office is not None and office.exists and office.region != state.region
        then = (lambda c: hand_over(planner, c, officer_id, context, "moved to another region")) \
            if moved_region else None
        return await _append_officer(unit, officer_id, events, context, then=then)

    return await transact(planner, claim, write)


async def deactivate_officer(planner: Planner, principal: Principal, officer_id: str,
                             reason: str, if_match: int | None, context: CommandContext,
                             claim: Claim) -> WriteResult:
    """Deactivate an officer and hand every open item over by the rules, one event each."""
    async def write(unit: UnitOfWork) -> WriteResult:
        state = await _load_officer(unit, principal, officer_id, if_match)
        events = roster.decide_deactivate(state, reason)
        return await _append_officer(unit, officer_id, events, context,
                                     then=lambda c: hand_over(planner, c, officer_id, context))

    return await transact(planner, claim, write)


async def reactivate_officer(planner: Planner, principal: Principal, officer_id: str,
                             reason: str | None, if_match: int | None, context: CommandContext,
                             claim: Claim) -> WriteResult:
    """Reactivate an officer; they take work the rules could not place."""
    async def write(unit: UnitOfWork) -> WriteResult:
        state = await _load_officer(unit, principal, officer_id, if_match)
        office = await unit.load(roster.OFFICE, state.office_id)
        events = roster.decide_reactivate(state, office, reason)
        return await _append_officer(unit, officer_id, events, context,
                                     then=lambda c: adopt_orphans(planner, c, context))

    return await transact(planner, claim, write)
