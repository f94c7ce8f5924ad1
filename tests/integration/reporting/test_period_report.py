"""The period report is reproducible from its cut: events after the cut, and a rebuild of the
read models, leave a recomputation from the same cut with identical numbers."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import date

import asyncpg
import pytest
from openpyxl import load_workbook

from events import EventEnvelope
from services.reporting import kpis, period_document
from services.reporting.cut import Cut
from services.reporting.facts import Fact
from services.reporting.period_report import central_bodies_report, period_report
from services.reporting.projections import Projector
from services.reporting.rebuild import build_shadow, create_tables
from tests.support.timeline import Stream, issued, registered
from tests.unit.reporting.scenario import scenario

pytestmark = pytest.mark.integration

PERIOD = kpis.Period(date(2026, 1, 1), date(2026, 4, 30))
AS_OF = date(2026, 4, 30)


class Log:
    """Every owner's log: each event gets the next position of its owner, as a relay sends it."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def facts(self, envelopes: Iterable[tuple[EventEnvelope, str]]) -> list[Fact]:
        placed = []
        for envelope, topic in envelopes:
            self.next[topic] = self.next.get(topic, 0) + 1
            placed.append(Fact.of(envelope.model_copy(update={"position": self.next[topic]}), topic))
        return placed


def _streams(*streams: Stream) -> list[tuple[EventEnvelope, str]]:
    return [(e, s.topic) for s in streams for e in s.envelopes]


@pytest.fixture
async def conn(migrated_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(migrated_database_url)
    yield connection
    await connection.close()


async def _schema(conn: asyncpg.Connection) -> str:
    name = f"pr_{uuid.uuid4().hex[:12]}"
    await create_tables(conn, name)
    return name


async def _project(conn: asyncpg.Connection, schema: str, facts: list[Fact]) -> None:
    async with conn.transaction():
        await Projector(schema).project_facts(conn, facts)


async def test_a_report_recomputed_from_its_cut_ignores_later_events_and_survives_a_rebuild(
    conn: asyncpg.Connection,
) -> None:
    log, suffix = Log(), uuid.uuid4().hex[:8]
    base = scenario(suffix)
    ministry = Stream("directive", f"dir-mia-{suffix}")
    ministry.add("directive.issued", issued(addressee="GOV-MIA", due="2026-03-31"), "2026-03-02 04:00")
    before = log.facts([(f.envelope(), f.topic) for f in base.facts]) + log.facts(_streams(ministry))
    schema = await _schema(conn)
    rebuilt = await _schema(conn)
    try:
        await _project(conn, schema, before)
        first = await period_report(conn, schema, PERIOD, None, AS_OF)
        assert first["cut"] == {"assignment": 3, "intake": 10, "review": 7}
        mia = first["sections"]["central_bodies"]["bodies"]["GOV-MIA"]
        assert (mia["issued"], mia["acknowledgement_missed"], mia["overdue"]) == (1, 1, 1)
        assert first["sections"]["cases"]["registered"] == 1
        assert first["live_sections"]["receptions"]["region"] is None
        assert first["live_sections"]["clocks"]["from"] == "2026-01-01"  # read from this schema

        # After the cut: the ministry acknowledges and reports, a new case is registered.
        ministry.add("directive.acknowledged", {"note": "ok"}, "2026-03-03 04:00")
        ministry.add("directive.completion_reported", {"summary": "done"}, "2026-03-20 04:00")
        late_case = Stream("case", f"case-late-{suffix}")
        late_case.add("case.registered", registered(), "2026-02-10 04:00")
        after = log.facts(_streams(late_case)) + log.facts(
            [(e, ministry.topic) for e in ministry.envelopes[1:]])
        await _project(conn, schema, after)

        again = await period_report(conn, schema, PERIOD, None, AS_OF, Cut(first["cut"]))
        assert again == first
        now = await period_report(conn, schema, PERIOD, None, AS_OF)
        assert now["digest"] != first["digest"] and now["cut"]["intake"] == 13
        assert now["sections"]["cases"]["registered"] == 2
        now_mia = now["sections"]["central_bodies"]["bodies"]["GOV-MIA"]
        assert (now_mia["acknowledged_on_time"], now_mia["reported_on_time"]) == (1, 1)

        await build_shadow(conn, before + after, rebuilt)  # the rebuild's own writer
        from_rebuild = await period_report(conn, rebuilt, PERIOD, None, AS_OF, Cut(first["cut"]))
        assert from_rebuild == first
    finally:
        for name in (schema, rebuilt):
            await conn.execute(f"DROP SCHEMA {name} CASCADE")


async def test_an_event_below_the_cut_that_arrives_late_shows_in_the_fact_digest(
    conn: asyncpg.Connection,
) -> None:
    """The documented limit: the cut assumes reporting held every event below it."""
    log, suffix = Log(), uuid.uuid4().hex[:8]
    one, two = Stream("case", f"c1-{suffix}"), Stream("case", f"c2-{suffix}")
    one.add("case.registered", registered(), "2026-02-10 04:00")
    two.add("case.registered", registered(), "2026-02-11 04:00")
    early, late = log.facts(_streams(one, two))
    schema = await _schema(conn)
    try:
        await _project(conn, schema, [late])
        first = await period_report(conn, schema, PERIOD, "KZ-75", AS_OF)
        await _project(conn, schema, [early])  # position 1 < the cut's 2
        again = await period_report(conn, schema, PERIOD, "KZ-75", AS_OF, Cut(first["cut"]))
        assert again["facts"] == {"intake": 2} and first["facts"] == {"intake": 1}
        assert again["facts_digest"] != first["facts_digest"]
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_the_workbook_names_the_cut_and_carries_the_same_numbers(
    conn: asyncpg.Connection,
) -> None:
    log, suffix = Log(), uuid.uuid4().hex[:8]
    ministry = Stream("directive", f"dir-moh-{suffix}")
    ministry.add("directive.issued", issued(addressee="GOV-MOH", due="2026-03-31"), "2026-03-02 04:00")
    ministry.add("directive.acknowledged", {"note": "ok"}, "2026-03-03 04:00")
    schema = await _schema(conn)
    try:
        await _project(conn, schema, log.facts(_streams(ministry)))
        report = await period_report(conn, schema, PERIOD, "KZ-75", AS_OF)
        book = load_workbook(io.BytesIO(period_document.workbook(report)))
        cover = {row[0]: row[1] for row in book["Report"].iter_rows(values_only=True) if row}
        assert cover["cut.intake"] == 2 and cover["digest"] == report["digest"]
        assert cover["recompute"] == report["recompute"] and "cut=" in report["recompute"]
        header, *rows = book["central_bodies"].iter_rows(values_only=True)
        moh = dict(zip(header, rows[0], strict=True))
        assert moh["code"] == "GOV-MOH" and moh["acknowledged_on_time"] == 1
        assert moh["overdue"] == report["sections"]["central_bodies"]["bodies"]["GOV-MOH"]["overdue"] == 1
        assert {"cases", "directives", "live_clocks", "live_receptions", "live_surveys"} <= set(
            book.sheetnames)
        alone = await central_bodies_report(conn, schema, PERIOD, "KZ-75", AS_OF)
        assert alone["bodies"] == report["sections"]["central_bodies"]["bodies"]
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
