"""review's command handlers: load, check who asks, decide, append with the read models."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import asyncpg

from events import new_event_id
from services.review import queries
from services.review.domain import group as groups
from services.review.domain import review as reviews
from services.review.domain.errors import GroupExists
from services.review.domain.review import RecordVerdict, Reviewer, ReviewState
from services.review.projections import project
from services.review.schemas import (
    AddMemberRequest,
    DeactivateMemberRequest,
    GroupView,
    MemberView,
    ReviewDetail,
    ReviewEvent,
    VerdictRequest,
)
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.errors import NotFound
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, Expected, UnitOfWork
from services.runtime.results import Written


def group_view(state: groups.GroupState) -> GroupView:
    """The API's view of a group."""
    assert state.formed_at is not None
    return GroupView(
        id=state.id, version=state.version, name=state.name, region=state.region,
        formed_at=state.formed_at,
        members=[MemberView(monitor_id=m.monitor_id, name=m.name, active=m.active,
                            added_at=m.added_at) for m in state.members],
    )


def review_detail(state: ReviewState, result: list[Any], today: date) -> ReviewDetail:
    """The API's view of a review, with its own stream as history."""
    assert state.status and state.subject_type and state.reason and state.due_date
    assert state.region and state.opened_at and state.trigger_event_id
    return ReviewDetail(
        id=state.id, version=state.version, status=state.status.value,
        subject_id=state.subject_id, subject_type=state.subject_type, region=state.region,
        reason=state.reason, due_date=state.due_date,
        overdue=state.status is not reviews.ReviewStatus.DECIDED
        and state.due_date < today,
        previous_review_id=state.previous_review_id, reviewer_id=state.reviewer_id,
        verdict=state.verdict, opened_at=state.opened_at, decided_at=state.decided_at,
        resolver_id=state.resolver_id, assignee_id=state.assignee_id,
        trigger_event_id=state.trigger_event_id, findings=state.findings,
        flags=list(state.flags),
        history=[ReviewEvent(event_id=str(e.event_id), version=e.version,
                             event_type=e.event_type, occurred_at=e.occurred_at,
                             actor=e.actor.model_dump(mode="json"), payload=e.payload,
                             hash=e.hash) for e in result],
    )


# --- monitoring groups -----------------------------------------------------------------------

def _visible_group(principal: Principal, group_id: str, state: groups.GroupState
                   ) -> groups.GroupState:
    """A group the caller may see (its region's, or the republican one), or 404."""
    visible = state.region is None or principal.can_see(state.region.value)
    if not state.exists or not visible:
        raise NotFound(f"no monitoring group {group_id}")
    return state


async def load_group(pipeline: CommandPipeline, principal: Principal, group_id: str
                     ) -> groups.GroupState:
    """A group the caller may see, or 404."""
    return _visible_group(principal, group_id, await pipeline.read(groups.GROUP, group_id))


async def form_group(pipeline: CommandPipeline, name: str, region: Any, context: CommandContext,
                     claim: IdempotencyClaim | None) -> WriteResult:
    """Form a monitoring group; one per region and one republican group."""
    group_id = str(new_event_id())

    async def work(unit: UnitOfWork) -> WriteResult:
        unit.new(groups.GROUP, group_id)
        state = unit.append(group_id, groups.decide_form(name, region), context)
        await project(await unit.transaction(), unit.appended(group_id))
        return Written(group_view(state).model_dump(mode="json"), created=True)

    try:
        return await pipeline.run(work, claim)
    except asyncpg.UniqueViolationError:
        where = region.value if region is not None else "the republic"
        raise GroupExists(f"a monitoring group for {where} is already formed") from None


async def change_members(
    pipeline: CommandPipeline, principal: Principal, group_id: str,
    body: AddMemberRequest | DeactivateMemberRequest, monitor_id: str | None,
    if_match: int | None, context: CommandContext, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Add a monitor to a group, or deactivate one."""

    async def work(unit: UnitOfWork) -> WriteResult:
        state = _visible_group(principal, group_id, await unit.load(groups.GROUP, group_id))
        unit.expect(group_id, Expected.of(if_match, body.expected_version))
        if isinstance(body, AddMemberRequest):
            events = groups.decide_add_member(state, body.monitor_id, body.name)
        else:
            assert monitor_id is not None
            events = groups.decide_deactivate(state, monitor_id, body.reason)
        acting = replace(context, actor=principal.actor(
            state.region.value if state.region else None))
        after = unit.append(group_id, events, acting)
        await project(await unit.transaction(), unit.appended(group_id))
        return Written(group_view(after).model_dump(mode="json"))

    return await pipeline.run(work, claim)


# --- reviews ---------------------------------------------------------------------------------

def _visible_review(principal: Principal, review_id: str, state: ReviewState) -> ReviewState:
    """A review of a region the caller may see, or 404."""
    if not state.exists or not principal.can_see(state.region):
        raise NotFound(f"no review {review_id}")
    return state


async def load_review(store: EventStore, principal: Principal, review_id: str
                      ) -> tuple[ReviewState, list[Any]]:
    """A review of a region the caller may see, with its stream; otherwise 404."""
    envelopes = await store.load(review_id)
    return _visible_review(principal, review_id, reviews.fold(review_id, envelopes)), envelopes


async def _reviewer(conn: Conn, principal: Principal, state: ReviewState) -> Reviewer:
    assert state.region is not None
    member = await queries.is_active_monitor(conn, principal.sub, state.region)
    conflicts = await queries.subject_participants(conn, state.subject_id)
    if state.assignee_id:
        conflicts.setdefault(state.assignee_id, "assignee")
    if state.resolver_id:
        conflicts[state.resolver_id] = "resolver"
    return Reviewer(id=principal.sub, is_member=member, conflicts=conflicts)


async def act_on_review(
    pipeline: CommandPipeline, principal: Principal, review_id: str,
    command: VerdictRequest | None, if_match: int | None, body_version: int | None,
    context: CommandContext, claim: IdempotencyClaim | None, today: date,
) -> WriteResult:
    """Claim a review (command None) or record its verdict, as a monitor of its region."""

    async def work(unit: UnitOfWork) -> WriteResult:
        state, history = await unit.load_with_history(reviews.REVIEW, review_id)
        _visible_review(principal, review_id, state)
        unit.expect(review_id, Expected.of(if_match, body_version))
        reviewer = await _reviewer(unit.conn, principal, state)
        if command is None:
            events = reviews.decide_claim(state, reviewer)
        else:
            events = reviews.decide_verdict(state, reviewer, RecordVerdict(
                verdict=command.verdict, findings=command.findings, flags=tuple(command.flags)))
        after = unit.append(review_id, events, replace(context, actor=principal.actor(state.region)))
        appended = unit.appended(review_id)
        await project(await unit.transaction(), appended)
        detail = review_detail(after, [*history, *appended], today)
        return Written(detail.model_dump(mode="json"), created=command is not None)

    return await pipeline.run(work, claim)
