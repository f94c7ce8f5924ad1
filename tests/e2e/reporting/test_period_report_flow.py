"""Through the running system: a directive to a ministry by its catalog code, its
responsiveness in reporting, and the period report recomputed from the cut it names."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from openpyxl import load_workbook

from events.calendar import agency_date
from tests.e2e.reporting.support import at_rest
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REGION = "KZ-62"


async def test_a_ministrys_directive_is_reported_and_the_report_recomputes_from_its_cut(
    system: RunningSystem,
) -> None:
    today = agency_date(datetime.now(UTC))
    period = {"from": today.isoformat(), "to": today.isoformat(), "region": REGION}
    reader = auth("analyst", [REGION])
    body = {"title": "Audit district police licensing", "text": "Report the measures taken.",
            "issuing_authority": "Agency", "addressee_body": "gov-mia", "region": REGION,
            "due_date": (today + timedelta(days=21)).isoformat()}
    async with httpx.AsyncClient() as http:
        catalog = (await http.get(f"{system.intake_url}/v1/central-bodies", headers=reader)).json()
        assert "GOV-MIA" in {b["code"] for b in catalog["bodies"]}
        refused = await http.post(f"{system.intake_url}/v1/directives", headers=auth(),
                                  json={**body, "addressee_body": "GOV-NOPE"})
        assert refused.status_code == 422 and "addressee_body" in refused.text
        created = await http.post(f"{system.intake_url}/v1/directives", json=body, headers=auth())
        assert created.status_code == 201, created.text
        directive = created.json()
        assert directive["addressee_body"] == "GOV-MIA"
        base = f"{system.intake_url}/v1/directives/{directive['id']}"
        acknowledged = await http.post(f"{base}/acknowledge", json={"note": "accepted"}, headers=auth())
        assert acknowledged.is_success, acknowledged.text
        await at_rest(http, system, "directives", directive["id"])

        async def mia(field: str) -> dict[str, Any] | None:
            answer = await http.get(f"{system.reporting_url}/v1/reports/central-bodies",
                                    params=period, headers=reader)
            assert answer.status_code == 200, answer.text
            row: dict[str, Any] | None = answer.json()["bodies"].get("GOV-MIA")
            return row if row and row[field] >= 1 else None

        assert (await eventually(lambda: mia("acknowledged_on_time")))["issued"] >= 1
        first = (await http.get(f"{system.reporting_url}/v1/reports/period", params=period,
                                headers=reader)).json()
        assert first["cut"]["intake"] >= 2  # positions travelled from intake's log to reporting

        reported = await http.post(f"{base}/report", json={"summary": "licences reviewed"}, headers=auth())
        assert reported.is_success, reported.text
        await eventually(lambda: mia("reported_on_time"))
        again = await http.get(f"{system.reporting_url}{first['recompute']}", headers=reader)
        assert again.json() == first
        now = (await http.get(f"{system.reporting_url}/v1/reports/period", params=period,
                              headers=reader)).json()
        assert now["digest"] != first["digest"]

        recompute = dict(parse_qsl(urlsplit(first["recompute"]).query))
        document = await http.get(f"{system.reporting_url}/v1/reports/period.xlsx",
                                  params=recompute, headers=reader)
        assert document.status_code == 200
        cover = {r[0]: r[1] for r in load_workbook(io.BytesIO(document.content))["Report"]
                 .iter_rows(values_only=True) if r}
        assert cover["digest"] == first["digest"]
        hidden = await http.get(f"{system.reporting_url}/v1/reports/period",
                                params={**period, "region": "KZ-75"}, headers=reader)
        assert hidden.status_code == 404
