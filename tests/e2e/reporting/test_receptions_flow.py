"""A reception end to end: scheduled and held at intake for a directive, a case registered
there; reporting's register, summary and directive register show it through the topics."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from events.calendar import agency_date
from services.runtime.clock import SYSTEM_CLOCK
from tests.e2e.reporting.support import case_body, directive_body, post
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

AKIM = {"name": "Dana Seitkali", "position": "akim of the district"}


async def test_a_held_reception_with_a_case_shows_in_reporting_per_district(
        system: RunningSystem) -> None:
    today = agency_date(SYSTEM_CLOCK.now())
    district = f"Alatau {uuid.uuid4().hex[:6]}"
    intake, reporting = system.intake_url, system.reporting_url
    async with httpx.AsyncClient(timeout=30) as client:
        directive = await post(client, f"{intake}/v1/directives", {
            **directive_body(), "due_date": (today + timedelta(days=30)).isoformat(),
            "receptions_required": 2})
        reception = await post(client, f"{intake}/v1/receptions", {
            "region": "KZ-75", "district": district, "scheduled_on": today.isoformat(),
            "place": "District akimat", "officials": [AKIM], "directive_id": directive["id"]})
        held = await client.post(f"{intake}/v1/receptions/{reception['id']}/hold", headers=auth(),
                                 json={"held_on": today.isoformat(), "officials_present": [AKIM],
                                       "attendance": 19})
        assert held.status_code == 200, held.text
        await post(client, f"{intake}/v1/cases",
                   case_body(source="citizen_reception", reception_id=reception["id"]))

        async def registered() -> dict[str, Any] | None:
            r = await client.get(f"{reporting}/v1/receptions", headers=auth(),
                                 params={"district": district})
            items = r.json()["items"]
            return items[0] if items and items[0]["cases_registered"] == 1 else None

        row = await eventually(registered, what="the reception with its case in reporting")
        assert (row["status"], row["attendance"], row["directive_id"]) == (
            "held", 19, directive["id"])
        summary = await client.get(f"{reporting}/v1/receptions/summary", headers=auth(),
                                   params={"from": today.isoformat(), "to": today.isoformat(),
                                           "region": "KZ-75"})
        (mine,) = [d for d in summary.json()["by_district"] if d["district"] == district]
        assert (mine["held"], mine["attendance"], mine["cases_registered"]) == (1, 19, 1)

        async def progressed() -> dict[str, Any] | None:
            r = await client.get(f"{reporting}/v1/directives", headers=auth(),
                                 params={"addressee": directive["addressee_body"]})
            items = r.json()["items"]
            return items[0] if items and items[0]["receptions_held"] == 1 else None

        register = await eventually(progressed, what="the directive's held reception")
        assert register["receptions_required"] == 2
        view = await client.get(f"{intake}/v1/directives/{directive['id']}", headers=auth())
        assert (view.json()["receptions_required"], view.json()["receptions_held"]) == (2, 1)
