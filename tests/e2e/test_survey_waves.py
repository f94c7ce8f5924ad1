"""A wave from an operator's file to the published indicators, on the running system: imported
with `casetrack survey import`, idempotent, reported suppressed, and its free text nowhere but
intake's survey store (not on a topic, not in reporting or its exports, not in any log)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from events import INTAKE_TOPIC
from tests.e2e.test_operator_cli import casetrack
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def wave_file(path: Path, marker: str) -> Path:
    """200 responses: KZ-75 universities on the police (20 of 120 experienced), KZ-71 colleges
    on health (80), and three KZ-62 school responses on land, too few to publish."""
    rows = ["Region;Institution type;Sector;Answer;Comment"]
    rows += [f"KZ-75;university;police;{'experienced' if n < 20 else 'none'};{marker} {n}"
             for n in range(120)]
    rows += [f"KZ-71;college;health;{'witnessed' if n < 8 else 'none'};" for n in range(77)]
    rows += ["KZ-62;school;land;experienced;" + marker] * 3
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_a_wave_imported_by_the_cli_is_reported_suppressed_and_its_text_stays_in_intake(
        system: RunningSystem, db: asyncpg.Connection, tmp_path: Path) -> None:
    marker, name = f"free-text-{uuid.uuid4().hex}", f"e2e wave {uuid.uuid4().hex[:8]}"
    file = wave_file(tmp_path / "wave.csv", marker)
    args = ("survey", "import", str(file), "--wave", name, "--from", "2026-03-01",
            "--to", "2026-04-30", "--json")
    first = await asyncio.to_thread(casetrack, system, *args)
    again = await asyncio.to_thread(casetrack, system, *args)
    assert first.returncode == 0, first.stderr
    made, repeated = json.loads(first.stdout), json.loads(again.stdout)
    assert (made["status"], made["responses"], made["cells"]) == (201, 200, 3)
    assert repeated == {**made, "status": 200}
    assert await db.fetchval("SELECT count(*) FROM intake.survey_responses WHERE wave_id = $1",
                             made["id"]) == 200

    reporting = system.urls["reporting"]
    async with httpx.AsyncClient(base_url=reporting, timeout=30) as http:
        async def listed() -> dict[str, Any] | None:
            items = (await http.get("/v1/surveys/waves", headers=auth())).json()["items"]
            return next((w for w in items if w["id"] == made["id"]), None)

        assert (await eventually(listed, what="the wave in reporting"))["responses"] == 200
        answer = await http.get(f"/v1/surveys/waves/{made['id']}/indicators", headers=auth())
        regional = await http.get(f"/v1/surveys/waves/{made['id']}/indicators",
                                  headers=auth("analyst", ["KZ-75"]))
        unknown = await http.get(f"/v1/surveys/waves/{uuid.uuid4()}/indicators", headers=auth())
        history = await http.get("/v1/exports/history.csv", headers=auth())
    body = answer.json()
    cells = {c["region"]: c for c in body["cells"]}
    assert (cells["KZ-75"]["n"], cells["KZ-75"]["share_experienced"]) == (120, round(20 / 120, 4))
    assert cells["KZ-62"]["suppressed"] and cells["KZ-62"]["n"] is None
    assert body["total"]["n"] == 200
    assert [c["region"] for c in regional.json()["cells"]] == ["KZ-75"]
    assert regional.json()["total"] is None
    assert (unknown.status_code, unknown.headers["content-type"]) == (404, "application/problem+json")
    assert made["id"] not in history.text

    records = await read_topic(system.bootstrap, INTAKE_TOPIC,
                               lambda got: any(made["id"].encode() == r.key for r in got))
    everywhere = [answer.text, regional.text, history.text, system.logs(),
                  *(r.value.decode(errors="replace") for r in records if r.value)]
    assert "survey.wave_imported" in system.logs()
    assert not [text[:80] for text in everywhere if marker in text]
    assert await db.fetchval("SELECT count(*) FROM intake.survey_responses WHERE comment LIKE $1",
                             f"{marker}%") == 123
