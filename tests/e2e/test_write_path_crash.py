"""kill -9 of intake under load: every 2xx command's events exist exactly once, and retries with
the same Idempotency-Key after the restart neither lose nor duplicate a case."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

CASE = {"title": "Kickback on road repair", "description": "The contractor paid the inspector.",
        "region": "KZ-79", "sector": "akimat_services", "source": "hotline"}


async def _hammer(client: httpx.AsyncClient, url: str, body: dict[str, str], key: str,
                  answered: dict[str, str], unknown: set[str]) -> None:
    """Register once with this key; remember the case id or that the outcome is unknown."""
    try:
        response = await client.post(f"{url}/v1/cases", json=body,
                                     headers={**auth(), "Idempotency-Key": key})
    except httpx.HTTPError:
        unknown.add(key)
        return
    if response.status_code == 201:
        answered[key] = response.json()["id"]
    else:
        unknown.add(key)


async def test_kill_9_of_intake_under_load_keeps_every_2xx_exactly_once_and_retries_land_once(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    marker = f"crash-{uuid.uuid4().hex[:8]}"
    bodies = {f"{marker}-{i}": {**CASE, "district": f"{marker}-{i}"} for i in range(400)}
    answered: dict[str, str] = {}
    unknown: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as client:
        sem = asyncio.Semaphore(8)

        async def one(key: str) -> None:
            async with sem:
                await _hammer(client, system.intake_url, bodies[key], key, answered, unknown)

        load = asyncio.gather(*(one(k) for k in bodies))

        async def some_answered() -> bool:
            return len(answered) >= 40

        await eventually(some_answered, within=30, what="40 cases answered")
        system.kill("intake")
        try:
            await load
        finally:
            system.start("intake")
            system.wait_ready()
        assert answered, "some commands answered 2xx before the kill"
        assert unknown, "the kill interrupted some commands"
        before_retry = dict(answered)
        answered.clear()
        for key in sorted(bodies):  # every client retries: same key, same body
            await _hammer(client, system.intake_url, bodies[key], key, answered, set())

    rows = await db.fetch(
        """SELECT stream_id, count(*) AS n FROM intake.events
           WHERE event_type = 'case.registered' AND payload->>'district' LIKE $1
           GROUP BY stream_id""", f"{marker}-%")
    stored = {r["stream_id"]: r["n"] for r in rows}
    assert all(n == 1 for n in stored.values()), "no case is registered twice"
    assert set(before_retry.values()) <= set(stored), "every 2xx before the kill is durable"
    assert set(answered) == set(bodies), "every key gets an answer after the restart"
    assert set(answered.values()) == set(stored), "one case per key, whether first or replayed"
    assert len(stored) == len(bodies)
    for key, case_id in before_retry.items():
        assert answered[key] == case_id, "a retry of an answered key replays the first answer"
