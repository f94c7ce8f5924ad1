"""review's HTTP edge: the review queue, claims and verdicts, and monitoring groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from events import Region, ReviewReason, Role
from events.assignments import SubjectType
from services.review import handlers, queries
from services.review.domain.review import ReviewStatus
from services.review.schemas import (
    AddMemberRequest,
    ClaimRequest,
    DeactivateMemberRequest,
    FormGroupRequest,
    GroupList,
    GroupView,
    ReviewDetail,
    ReviewPage,
    VerdictRequest,
)
from services.runtime.auth import ALL_REGIONS, CurrentPrincipal, Principal
from services.runtime.clock import today
from services.runtime.commands import command_context, etag, parse_if_match, run_write
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.errors import Forbidden
from services.runtime.fields import IDEMPOTENT, IfMatch, Limit, Offset, PathId, QueryText

reviews_router = APIRouter(prefix="/v1/reviews", tags=["reviews"])
groups_router = APIRouter(prefix="/v1/monitoring-groups", tags=["monitoring groups"])

READERS = (Role.MONITOR, Role.SUPERVISOR, Role.ADMIN, Role.ANALYST)
WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"headers": {"ETag": {}}}, 201: {"headers": {"ETag": {}, "Location": {}}},
}


# --- reviews ---------------------------------------------------------------------------------

@reviews_router.get("", response_model=ReviewPage)
async def list_reviews(
    principal: CurrentPrincipal,
    runtime: Runtime,
    region: Region | None = None,
    status: ReviewStatus | None = None,
    kind: Annotated[SubjectType | None, Query(description="case or directive")] = None,
    reason: ReviewReason | None = None,
    overdue: bool | None = None,
    subject_id: QueryText = None,
    reviewer_id: QueryText = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ReviewPage:
    """The review queue of the caller's regions, most urgent first."""
    principal.require(*READERS)
    filters = {"region": region.value if region else None,
               "status": status.value if status else None,
               "subject_type": kind.value if kind else None,
               "reason": reason.value if reason else None, "overdue": overdue,
               "subject_id": subject_id, "reviewer_id": reviewer_id}
    async with runtime.pool.acquire() as conn:
        return await queries.list_reviews(conn, principal, filters, limit, offset,
                                          today(runtime.clock))


@reviews_router.get("/{review_id}", response_model=ReviewDetail)
async def get_review(review_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                     response: Response) -> ReviewDetail:
    """One review with its findings and its own history."""
    principal.require(*READERS)
    state, envelopes = await handlers.load_review(runtime.event_store, principal, review_id)
    response.headers["ETag"] = etag(state.version)
    return handlers.review_detail(state, envelopes, today(runtime.clock))


@reviews_router.post("/{review_id}/claim", response_model=ReviewDetail,
                     responses=WRITE_RESPONSES, dependencies=IDEMPOTENT)
async def claim_review(
    review_id: PathId, request: Request, principal: CurrentPrincipal, runtime: Runtime,
    if_match: IfMatch = None, body: Annotated[ClaimRequest | None, Body()] = None,
) -> Response:
    """Take a review task (monitors of its region; not its resolver or assignee)."""
    principal.require(Role.MONITOR)
    expected = parse_if_match(if_match)
    pipeline = runtime.commands
    context = command_context(request, principal, None)
    return await run_write(request, principal, lambda claim: handlers.act_on_review(
        pipeline, principal, review_id, None, expected, body.expected_version if body else None,
        context, claim, today(runtime.clock)))


@reviews_router.post("/{review_id}/verdict", status_code=201, response_model=ReviewDetail,
                     responses=WRITE_RESPONSES, dependencies=IDEMPOTENT)
async def record_verdict(
    review_id: PathId, body: VerdictRequest, request: Request, principal: CurrentPrincipal,
    runtime: Runtime, if_match: IfMatch = None,
) -> Response:
    """Record the verdict: approved, returned or escalated (with findings), once per task."""
    principal.require(Role.MONITOR)
    expected = parse_if_match(if_match)
    pipeline = runtime.commands
    context = command_context(request, principal, None)
    return await run_write(
        request, principal,
        lambda claim: handlers.act_on_review(pipeline, principal, review_id, body, expected,
                                             body.expected_version, context, claim,
                                             today(runtime.clock)),
        location=lambda b: f"/v1/reviews/{b['id']}",
    )


# --- monitoring groups -----------------------------------------------------------------------

@groups_router.post("", status_code=201, response_model=GroupView,
                    responses=WRITE_RESPONSES, dependencies=IDEMPOTENT)
async def form_group(body: FormGroupRequest, request: Request, principal: CurrentPrincipal,
                     runtime: Runtime) -> Response:
    """Form the monitoring group of a region, or the republican group (admins)."""
    principal.require(Role.ADMIN)
    if not principal.can_see(body.region.value if body.region else ALL_REGIONS):
        raise Forbidden("a group is formed only in the caller's regions",
                      field="region")
    pipeline = runtime.commands
    context = command_context(request, principal, body.region.value if body.region else None)
    return await run_write(
        request, principal,
        lambda claim: handlers.form_group(pipeline, body.name, body.region, context, claim),
        location=lambda b: f"/v1/monitoring-groups/{b['id']}",
    )


@groups_router.get("", response_model=GroupList)
async def list_groups(principal: CurrentPrincipal, runtime: Runtime) -> GroupList:
    """The groups of the caller's regions and the republican group."""
    principal.require(*READERS)
    async with runtime.pool.acquire() as conn:
        return GroupList(items=await queries.list_groups(conn, principal))


@groups_router.get("/{group_id}", response_model=GroupView)
async def get_group(group_id: PathId, principal: CurrentPrincipal, runtime: Runtime,
                    response: Response) -> GroupView:
    """One group with its members, active or not."""
    principal.require(*READERS)
    state = await handlers.load_group(runtime.commands, principal, group_id)
    response.headers["ETag"] = etag(state.version)
    return handlers.group_view(state)


@groups_router.post("/{group_id}/members", response_model=GroupView,
                    responses=WRITE_RESPONSES, dependencies=IDEMPOTENT)
async def add_member(group_id: PathId, body: AddMemberRequest, request: Request,
                     principal: CurrentPrincipal, runtime: Runtime,
                     if_match: IfMatch = None) -> Response:
    """Add a monitor (by login sub) to a group (admins)."""
    return await _change_members(request, principal, runtime, if_match, group_id, body, None)


@groups_router.post("/{group_id}/members/{monitor_id}/deactivate", response_model=GroupView,
                    responses=WRITE_RESPONSES, dependencies=IDEMPOTENT)
async def deactivate_member(group_id: PathId, monitor_id: PathId, body: DeactivateMemberRequest,
                            request: Request, principal: CurrentPrincipal, runtime: Runtime,
                            if_match: IfMatch = None) -> Response:
    """Deactivate a monitor of a group (admins); they can no longer claim or decide reviews."""
    return await _change_members(request, principal, runtime, if_match, group_id, body, monitor_id)


async def _change_members(request: Request, principal: Principal, runtime: ServiceRuntime,
                          if_match: str | None, group_id: str,
                          body: AddMemberRequest | DeactivateMemberRequest,
                          monitor_id: str | None) -> Response:
    """An admin adds (no monitor_id) or deactivates a member at the version If-Match names."""
    principal.require(Role.ADMIN)
    expected, pipeline = parse_if_match(if_match), runtime.commands
    context = command_context(request, principal, None)
    return await run_write(request, principal, lambda claim: handlers.change_members(
        pipeline, principal, group_id, body, monitor_id, expected, context, claim))
