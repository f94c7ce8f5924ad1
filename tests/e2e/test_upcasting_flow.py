"""A v1 event already in the log is read as v2 by every consumer, by intake itself and by a rebuild.

(The rebuild is checked for this case: `rebuild --check` compares the whole database, which other
e2e tests fill with synthetic events no owner stores.)

`case.assigned` is at schema version 2 (`kind` instead of v1's `manual` flag). A v1 event is
written into intake's log as an older intake would have stored it; the relay publishes it as
stored, and every reader upcasts it through the contract.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import httpx
import orjson
import pytest

from events import Actor, EventEnvelope, new_event_id
from services.reporting.facts import CASE_COLUMNS, Fact
from services.reporting.model import project_all
from services.runtime.db import create_pool
from services.runtime.eventstore import EventStore
from tests.e2e.reporting.support import at_rest, case_body, post, projected
from tests.e2e.reporting.test_rebuild import caught_up
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

CONSUMERS = (("assignment", "assignment-planner"), ("review", "review-opener"))


@pytest.fixture
async def intake_log(database_url: str) -> AsyncIterator[EventStore]:
    """intake's event store, as intake's own role writes it."""
    pool = await create_pool(database_url, "intake", min_size=1, max_size=2)
    yield EventStore(pool, "intake")
    await pool.close()


async def _append_v1_assignment(log: EventStore, case_id: str) -> EventEnvelope:
    """Chain a v1 `case.assigned` onto the case's stream (retrying if intake appended meanwhile)."""
    for _ in range(20):
        async with log.pool.acquire() as conn:
            head = await log.head_in(conn, case_id)
            envelope = EventEnvelope.seal(
                prev_hash=head.hash, stream_id=case_id, stream_type="case",
                version=head.version + 1, event_id=new_event_id(), event_type="case.assigned",
                schema_version=1, occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
                actor=Actor(id="intake-reactor", role="system", region=None),
                correlation_id=None, causation_id=None,
                payload={"office_id": "office-v1", "officer_id": "officer-v1",
                         "assignment_event_id": str(new_event_id()), "manual": False})
            try:
                async with conn.transaction():
                    await log.write(conn, [envelope])
            except asyncpg.UniqueViolationError:
                await asyncio.sleep(0.2)
                continue
            return envelope
    raise AssertionError("intake kept appending to the case")


def _processed(db: asyncpg.Connection, schema: str, consumer: str, envelope: EventEnvelope
               ) -> Callable[[], Awaitable[object]]:
    """A probe: whether the consumer recorded the event as processed."""
    async def probe() -> object:
        return await db.fetchval(
            f"SELECT 1 FROM {schema}.processed_events WHERE consumer = $1 AND event_id = $2",
            consumer, envelope.event_id)
    return probe


async def test_a_v1_case_assigned_from_the_log_is_read_as_v2_everywhere(
    system: RunningSystem, db: asyncpg.Connection, intake_log: EventStore,
) -> None:
    async with httpx.AsyncClient() as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body(region="KZ-62"))
        await at_rest(client, system, "cases", case["id"])
        v1 = await _append_v1_assignment(intake_log, case["id"])

        for schema, consumer in CONSUMERS:
            await eventually(_processed(db, schema, consumer, v1),
                             what=f"{consumer} processed the v1 event")
        history = await projected(client, system, "cases", case["id"])
        stored = next(e for e in history["events"] if e["event_id"] == str(v1.event_id))
        assert stored["schema_version"] == 1 and stored["payload"]["manual"] is False
        assert stored["hash_ok"] is True  # the log keeps what was hashed; reading upcasts

        intake = (await client.get(f"{system.intake_url}/v1/cases/{case['id']}",
                                   headers=auth())).json()
        assert (intake["officer_id"], intake["office_id"]) == ("officer-v1", "office-v1")
        assigned_by_assignment = any(e["event_type"] == "assignment.made"
                                     for e in history["events"])
        register = await eventually(lambda: db.fetchrow(
            "SELECT status, assignee_id FROM reporting.case_register WHERE case_id = $1"
            " AND version = $2", case["id"], v1.version))
        assert register["status"] == intake["status"] == "assigned"
        if not assigned_by_assignment:  # assignment's own event outranks intake's echo of it
            assert register["assignee_id"] == "officer-v1"
        value = await eventually(lambda: db.fetchval(
            "SELECT value FROM reporting.analytics_outbox WHERE event_id = $1", v1.event_id))
        fact = orjson.loads(value)
        assert fact["kind"] == "automatic" and "manual" not in fact

        await caught_up(db, system)
        kept = await db.fetch("SELECT * FROM reporting.history WHERE subject_id = $1", case["id"])
        (rebuilt,) = project_all(Fact.from_row(r) for r in kept).cases
        live = await db.fetchrow("SELECT * FROM reporting.case_register WHERE case_id = $1",
                                 case["id"])
        assert rebuilt == {column: live[column] for column in CASE_COLUMNS}
