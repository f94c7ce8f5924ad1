"""A broker restarted under CPU load, while cases are being written, loses and repeats nothing.

Each round restarts the session's broker while cases are registered and flagged (the relays are
then sending, waiting for acknowledgements or saving their cursors, and the consumers are in the
middle of batches). The embedded broker forgets every topic, record and committed offset on
restart. Afterwards every read model holds each case's effects exactly once: assignment's
subjects and assignments, intake-reactor's case events, review's tasks, reporting's register and
history. CASETRACK_BROKER_RESTART_ROUNDS sets the restarts per run (default 3) and
CASETRACK_BROKER_RESTART_REPEAT how many times the whole test runs (default 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.load import cpu_load
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

ROUNDS = int(os.environ.get("CASETRACK_BROKER_RESTART_ROUNDS", "3"))
REPEAT = int(os.environ.get("CASETRACK_BROKER_RESTART_REPEAT", "1"))
CASES_PER_ROUND = 12
REGION = "KZ-71"
CASE = {"title": "Fee demanded for a building permit", "description": "Cash asked at the desk.",
        "region": REGION, "sector": "housing", "source": "hotline"}


async def _open_office(client: httpx.AsyncClient, system: RunningSystem) -> None:
    """An office and officer in the region, so that every case gets assigned."""
    tag = uuid.uuid4().hex[:8]
    url = system.urls["assignment"]
    office = await client.post(f"{url}/v1/offices", headers=auth(),
                               json={"id": f"restart-{tag}", "name": f"Office {tag}",
                                     "region": REGION, "kind": "regional_project_office"})
    assert office.status_code == 201, office.text
    officer = await client.post(f"{url}/v1/officers", headers=auth(),
                                json={"id": f"restart-officer-{tag}", "name": "Officer",
                                      "office_id": f"restart-{tag}", "sectors": ["housing"],
                                      "capacity": 1000})
    assert officer.status_code == 201, officer.text


async def _post(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> httpx.Response:
    """A write, retried with its idempotency key while it still runs (409) or when a loaded
    server drops the connection before answering."""
    headers = {**auth(), "Idempotency-Key": uuid.uuid4().hex}
    for _ in range(50):
        try:
            response = await client.post(url, json=body, headers=headers)
        except httpx.TransportError:
            await asyncio.sleep(0.2)
            continue
        if response.status_code not in (409, 412):
            return response
        await asyncio.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


async def _case_lives(client: httpx.AsyncClient, system: RunningSystem, count: int) -> list[str]:
    """Register cases and flag each for review; the ids of those answered 2xx."""
    marker = uuid.uuid4().hex[:8]
    sem = asyncio.Semaphore(6)

    async def one(i: int) -> str:
        async with sem:
            r = await _post(client, f"{system.intake_url}/v1/cases",
                            {**CASE, "district": f"{marker}-{i}"})
            assert r.status_code == 201, r.text
            case_id: str = r.json()["id"]
            r = await _post(client, f"{system.intake_url}/v1/cases/{case_id}/flag-for-review",
                            {"reason": "Monitoring group asked to look at this permit"})
            assert r.status_code == 200, r.text
            return case_id

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def _counts(db: asyncpg.Connection, sql: str, ids: list[str]) -> dict[str, int]:
    return {r[0]: r[1] for r in await db.fetch(sql, ids)}


async def _everything_arrived(db: asyncpg.Connection, ids: list[str]) -> bool:
    """Whether the last effect of every case's chain has reached its read model."""
    started = await db.fetchval(
        """SELECT count(DISTINCT stream_id) FROM intake.events
           WHERE stream_id = ANY($1::text[]) AND event_type = 'case.review_started'""", ids)
    assigned = await db.fetchval(
        """SELECT count(DISTINCT stream_id) FROM intake.events
           WHERE stream_id = ANY($1::text[]) AND event_type = 'case.assigned'""", ids)
    if started != len(ids) or assigned != len(ids):
        return False
    logged = await db.fetchval(
        """SELECT count(*) FROM (SELECT event_id FROM intake.events WHERE stream_id = ANY($1)
             UNION ALL SELECT event_id FROM assignment.events
                       WHERE stream_id = ANY($1) OR payload->>'subject_id' = ANY($1)
             UNION ALL SELECT e.event_id FROM review.events e JOIN review.reviews r
                       ON r.review_id = e.stream_id WHERE r.subject_id = ANY($1)) AS logs""",
        ids)
    projected = await _history_count(db, ids)
    return bool(projected >= logged)


async def _history_count(db: asyncpg.Connection, ids: list[str]) -> int:
    count = await db.fetchval(
        """SELECT count(*) FROM reporting.history h
           WHERE h.stream_id = ANY($1) OR h.payload->>'subject_id' = ANY($1)
              OR h.stream_id IN (SELECT review_id FROM review.reviews
                                 WHERE subject_id = ANY($1))""", ids)
    return int(count)


async def _assert_every_read_model_holds_each_effect_once(db: asyncpg.Connection,
                                                         ids: list[str]) -> None:
    expected = dict.fromkeys(ids, 1)
    per_case = {
        "assignment subjects": "SELECT subject_id, count(*) FROM assignment.subjects "
                               "WHERE subject_id = ANY($1) GROUP BY 1",
        "assignments made": "SELECT payload->>'subject_id', count(*) FROM assignment.events "
                            "WHERE event_type = 'assignment.made' "
                            "AND payload->>'subject_id' = ANY($1) GROUP BY 1",
        "intake-reactor assignments": "SELECT stream_id, count(*) FROM intake.events "
                                      "WHERE event_type = 'case.assigned' "
                                      "AND stream_id = ANY($1) GROUP BY 1",
        "intake-reactor review starts": "SELECT stream_id, count(*) FROM intake.events "
                                        "WHERE event_type = 'case.review_started' "
                                        "AND stream_id = ANY($1) GROUP BY 1",
        "review subjects": "SELECT subject_id, count(*) FROM review.subjects "
                           "WHERE subject_id = ANY($1) GROUP BY 1",
        "review tasks": "SELECT subject_id, count(*) FROM review.reviews "
                        "WHERE subject_id = ANY($1) GROUP BY 1",
        "reporting register": "SELECT case_id, count(*) FROM reporting.case_register "
                              "WHERE case_id = ANY($1) GROUP BY 1",
        "reporting registrations": "SELECT stream_id, count(*) FROM reporting.history "
                                   "WHERE event_type = 'case.registered' "
                                   "AND stream_id = ANY($1) GROUP BY 1",
    }
    wrong = {}
    for model, sql in per_case.items():
        counts = await _counts(db, sql, ids)
        if counts != expected:
            wrong[model] = {"missing": len(set(ids) - set(counts)),
                            "repeated": sum(1 for n in counts.values() if n > 1)}
    assert not wrong, f"of {len(ids)} cases: {wrong}"
    logged = {r[0] for r in await db.fetch(
        """SELECT event_id FROM intake.events WHERE stream_id = ANY($1)
           UNION ALL SELECT event_id FROM assignment.events
                     WHERE stream_id = ANY($1) OR payload->>'subject_id' = ANY($1)
           UNION ALL SELECT e.event_id FROM review.events e JOIN review.reviews r
                     ON r.review_id = e.stream_id WHERE r.subject_id = ANY($1)""", ids)}
    history = [r[0] for r in await db.fetch(
        """SELECT event_id FROM reporting.history h
           WHERE h.stream_id = ANY($1) OR h.payload->>'subject_id' = ANY($1)
              OR h.stream_id IN (SELECT review_id FROM review.reviews
                                 WHERE subject_id = ANY($1))""", ids)]
    assert len(history) == len(set(history)), "reporting's history repeats an event"
    assert set(history) == logged, "reporting's history differs from the services' logs"


@pytest.mark.parametrize("run", range(REPEAT))
async def test_broker_restarts_under_load_leave_each_effect_once_in_every_read_model(
    run: int, system: RunningSystem, db: asyncpg.Connection, broker: Any,
) -> None:
    if not broker.supports_restart:
        pytest.skip("the session's broker cannot be restarted")
    ids: list[str] = []
    async with httpx.AsyncClient(timeout=60) as client:
        await _open_office(client, system)
        with cpu_load():
            for _ in range(ROUNDS):
                writing = asyncio.create_task(_case_lives(client, system, CASES_PER_ROUND))
                await asyncio.sleep(random.uniform(0.1, 1.5))
                await asyncio.to_thread(broker.restart)
                ids += await writing
    with contextlib.suppress(AssertionError):  # what is missing is named just below
        await eventually(lambda: _everything_arrived(db, ids), within=180)
    await _assert_every_read_model_holds_each_effect_once(db, ids)
    system.wait_ready(timeout=60)
