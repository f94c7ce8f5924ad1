"""Planning against real Postgres: deadlines from events, breaches once, replays, orphans, and
scans within a time budget."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from events import GENESIS_HASH, Actor, EventEnvelope, Region, Role, Sector, new_event_id
from events.calendar import ProcedureClocks, WorkingCalendar, agency_date
from services.assignment import roster_handlers
from services.assignment.consumers import default_clocks
from services.assignment.domain.clocks import Clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.assignment.scanner import scan
from services.assignment.schemas import EnrollOfficerRequest, OpenOfficeRequest
from services.runtime.auth import Principal
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool acting as assignment's application role."""
    p = await create_pool(migrated_database_url, "assignment", max_size=4)
    yield p
    await p.close()


def registered(case_id: str, region: str, at: datetime) -> EventEnvelope:
    """A case.registered envelope as intake publishes it."""
    return EventEnvelope.seal(
        prev_hash=GENESIS_HASH, stream_id=case_id, stream_type="case", version=1,
        event_id=new_event_id(), event_type="case.registered", schema_version=1,
        occurred_at=at, recorded_at=at, actor=Actor(id="op", role="operator", region=region),
        correlation_id=None, causation_id=None,
        payload={"title": "t", "description": "d", "region": region, "sector": "land",
                 "source": "hotline", "district": None, "anonymous": True, "reporter": None})


async def _types(pool: asyncpg.Pool, case_id: str) -> list[str]:
    async with pool.acquire() as conn:
        return [r["event_type"] for r in await conn.fetch(
            "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY version", case_id)]


async def test_a_case_gets_its_appeal_deadline_and_repeated_registration_changes_nothing(
        pool: asyncpg.Pool) -> None:
    planner = Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())
    case_id, at = str(uuid.uuid4()), datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # Mon 2 Nov, Almaty
    envelope = registered(case_id, "KZ-62", at)
    for _ in range(2):
        async with pool.acquire() as conn, conn.transaction():
            await planner.on_intake(conn, envelope, "casetrack.intake.v1")
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM subjects WHERE subject_id = $1", case_id)
        deadline = await conn.fetchval(
            "SELECT payload FROM events WHERE stream_id = $1 AND event_type ="
            " 'assignment.deadline_set'", case_id)
    assert row is not None and agency_date(at) == date(2026, 11, 2)
    assert row["due_date"] == date(2026, 11, 23) and row["clock"] == "appeal"
    assert json.loads(deadline)["basis_event_id"] == str(envelope.event_id)
    assert await _types(pool, case_id) == ["assignment.deadline_set"]  # nobody staffs KZ-62 here


async def test_an_overdue_breach_is_raised_once_across_scans_and_replays(
        pool: asyncpg.Pool) -> None:
    planner = Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())
    case_id = str(uuid.uuid4())
    at = datetime.now(UTC) - timedelta(days=60)
    async with pool.acquire() as conn, conn.transaction():
        await planner.on_intake(conn, registered(case_id, "KZ-62", at), "casetrack.intake.v1")
    await scan(pool, planner, replay=True)
    await scan(pool, planner, replay=True)  # a replay after a restart
    await scan(pool, planner)
    assert (await _types(pool, case_id)).count("assignment.escalated") == 1


async def test_a_calendar_change_replays_into_a_new_deadline_and_only_then_a_new_breach(
        pool: asyncpg.Pool) -> None:
    clocks = default_clocks()
    planner = Planner(EventStore(pool, "assignment"), default_rules(), clocks)
    case_id = str(uuid.uuid4())
    at = datetime.now(UTC) - timedelta(days=60)
    async with pool.acquire() as conn, conn.transaction():
        await planner.on_intake(conn, registered(case_id, "KZ-62", at), "casetrack.intake.v1")
    await scan(pool, planner)
    basis = agency_date(at)
    decree = {basis + timedelta(days=n) for n in range(1, 4)}  # a decreed three-day break
    changed = Clocks(WorkingCalendar(clocks.calendar.weekend,
                                     clocks.calendar.days_off | frozenset(decree),
                                     clocks.calendar.extra_working_days),
                     ProcedureClocks(**vars(clocks.procedure)))
    replayed = Planner(planner.store, planner.rules, changed)
    await scan(pool, replayed, replay=True)
    await scan(pool, replayed, replay=True)
    types = await _types(pool, case_id)
    assert types.count("assignment.deadline_set") == 2
    assert types.count("assignment.escalated") == 2  # one per due date, never repeated


async def test_work_the_rules_could_not_place_is_taken_by_the_next_enrolled_officer(
        pool: asyncpg.Pool) -> None:
    planner = Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())
    case_id = str(uuid.uuid4())
    async with pool.acquire() as conn, conn.transaction():
        await planner.on_intake(conn, registered(case_id, "KZ-59", datetime.now(UTC)),
                                "casetrack.intake.v1")
    assert "assignment.made" not in await _types(pool, case_id)  # nobody to take it yet
    admin = Principal(sub="admin", role=Role.ADMIN, regions=frozenset({"*"}))
    context = CommandContext(actor=admin.actor())
    office_id, officer_id = f"rpo-{uuid.uuid4().hex[:6]}", f"off-{uuid.uuid4().hex[:6]}"
    await roster_handlers.open_office(planner, admin, OpenOfficeRequest(
        id=office_id, name="North", region=Region.NORTH_KAZAKHSTAN), context, None)
    await roster_handlers.enroll_officer(planner, admin, EnrollOfficerRequest(
        id=officer_id, name="Newcomer", office_id=office_id, sectors=[Sector.HEALTH]),
        context, None)
    async with pool.acquire() as conn:
        holder = await conn.fetchval("SELECT officer_id FROM subjects WHERE subject_id = $1",
                                     case_id)
    assert holder == officer_id  # the only officer there, though land is not their sector


async def _escalations(pool: asyncpg.Pool, ids: list[str]) -> int:
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = ANY($1::text[])"
            " AND event_type = 'assignment.escalated'", ids)
    return count


async def test_a_pass_out_of_budget_stops_after_one_subject_and_later_passes_cover_every_one(
        pool: asyncpg.Pool) -> None:
    planner = Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())
    at = datetime.now(UTC) - timedelta(days=60)
    ids = sorted(f"zz-budget-{uuid.uuid4()}" for _ in range(3))
    async with pool.acquire() as conn, conn.transaction():
        for case_id in ids:
            await planner.on_intake(conn, registered(case_id, "KZ-62", at), "casetrack.intake.v1")
    after = ids[0][:-1]  # just before the first of ours: earlier subjects are other tests'
    passes = 0
    while after is not None:
        report = await scan(pool, planner, budget_seconds=0.0, after=after)
        assert not report.skipped
        assert report.escalated <= 1  # an exhausted budget lets one subject through, no more
        after, passes = report.resume_after, passes + 1
    assert passes >= len(ids)
    assert await _escalations(pool, ids) == len(ids)
