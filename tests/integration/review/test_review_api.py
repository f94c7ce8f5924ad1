"""review's HTTP API on real Postgres: who may record a verdict, and that it is recorded once."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from events import RiskLevel
from services.runtime.topics import ensure_topics
from tests.integration.review.conftest import Stream, auth
from tests.integration.review.test_opener import RESOLVED, assigned, feed, triaged
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration

ADMIN = auth("admin", ["*"], "admin-1")
RETURN = {"verdict": "returned", "findings": "The inspection act is missing.",
          "flags": ["insufficient_evidence"]}


@pytest.fixture(scope="session", autouse=True)
async def topics(kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)


async def group_of(client: httpx.AsyncClient, region: str | None) -> dict[str, Any]:
    """The group of a region (formed on first use in the session)."""
    groups = (await client.get("/v1/monitoring-groups", headers=ADMIN)).json()["items"]
    for group in groups:
        if group["region"] == region:
            return dict(group)
    created = await client.post("/v1/monitoring-groups", headers=ADMIN,
                                json={"name": f"Group {region or 'RK'}", "region": region})
    assert created.status_code == 201, created.text
    return dict(created.json())


async def member(client: httpx.AsyncClient, region: str, monitor_id: str | None = None) -> str:
    """A monitor added to a region's group; returns its id."""
    monitor_id = monitor_id or f"mon-{uuid.uuid4().hex[:8]}"
    group = await group_of(client, region)
    added = await client.post(f"/v1/monitoring-groups/{group['id']}/members", headers=ADMIN,
                              json={"monitor_id": monitor_id, "name": "Test Monitor"})
    assert added.status_code == 200, added.text
    return monitor_id


async def open_review(pool: asyncpg.Pool, resolver: str = "op-res",
                      assignee: str = "officer-asg") -> tuple[str, str]:
    """A high-risk case in KZ-75, assigned and resolved, with its review open: (case, review)."""
    case = Stream("case")
    assignment = Stream("assignment", case.stream_id)
    await feed(pool, case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
               assignment.next(assigned(case.stream_id, assignee), role="system"),
               case.next(RESOLVED, actor=resolver))
    async with pool.acquire() as conn:
        review_id = await conn.fetchval(
            "SELECT review_id FROM review.reviews WHERE subject_id = $1", case.stream_id)
    assert review_id is not None
    return case.stream_id, str(review_id)


async def stored(pool: asyncpg.Pool, review_id: str) -> list[str]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT event_type FROM review.events WHERE stream_id = $1"
                                " ORDER BY version", review_id)
    return [r["event_type"] for r in rows]


async def test_resolver_assignee_other_region_monitor_and_operator_are_refused_and_nothing_is_recorded(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    resolver, assignee = f"res-{uuid.uuid4().hex[:6]}", f"asg-{uuid.uuid4().hex[:6]}"
    _, review_id = await open_review(review_pool, resolver, assignee)
    for insider in (resolver, assignee):  # members of the group, so only four-eyes refuses them
        await member(client, "KZ-75", insider)
    elsewhere = await member(client, "KZ-71")
    attempts = {
        "resolver": (auth("monitor", ["KZ-75"], resolver), 403, "Four-eyes rule"),
        "assignee": (auth("monitor", ["KZ-75"], assignee), 403, "Four-eyes rule"),
        "other region": (auth("monitor", ["KZ-71"], elsewhere), 404, "Not Found"),
        "operator": (auth("operator", ["KZ-75"], "op-other"), 403, "Forbidden"),
        "non-member": (auth("monitor", ["KZ-75"], "mon-outsider"), 403,
                       "Not a member of the monitoring group"),
    }
    for who, (headers, status, title) in attempts.items():
        for path in ("claim", "verdict"):
            response = await client.post(f"/v1/reviews/{review_id}/{path}", headers=headers,
                                         json=RETURN if path == "verdict" else {})
            assert (response.status_code, response.json()["title"]) == (status, title), who
            assert response.headers["content-type"] == "application/problem+json"
    assert await stored(review_pool, review_id) == ["review.opened"]


async def test_a_monitor_of_the_region_records_one_verdict_and_a_second_is_refused(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    case_id, review_id = await open_review(review_pool)
    monitor = await member(client, "KZ-75")
    other = await member(client, "KZ-75")
    headers = {**auth("monitor", ["KZ-75"], monitor), "Idempotency-Key": uuid.uuid4().hex}
    first = await client.post(f"/v1/reviews/{review_id}/verdict", headers=headers, json=RETURN)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["verdict"], body["reviewer_id"]) == ("decided", "returned",
                                                                      monitor)
    assert [e["event_type"] for e in body["history"]] == [
        "review.opened", "review.claimed", "review.verdict_recorded"]
    assert body["history"][2]["actor"] == {"id": monitor, "role": "monitor", "region": "KZ-75"}
    replay = await client.post(f"/v1/reviews/{review_id}/verdict", headers=headers, json=RETURN)
    assert replay.json() == body and replay.headers["idempotent-replayed"] == "true"
    again = await client.post(f"/v1/reviews/{review_id}/verdict", json={"verdict": "approved"},
                              headers=auth("monitor", ["KZ-75"], monitor))
    by_other = await client.post(f"/v1/reviews/{review_id}/verdict", json={"verdict": "approved"},
                                 headers=auth("monitor", ["KZ-75"], other))
    assert again.status_code == by_other.status_code == 409
    assert await stored(review_pool, review_id) == [
        "review.opened", "review.claimed", "review.verdict_recorded"]
    async with review_pool.acquire() as conn:
        assert await conn.fetchval("SELECT open_review_id FROM review.subjects"
                                   " WHERE subject_id = $1", case_id) is None


async def test_only_the_claimant_may_decide_a_claimed_review(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    _, review_id = await open_review(review_pool)
    claimant, other = await member(client, "KZ-75"), await member(client, "KZ-75")
    claimed = await client.post(f"/v1/reviews/{review_id}/claim",
                                headers=auth("monitor", ["KZ-75"], claimant))
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert claimed.headers["etag"] == '"2"'
    again = await client.post(f"/v1/reviews/{review_id}/claim",
                              headers=auth("monitor", ["KZ-75"], claimant))
    assert again.status_code == 200 and again.json()["version"] == 2
    refused = await client.post(f"/v1/reviews/{review_id}/verdict", json=RETURN,
                                headers=auth("monitor", ["KZ-75"], other))
    assert refused.status_code == 409 and "claimed by" in refused.json()["detail"]
    assert await stored(review_pool, review_id) == ["review.opened", "review.claimed"]


async def test_a_returned_or_escalated_verdict_without_findings_is_refused_naming_the_field(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    _, review_id = await open_review(review_pool)
    headers = auth("monitor", ["KZ-75"], await member(client, "KZ-75"))
    for verdict in ("returned", "escalated"):
        response = await client.post(f"/v1/reviews/{review_id}/verdict", headers=headers,
                                     json={"verdict": verdict, "findings": "  "})
        assert response.status_code == 422 and response.json()["field"] == "findings"
    unknown = await client.post(f"/v1/reviews/{review_id}/verdict", headers=headers,
                                json={"verdict": "approved", "grade": 5})
    assert unknown.status_code == 422
    assert await stored(review_pool, review_id) == ["review.opened"]


async def test_a_stale_if_match_is_refused_with_412_and_nothing_is_recorded(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    _, review_id = await open_review(review_pool)
    headers = {**auth("monitor", ["KZ-75"], await member(client, "KZ-75")), "If-Match": '"7"'}
    response = await client.post(f"/v1/reviews/{review_id}/verdict", headers=headers,
                                 json={"verdict": "approved"})
    assert response.status_code == 412 and response.json()["current_version"] == 1
    stale_body = await client.post(f"/v1/reviews/{review_id}/claim",
                                   headers={k: v for k, v in headers.items() if k != "If-Match"},
                                   json={"expected_version": 3})
    assert stale_body.status_code == 409
    assert await stored(review_pool, review_id) == ["review.opened"]


async def test_a_deactivated_monitor_can_no_longer_review(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    _, review_id = await open_review(review_pool)
    monitor = await member(client, "KZ-75")
    group = await group_of(client, "KZ-75")
    left = await client.post(f"/v1/monitoring-groups/{group['id']}/members/{monitor}/deactivate",
                             headers=ADMIN, json={"reason": "term ended"})
    assert left.status_code == 200
    assert [m["active"] for m in left.json()["members"] if m["monitor_id"] == monitor] == [False]
    refused = await client.post(f"/v1/reviews/{review_id}/claim",
                                headers=auth("monitor", ["KZ-75"], monitor))
    assert refused.status_code == 403


async def test_a_member_of_the_republican_group_reviews_in_any_region(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    _, review_id = await open_review(review_pool)
    republican = f"mon-rk-{uuid.uuid4().hex[:6]}"
    group = await group_of(client, None)
    added = await client.post(f"/v1/monitoring-groups/{group['id']}/members", headers=ADMIN,
                              json={"monitor_id": republican, "name": "Republican Monitor"})
    assert added.status_code == 200
    response = await client.post(f"/v1/reviews/{review_id}/verdict",
                                 headers=auth("monitor", ["*"], republican),
                                 json={"verdict": "approved"})
    assert response.status_code == 201


async def test_groups_are_one_per_region_and_managed_by_admins_only(
    client: httpx.AsyncClient,
) -> None:
    group = await group_of(client, "KZ-79")
    second = await client.post("/v1/monitoring-groups", headers=ADMIN,
                               json={"name": "Another Shymkent group", "region": "KZ-79"})
    assert second.status_code == 409 and second.json()["field"] == "region"
    as_monitor = auth("monitor", ["KZ-79"], "mon-x")
    refused = await client.post(f"/v1/monitoring-groups/{group['id']}/members",
                                headers=as_monitor, json={"monitor_id": "m", "name": "M"})
    assert refused.status_code == 403
    hidden = await client.get(f"/v1/monitoring-groups/{group['id']}",
                              headers=auth("monitor", ["KZ-75"], "mon-y"))
    assert hidden.status_code == 404


async def test_the_queue_filters_by_region_status_kind_and_overdue_within_the_callers_regions(
    client: httpx.AsyncClient, review_pool: asyncpg.Pool,
) -> None:
    case_id, review_id = await open_review(review_pool)
    almaty = auth("monitor", ["KZ-75"], "mon-q")

    async def ids(headers: dict[str, str], **params: Any) -> list[str]:
        page = await client.get("/v1/reviews", headers=headers,
                                params={"subject_id": case_id, **params})
        assert page.status_code == 200, page.text
        return [item["id"] for item in page.json()["items"]]

    assert await ids(almaty) == [review_id]
    assert await ids(almaty, region="KZ-75", status="open", kind="case", overdue="false",
                     reason="high_risk") == [review_id]
    assert await ids(almaty, status="decided") == []
    assert await ids(almaty, kind="directive") == []
    assert await ids(almaty, overdue="true") == []
    assert await ids(auth("monitor", ["KZ-71"], "mon-q")) == []
    detail = await client.get(f"/v1/reviews/{review_id}", headers=almaty)
    assert detail.status_code == 200 and detail.headers["etag"] == '"1"'
    assert detail.json()["overdue"] is False and detail.json()["history"][0]["version"] == 1
    page = (await client.get("/v1/reviews", headers=almaty, params={"limit": 1})).json()
    assert len(page["items"]) == 1 and page["limit"] == 1 and page["total"] >= 1
    assert (await client.get("/v1/reviews", headers=auth("operator", ["KZ-75"], "op"))
            ).status_code == 403
