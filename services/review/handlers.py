"""review's command handlers: load, check who asks, decide, append with the read models."""

from __future__ import annotations

from dataclasses import replace
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
from services.runtime.commands import WriteResult, conflict_problem
from services.runtime.eventstore import AppendResult, CommandContext, ConcurrencyConflict, EventStore
from services.runtime.idempotency import IdempotencyClaim, complete_claim
from services.runtime.problems import Problem


def group_view(state: groups.GroupState) -> GroupView:
    """The API's view of a group."""
    assert state.formed_at is not None
    return GroupView(
        id=state.id, version=state.version, name=state.name, region=state.region,
        formed_at=state.formed_at,
        members=[MemberView(monitor_id=m.monitor_id, name=m.name, active=m.active,
                            added_at=m.added_at) for m in state.members],
    )


def review_detail(state: ReviewState, result: list[Any]) -> ReviewDetail:
    """The API's view of a review, with its own stream as history."""
    assert state.status and state.subject_type and state.reason and state.due_date
    assert state.region and state.opened_at and state.trigger_event_id
    return ReviewDetail(
        id=state.id, version=state.version, status=state.status.value,
        subject_id=state.subject_id, subject_type=state.subject_type, region=state.region,
        reason=state.reason, due_date=state.due_date,
        overdue=state.status is not reviews.ReviewStatus.DECIDED
        and state.due_date < queries.today(),
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


async def _append(store: EventStore, stream_id: str, stream_type: str, expected: int,
                  precondition: bool, events: list[Any], context: CommandContext,
                  claim: IdempotencyClaim | None, respond: Any) -> AppendResult:
    try:
        return await store.append(stream_id, stream_type, expected, events, context,
                                  idempotency=claim, response_for=respond, also=project)
    except ConcurrencyConflict as exc:
        raise conflict_problem(exc, precondition=precondition) from None


# --- monitoring groups -----------------------------------------------------------------------

async def load_group(store: EventStore, principal: Principal, group_id: str
                     ) -> tuple[groups.GroupState, list[Any]]:
    """A group the caller may see (its region's, or the republican one) and its stream, or 404."""
    envelopes = await store.load(group_id)
    state = groups.fold(group_id, envelopes)
    visible = state.region is None or principal.can_see(state.region.value)
    if not state.exists or not visible:
        raise Problem(404, "Not Found", f"no monitoring group {group_id}")
    return state, envelopes


async def form_group(store: EventStore, name: str, region: Any, context: CommandContext,
                     claim: IdempotencyClaim | None) -> WriteResult:
    """Form a monitoring group; one per region and one republican group."""
    group_id = str(new_event_id())

    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        return 201, group_view(groups.fold(group_id, list(result.envelopes))).model_dump(
            mode="json")

    try:
        result = await store.append(group_id, groups.STREAM_TYPE, 0,
                                    groups.decide_form(name, region), context,
                                    idempotency=claim, response_for=respond, also=project)
    except asyncpg.UniqueViolationError:
        where = region.value if region is not None else "the republic"
        raise GroupExists(f"a monitoring group for {where} is already formed") from None
    return respond(result)


async def change_members(
    store: EventStore, principal: Principal, group_id: str,
    body: AddMemberRequest | DeactivateMemberRequest, monitor_id: str | None,
    if_match: int | None, context: CommandContext, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Add a monitor to a group, or deactivate one."""
    state, envelopes = await load_group(store, principal, group_id)
    context = replace(context, actor=principal.actor(state.region.value if state.region else None))
    if isinstance(body, AddMemberRequest):
        events = groups.decide_add_member(state, body.monitor_id, body.name)
    else:
        assert monitor_id is not None
        events = groups.decide_deactivate(state, monitor_id, body.reason)
    expected = if_match if if_match is not None else body.expected_version

    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        every = [*envelopes, *result.envelopes]
        return 200, group_view(groups.fold(group_id, every)).model_dump(mode="json")

    expected_version = expected if expected is not None else state.version
    result = await _append(store, group_id, groups.STREAM_TYPE, expected_version,
                           if_match is not None, events, context, claim, respond)
    return respond(result)


# --- reviews ---------------------------------------------------------------------------------

async def load_review(store: EventStore, principal: Principal, review_id: str
                      ) -> tuple[ReviewState, list[Any]]:
    """A review of a region the caller may see, with its stream; otherwise 404."""
    envelopes = await store.load(review_id)
    state = reviews.fold(review_id, envelopes)
    if not state.exists or not principal.can_see(state.region):
        raise Problem(404, "Not Found", f"no review {review_id}")
    return state, envelopes


async def _reviewer(store: EventStore, principal: Principal, state: ReviewState) -> Reviewer:
    assert state.region is not None
    async with store.pool.acquire() as conn:
        member = await queries.is_active_monitor(conn, principal.sub, state.region)
        conflicts = await queries.subject_participants(conn, state.subject_id)
    if state.assignee_id:
        conflicts.setdefault(state.assignee_id, "assignee")
    if state.resolver_id:
        conflicts[state.resolver_id] = "resolver"
    return Reviewer(id=principal.sub, is_member=member, conflicts=conflicts)


async def act_on_review(
    store: EventStore, principal: Principal, review_id: str, command: VerdictRequest | None,
    if_match: int | None, body_version: int | None, context: CommandContext,
    claim: IdempotencyClaim | None,
) -> WriteResult:
    """Claim a review (command None) or record its verdict, as a monitor of its region."""
    state, envelopes = await load_review(store, principal, review_id)
    context = replace(context, actor=principal.actor(state.region))
    reviewer = await _reviewer(store, principal, state)
    if command is None:
        events = reviews.decide_claim(state, reviewer)
    else:
        events = reviews.decide_verdict(state, reviewer, RecordVerdict(
            verdict=command.verdict, findings=command.findings, flags=tuple(command.flags)))
    status = 200 if command is None else 201

    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        every = [*envelopes, *result.envelopes]
        return status, review_detail(reviews.fold(review_id, every), every).model_dump(
            mode="json")

    expected = if_match if if_match is not None else body_version
    if expected is not None and expected != state.version:
        raise conflict_problem(ConcurrencyConflict(review_id, expected, state.version),
                               precondition=if_match is not None)
    if not events:  # claiming one's own claim again: nothing to record
        reply = respond(AppendResult(review_id, state.version))
        if claim is not None:
            async with store.pool.acquire() as conn:
                await complete_claim(conn, store.schema, claim, *reply)
        return reply
    result = await _append(store, review_id, reviews.STREAM_TYPE, state.version,
                           if_match is not None, events, context, claim, respond)
    return respond(result)
