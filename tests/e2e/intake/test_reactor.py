"""intake's reactor: assignment and review events applied once, in any order, to the same state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from events import ASSIGNMENT_TOPIC, REVIEW_TOPIC, EventEnvelope
from services.intake.consumers import REACTOR
from tests.e2e.intake.client import Intake, assignment_made, publish, review_opened, verdict_recorded
from tests.support.system import RunningSystem
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

SETTLED = ("status", "office_id", "officer_id", "review_id", "escalated", "reopen_count",
           "outcome", "findings")


async def _resolved_case(api: Intake) -> str:
    cid: str = (await api.register())["id"]
    await api.ok(f"/v1/cases/{cid}/triage", {"risk_level": "low", "category": "gifts"})
    await api.ok(f"/v1/cases/{cid}/notes", {"note": "checked"})
    await api.ok(f"/v1/cases/{cid}/resolve", {"outcome": "confirmed", "summary": "ok"})
    return cid


async def _deliver(system: RunningSystem, db: asyncpg.Connection,
                   envelopes: list[EventEnvelope]) -> None:
    """Publish each envelope to its topic and wait until the reactor has handled all of them."""
    for envelope in envelopes:
        topic = ASSIGNMENT_TOPIC if envelope.stream_type == "assignment" else REVIEW_TOPIC
        await publish(system.bootstrap, topic, [envelope])
    ids = list({e.event_id for e in envelopes})

    async def handled() -> bool:
        count = await db.fetchval(
            "SELECT count(*) FROM intake.processed_events WHERE consumer = $1"
            " AND event_id = ANY($2::uuid[])", REACTOR, ids)
        return bool(count == len(ids))

    await eventually(handled)


def _settled(view: dict[str, Any]) -> dict[str, Any]:
    return {k: view[k] for k in SETTLED}


async def test_replaying_events_twice_or_out_of_order_yields_the_same_case_state(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as http:
        api = Intake(http, system)
        in_order, shuffled = await _resolved_case(api), await _resolved_case(api)
        now = datetime.now(UTC)

        def life(cid: str, review_id: str) -> list[EventEnvelope]:
            # later than any automatic assignment the assignment service may have made
            return [assignment_made(cid, "officer-9", now + timedelta(seconds=1)),
                    review_opened(review_id, cid, at=now + timedelta(seconds=2)),
                    verdict_recorded(review_id, cid, "approved", at=now + timedelta(seconds=3))]

        review = str(uuid.uuid4())
        first = life(in_order, review)
        await _deliver(system, db, first + first)
        assign, opened, verdict = life(shuffled, review)
        await _deliver(system, db, [verdict, assign, verdict, opened, assign])

        a = (await api.get(f"/v1/cases/{in_order}")).json()
        b = (await api.get(f"/v1/cases/{shuffled}")).json()
        assert _settled(a) == _settled(b)
        assert a["status"] == "closed" and a["officer_id"] == "officer-9"
        assert a["review_id"] == review


async def test_a_verdict_for_a_closed_case_is_recorded_as_ignored_with_a_reason(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as http:
        api = Intake(http, system)
        cid = await _resolved_case(api)
        review = str(uuid.uuid4())
        await _deliver(system, db, [verdict_recorded(review, cid, "approved")])
        late = verdict_recorded(str(uuid.uuid4()), cid, "returned")
        await _deliver(system, db, [late])
        events = (await api.get(f"/v1/streams/{cid}/events", role="admin")).json()["events"]
        (ignored,) = [e for e in events if e["event_type"] == "case.verdict_ignored"]
        assert ignored["payload"]["verdict_event_id"] == str(late.event_id)
        assert "closed" in ignored["payload"]["reason"]
        assert ignored["causation_id"] == str(late.event_id)
        assert (await api.get(f"/v1/cases/{cid}")).json()["status"] == "closed"


async def test_a_verdict_for_an_unknown_case_is_kept_as_ignored_and_the_reactor_moves_on(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    ghost = str(uuid.uuid4())
    verdict = verdict_recorded(str(uuid.uuid4()), ghost, "approved")
    await _deliver(system, db, [verdict])
    reason = await db.fetchval(
        "SELECT reason FROM intake.ignored_messages WHERE consumer = $1 AND event_id = $2",
        REACTOR, verdict.event_id)
    assert reason == f"no case {ghost} at intake"
    async with httpx.AsyncClient() as http:
        api = Intake(http, system)
        assert (await api.get(f"/v1/cases/{ghost}")).status_code == 404
        cid = await _resolved_case(api)
        await _deliver(system, db, [verdict_recorded(str(uuid.uuid4()), cid, "escalated",
                                                     findings="the centre must decide")])
        escalated = (await api.get(f"/v1/cases/{cid}")).json()
        assert escalated["escalated"] is True and escalated["status"] == "escalated"
