"""The review saga through the real broker: verdicts move the case, and reporting sees it all."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REGION = "KZ-75"
CASE = {
    "title": "Kickback demanded for a kindergarten place",
    "description": "A district education official asked parents for money to skip the queue.",
    "region": REGION, "sector": "education", "source": "citizen_reception",
    "district": "Auezov",
}
RESOLUTION = {"outcome": "confirmed", "summary": "The official was dismissed.",
              "measures_taken": ["dismissal", "queue audit"]}




class Loop:
    """The actors of one walk through the loop, each with a unique id."""

    def __init__(self, client: httpx.AsyncClient, system: RunningSystem) -> None:
        tag = uuid.uuid4().hex[:8]
        self.client, self.system = client, system
        self.review_url = system.urls["review"]
        self.operator = auth("operator", [REGION], f"op-{tag}")
        self.operator_sub = f"op-{tag}"
        self.monitor_sub = f"mon-{tag}"
        self.monitor = auth("monitor", [REGION], self.monitor_sub)
        self.admin = auth("admin", ["*"], f"admin-{tag}")

    async def join_group(self) -> None:
        """Make the monitor an active member of the region's group (formed if missing)."""
        url = f"{self.review_url}/v1/monitoring-groups"
        groups = (await self.client.get(url, headers=self.admin)).json()["items"]
        group = next((g for g in groups if g["region"] == REGION), None)
        if group is None:
            formed = await self.client.post(url, headers=self.admin,
                                            json={"name": "Almaty monitoring group",
                                                  "region": REGION})
            assert formed.status_code in (201, 409), formed.text
            groups = (await self.client.get(url, headers=self.admin)).json()["items"]
            group = next(g for g in groups if g["region"] == REGION)
        added = await self.client.post(f"{url}/{group['id']}/members", headers=self.admin,
                                       json={"monitor_id": self.monitor_sub, "name": "Monitor"})
        assert added.status_code == 200, added.text

    async def case_command(self, case_id: str, action: str, body: dict[str, Any]) -> None:
        """An operator command on the case; retried when another service moved it meanwhile."""
        async def attempt() -> bool:
            r = await self.client.post(f"{self.system.intake_url}/v1/cases/{case_id}/{action}",
                                       json=body, headers=self.operator)
            assert r.status_code in (200, 409), r.text
            return r.status_code == 200
        await eventually(attempt)

    async def case_status(self, case_id: str, status: str) -> dict[str, Any]:
        """Wait until intake shows the case in a status."""
        async def probe() -> dict[str, Any] | None:
            r = await self.client.get(f"{self.system.intake_url}/v1/cases/{case_id}",
                                      headers=self.operator)
            body: dict[str, Any] = r.json()
            return body if body.get("status") == status else None
        result: dict[str, Any] = await eventually(probe)
        return result

    async def review_after(self, case_id: str, previous: str | None) -> dict[str, Any]:
        """Wait for the review of the case that follows `previous` (None: the first)."""
        async def probe() -> dict[str, Any] | None:
            page = (await self.client.get(f"{self.review_url}/v1/reviews", headers=self.monitor,
                                          params={"subject_id": case_id})).json()
            found = [r for r in page["items"] if r["previous_review_id"] == previous]
            return found[0] if found else None
        result: dict[str, Any] = await eventually(probe)
        return result

    async def resolved_case(self, title: str = CASE["title"], risk: str = "critical",
                            category: str = "x", note: str = "checked") -> str:
        """A case registered, triaged at a risk and resolved by the operator; returns its id."""
        created = await self.client.post(f"{self.system.intake_url}/v1/cases",
                                         json={**CASE, "title": title}, headers=self.operator)
        assert created.status_code == 201, created.text
        case_id: str = created.json()["id"]
        await self.case_command(case_id, "triage", {"risk_level": risk, "category": category})
        await self.case_command(case_id, "notes", {"note": note})
        await self.case_command(case_id, "resolve", RESOLUTION)
        return case_id


async def test_returned_then_approved_walks_the_case_to_closed_and_reporting_shows_every_step(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        await loop.join_group()
        created = await client.post(f"{system.intake_url}/v1/cases", json=CASE,
                                    headers=loop.operator)
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        await loop.case_command(case_id, "triage", {"risk_level": "high", "category": "bribery"})
        await loop.case_command(case_id, "notes", {"note": "Parents interviewed"})
        await loop.case_command(case_id, "resolve", RESOLUTION)

        first = await loop.review_after(case_id, None)
        assert first["reason"] == "high_risk" and first["status"] == "open"
        claimed = await client.post(f"{loop.review_url}/v1/reviews/{first['id']}/claim",
                                    headers=loop.monitor)
        assert claimed.status_code == 200, claimed.text
        returned = await client.post(
            f"{loop.review_url}/v1/reviews/{first['id']}/verdict", headers=loop.monitor,
            json={"verdict": "returned", "findings": "No evidence the queue was restored.",
                  "flags": ["insufficient_evidence", "incomplete_measures"]})
        assert returned.status_code == 201, returned.text
        reopened = await loop.case_status(case_id, "reopened")
        assert reopened["version"] > created.json()["version"]

        await loop.case_command(case_id, "resolve", RESOLUTION)
        second = await loop.review_after(case_id, first["id"])
        assert second["id"] != first["id"] and second["reason"] == "high_risk"
        approved = await client.post(f"{loop.review_url}/v1/reviews/{second['id']}/verdict",
                                     headers=loop.monitor, json={"verdict": "approved"})
        assert approved.status_code == 201, approved.text
        await loop.case_status(case_id, "closed")

        async def closed_in_history() -> list[dict[str, Any]] | None:
            r = await client.get(f"{system.reporting_url}/v1/cases/{case_id}/history",
                                 headers=auth())
            if r.status_code != 200:
                return None
            events: list[dict[str, Any]] = r.json()["events"]
            return events if any(e["event_type"] == "case.closed" for e in events) else None

        events = await eventually(closed_in_history)
    key = ("case.resolved", "review.opened", "review.verdict_recorded", "case.reopened",
           "case.closed")
    steps = [(e["event_type"], e["stream_id"]) for e in events if e["event_type"] in key]
    timeline = "\n".join(f"{e['occurred_at']} {e['recorded_at']} {e['event_type']}"
                         for e in events)
    assert steps == [
        ("case.resolved", case_id), ("review.opened", first["id"]),
        ("review.verdict_recorded", first["id"]), ("case.reopened", case_id),
        ("case.resolved", case_id), ("review.opened", second["id"]),
        ("review.verdict_recorded", second["id"]), ("case.closed", case_id),
    ], f"reporting's history is not in causal order:\n{timeline}"
    verdicts = [e["payload"]["verdict"] for e in events
                if e["event_type"] == "review.verdict_recorded"]
    assert verdicts == ["returned", "approved"]


async def test_the_resolver_an_operator_and_another_regions_monitor_are_refused_and_nothing_is_recorded(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop = Loop(client, system)
        await loop.join_group()
        case_id = await loop.resolved_case()
        review = await loop.review_after(case_id, None)
        url = f"{loop.review_url}/v1/reviews/{review['id']}/verdict"
        body = {"verdict": "approved"}
        as_resolver = await client.post(url, json=body,
                                         headers=auth("monitor", [REGION], loop.operator_sub))
        as_operator = await client.post(url, json=body, headers=loop.operator)
        elsewhere = await client.post(url, json=body,
                                      headers=auth("monitor", ["KZ-71"], loop.monitor_sub))
        assert as_resolver.status_code == 403 and "resolver" in as_resolver.json()["detail"]
        assert as_operator.status_code == 403
        assert elsewhere.status_code == 404
        after = await client.get(f"{loop.review_url}/v1/reviews/{review['id']}",
                                 headers=loop.monitor)
        assert after.json()["version"] == 1 and after.json()["status"] == "open"
