"""A case's side clocks against real Postgres: an extension moves the due date and starts the
notice clock, marking a case misdirected starts its forwarding clock, and each escalates once
when missed, on the scanner's injected clock (no waiting)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from events import EventEnvelope, EventPayload, Region
from events.calendar import agency_date
from events.cases import (
    CaseConsiderationExtended,
    CaseForwarded,
    CaseMarkedMisdirected,
    CaseReporterNotified,
    ForwardTargetKind,
    NoticeChannel,
)
from events.central_bodies import central_bodies
from events.directives import DirectiveAcknowledged, DirectiveIssued
from services.assignment.consumers import default_clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.assignment.rebuild import ESCALATIONS, SUBJECTS, fold
from services.assignment.scanner import scan
from services.runtime.clock import FixedClock
from services.runtime.db import create_pool
from services.runtime.eventstore import EventStore
from services.runtime.rebuild_owned import Source
from tests.integration.assignment.test_clock_replay import registered
from tests.support.envelopes import event

pytestmark = pytest.mark.integration

REGISTERED_AT = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # Monday 30 November, Almaty
PREFIX = "zz-a-clocks-"
"""Ours sort before other tests' budgeted scans (zz-budget-…), so those never meet them."""


@pytest.fixture(scope="module")
async def pool(migrated_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool acting as assignment's application role."""
    p = await create_pool(migrated_database_url, "assignment", max_size=4)
    yield p
    await p.close()


@pytest.fixture
def planner(pool: asyncpg.Pool) -> Planner:
    """The planner on assignment's event store, with the real calendar and rules."""
    return Planner(EventStore(pool, "assignment"), default_rules(), default_clocks())


class Case:
    """One case's intake events, fed to the planner in order as its consumer would."""

    def __init__(self, pool: asyncpg.Pool, planner: Planner) -> None:
        self.id, self.pool, self.planner = f"{PREFIX}{uuid.uuid4()}", pool, planner
        self.version = 1
        self.fed: list[EventEnvelope] = []

    async def feed(self, envelope: EventEnvelope) -> None:
        self.fed.append(envelope)
        async with self.pool.acquire() as conn, conn.transaction():
            await self.planner.on_intake(conn, envelope, "casetrack.intake.v1")

    async def register(self) -> Case:
        await self.feed(registered(self.id, "KZ-62", REGISTERED_AT))
        return self

    async def then(self, payload: EventPayload) -> None:
        self.version += 1
        stream_type = self.fed[0].stream_type if self.fed else "case"
        await self.feed(event(self.id, stream_type, self.version, payload))

    async def scan_on(self, day: date) -> None:
        at = datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
        await scan(self.pool, self.planner, clock=FixedClock(at), after=PREFIX)

    async def escalations(self, clock: str) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT payload FROM events WHERE stream_id = $1 AND event_type ="
                " 'assignment.escalated' AND payload->>'clock' = $2 ORDER BY version",
                self.id, clock)

        return [json.loads(r["payload"]) for r in rows]

    async def row(self) -> asyncpg.Record:
        async with self.pool.acquire() as conn:
            found = await conn.fetchrow("SELECT * FROM subjects WHERE subject_id = $1", self.id)
        assert found is not None
        return found


def _extension(new_due: date, notice_due: date, previous: date) -> CaseConsiderationExtended:
    return CaseConsiderationExtended(previous_due_date=previous, new_due_date=new_due,
                                     reason="awaiting an inspection", notice_due_date=notice_due)


async def test_a_missed_extension_notice_escalates_once_and_a_notice_stops_the_clock(
        pool: asyncpg.Pool, planner: Planner) -> None:
    case = await Case(pool, planner).register()
    await case.then(_extension(date(2027, 1, 20), date(2026, 12, 21), date(2026, 12, 22)))
    row = await case.row()
    assert (row["due_date"], row["clock"]) == (date(2027, 1, 20), "extension")
    assert (row["notice_due_date"], row["notice_done"]) == (date(2026, 12, 21), False)

    await case.scan_on(date(2026, 12, 21))  # the last day for the notice: not missed yet
    assert await case.escalations("extension_notice") == []
    await case.scan_on(date(2026, 12, 22))
    await case.scan_on(date(2026, 12, 23))  # a later pass raises the same breach no more
    (missed,) = await case.escalations("extension_notice")
    assert (missed["level"], missed["due_date"]) == ("overdue", "2026-12-21")
    assert missed["breach"] == f"{case.id}:extension_notice:overdue:2026-12-21"

    await case.then(CaseReporterNotified(channel=NoticeChannel.PHONE,
                                         notified_on=date(2026, 12, 23)))
    assert (await case.row())["notice_done"] is True
    await case.scan_on(date(2027, 1, 5))
    assert len(await case.escalations("extension_notice")) == 1
    await _rebuilt_equals_live(case)


async def _rebuilt_equals_live(case: Case) -> None:
    """The rebuild's fold of the subject's log and the intake events it was fed gives the row
    the planner and scanner wrote (but for when it was written)."""
    own = await EventStore(case.pool, "assignment").load(case.id)
    rows = fold(Source(own, [(e, "casetrack.intake.v1") for e in case.fed]))
    (rebuilt,) = [dict(zip(SUBJECTS.columns, r, strict=True)) for r in rows[SUBJECTS.name]]
    live = dict(await case.row())
    assert {k: v for k, v in rebuilt.items() if k != "updated_at"} == {
        k: live[k] for k in SUBJECTS.columns if k != "updated_at"}
    breaches = {r[0] for r in rows[ESCALATIONS.name]}
    async with case.pool.acquire() as conn:
        assert breaches == {r["breach"] for r in await conn.fetch(
            "SELECT breach FROM escalations WHERE subject_id = $1", case.id)}


async def test_a_second_extension_owes_a_new_notice_with_its_own_breach(
        pool: asyncpg.Pool, planner: Planner) -> None:
    case = await Case(pool, planner).register()
    await case.then(_extension(date(2027, 1, 15), date(2026, 12, 21), date(2026, 12, 22)))
    await case.then(CaseReporterNotified(channel=NoticeChannel.EMAIL,
                                         notified_on=date(2026, 12, 18)))
    await case.then(_extension(date(2027, 1, 29), date(2027, 1, 13), date(2027, 1, 15)))
    await case.scan_on(date(2027, 1, 14))
    (missed,) = await case.escalations("extension_notice")
    assert missed["due_date"] == "2027-01-13"


async def test_a_misdirected_case_not_forwarded_in_time_escalates_and_forwarding_ends_it(
        pool: asyncpg.Pool, planner: Planner) -> None:
    case = await Case(pool, planner).register()
    await case.then(CaseMarkedMisdirected(reason="an Astana school",
                                          forward_due_date=date(2026, 12, 3)))
    await case.scan_on(date(2026, 12, 3))
    assert await case.escalations("misdirected_forward") == []
    await case.scan_on(date(2026, 12, 4))
    (missed,) = await case.escalations("misdirected_forward")
    assert missed["breach"] == f"{case.id}:misdirected_forward:overdue:2026-12-03"

    await case.then(CaseForwarded(target_kind=ForwardTargetKind.REGION,
                                  target_region=Region("KZ-71"), target_body=None,
                                  reason="an Astana school", forward_due_date=date(2026, 12, 3)))
    row = await case.row()
    assert (row["status"], row["forward_done"]) == ("closed", True)
    await case.scan_on(date(2026, 12, 10))
    assert len(await case.escalations("misdirected_forward")) == 1
    await _rebuilt_equals_live(case)


async def test_a_case_forwarded_in_time_raises_nothing(pool: asyncpg.Pool,
                                                       planner: Planner) -> None:
    case = await Case(pool, planner).register()
    await case.then(CaseMarkedMisdirected(reason="a ministry's matter",
                                          forward_due_date=date(2026, 12, 3)))
    await case.then(CaseForwarded(target_kind=ForwardTargetKind.BODY, target_region=None,
                                  target_body="Ministry of Education", reason="its matter",
                                  forward_due_date=date(2026, 12, 3)))
    await case.scan_on(date(2026, 12, 10))
    assert await case.escalations("misdirected_forward") == []


def _issued_to(directive_id: str, addressee: str) -> EventEnvelope:
    return event(directive_id, "directive", 1, DirectiveIssued(
        title="Hold receptions", text="Hold citizen receptions in every district",
        issuing_authority="Agency", addressee_body=addressee, region=Region("KZ-62"),
        due_date=date(2027, 3, 1), meeting_reference=None))


async def test_a_central_body_that_does_not_acknowledge_in_time_is_escalated_once(
        pool: asyncpg.Pool, planner: Planner) -> None:
    directive = Case(pool, planner)
    issued = _issued_to(directive.id, "GOV-MIA")
    await directive.feed(issued)
    due = central_bodies().acknowledgement_due(agency_date(issued.occurred_at))
    row = await directive.row()
    assert (row["ack_due_date"], row["ack_done"]) == (due, False)
    assert (row["due_date"], row["clock"]) == (date(2027, 3, 1), "directive")

    await directive.scan_on(due)
    assert await directive.escalations("directive_acknowledgement") == []
    await directive.scan_on(due + timedelta(days=1))
    await directive.scan_on(due + timedelta(days=2))
    (missed,) = await directive.escalations("directive_acknowledgement")
    assert missed["breach"] == f"{directive.id}:directive_acknowledgement:overdue:{due}"

    await directive.then(DirectiveAcknowledged(note=None))
    assert (await directive.row())["ack_done"] is True
    await _rebuilt_equals_live(directive)


async def test_a_directive_to_a_local_body_owes_no_acknowledgement_clock(
        pool: asyncpg.Pool, planner: Planner) -> None:
    directive = Case(pool, planner)
    await directive.feed(_issued_to(directive.id, "Ulytau region akimat"))
    assert (await directive.row())["ack_due_date"] is None
