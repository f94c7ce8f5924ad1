"""Read-model queries, always scoped to the caller's regions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from events import GENESIS_HASH
from events.calendar import AGENCY_TIME_ZONE, agency_date
from services.reporting import kpis
from services.reporting.projections import SCHEMA
from services.reporting.schemas import (
    CasePage,
    CaseRow,
    DirectivePage,
    DirectiveRow,
    History,
    HistoryEvent,
)
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.clock import SYSTEM_CLOCK, Clock
from services.runtime.clock import today as clock_today
from services.runtime.db import Conn


def region_scope(principal: Principal, region: str | None = None) -> list[str] | None:
    """The regions a query may return: the caller's, narrowed to `region` when asked."""
    allowed = None if ALL_REGIONS in principal.regions else sorted(principal.regions)
    if region is None:
        return allowed
    return [region] if allowed is None or region in allowed else []


def today(clock: Clock = SYSTEM_CLOCK) -> date:
    """Today in the agency's time zone, by `clock` (the routes pass their runtime's)."""
    return clock_today(clock)


def day_starts(day: date | None, *, after: bool = False) -> datetime | None:
    """The moment an Almaty date begins (or, with `after`, the next one), for range filters."""
    if day is None:
        return None
    start = day + timedelta(days=1) if after else day
    return datetime.combine(start, time(), tzinfo=AGENCY_TIME_ZONE)


@dataclass
class Where:
    """A WHERE clause built up with numbered parameters."""

    clauses: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, template: str, value: Any) -> None:
        """Add `template` (with `{}` for the parameter) unless the value is None."""
        if value is not None:
            self.args.append(value)
            self.clauses.append(template.format(f"${len(self.args)}"))

    def sql(self) -> str:
        """The clause, TRUE when empty."""
        return " AND ".join(self.clauses) or "TRUE"


def case_where(principal: Principal, filters: dict[str, Any]) -> Where:
    """The case register filters: region scope, sector, source, status, district, period."""
    where = Where()
    where.add("region = ANY({}::text[])", region_scope(principal, filters.get("region")))
    for column in ("sector", "source", "status", "district", "assignee_id"):
        where.add(f"{column} = {{}}", filters.get(column))
    where.add("registered_at >= {}", filters.get("registered_from"))
    where.add("registered_at < {}", filters.get("registered_to"))
    where.add("registered_at >= {}", day_starts(filters.get("from")))
    where.add("registered_at < {}", day_starts(filters.get("to"), after=True))
    return where


def directive_where(principal: Principal, filters: dict[str, Any]) -> Where:
    """The directive register filters: region scope, status, addressee, due-date period."""
    where = Where()
    where.add("region = ANY({}::text[])", region_scope(principal, filters.get("region")))
    where.add("status = {}", filters.get("status"))
    where.add("addressee_body = {}", filters.get("addressee"))
    where.add("assignee_id = {}", filters.get("assignee_id"))
    where.add("due_date >= {}", filters.get("from"))
    where.add("due_date <= {}", filters.get("to"))
    return where


RECEPTIONS_HELD = ("(SELECT count(*) FROM {schema}.reception_register r "
                   "WHERE r.directive_id = d.directive_id AND r.status = 'held')")
"""Held receptions naming directive `d`: its progress against `receptions_required`."""


def with_overdue(row: dict[str, Any], on: date) -> dict[str, Any]:
    """A case row with its effective deadline and whether it is overdue on a date."""
    facts = kpis.case_facts(row)
    resolved = facts.resolved_on if not facts.open else None
    late = (resolved > facts.deadline) if resolved else (facts.open and facts.deadline < on)
    return {**row, "deadline": facts.deadline, "overdue": bool(late)}


def with_days_overdue(row: dict[str, Any], on: date) -> dict[str, Any]:
    """A directive row with its calendar days overdue on a date (0 when on time or cancelled)."""
    done = row["completed_at"]
    end = agency_date(done) if done else on
    days = 0 if row["status"] == "cancelled" else max(0, (end - row["due_date"]).days)
    return {**row, "days_overdue": days}


async def page_of(conn: Conn, where: Where, table: str, columns: str, order: str, limit: int,
                  offset: int) -> tuple[int, list[asyncpg.Record]]:
    """How many rows of a register the clause selects, and one page of them in order."""
    total = await conn.fetchval(
        f"SELECT count(*) FROM {SCHEMA}.{table} WHERE {where.sql()}", *where.args)
    rows = await conn.fetch(
        f"""SELECT {columns} FROM {SCHEMA}.{table} WHERE {where.sql()}
            ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}""", *where.args)
    return int(total), rows


async def list_cases(conn: Conn, principal: Principal, filters: dict[str, Any], limit: int,
                     offset: int, on: date) -> CasePage:
    """A page of the case register, newest first; overdue as of `on`."""
    total, rows = await page_of(conn, case_where(principal, filters), "case_register", "*",
                                "registered_at DESC, case_id", limit, offset)
    items = [CaseRow(id=r["case_id"], **{k: v for k, v in with_overdue(dict(r), on).items()
                                         if k != "case_id"}) for r in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


async def list_directives(conn: Conn, principal: Principal, filters: dict[str, Any], limit: int,
                          offset: int, on: date) -> DirectivePage:
    """A page of the directive register, by due date; overdue as of `on`."""
    total, rows = await page_of(
        conn, directive_where(principal, filters), "directive_register d",
        f"*, {RECEPTIONS_HELD.format(schema=SCHEMA)} AS receptions_held", "due_date, directive_id",
        limit, offset)
    items = [DirectiveRow(id=r["directive_id"],
                          **{k: v for k, v in with_days_overdue(dict(r), on).items()
                             if k != "directive_id"}) for r in rows]
    return DirectivePage(items=items, total=total, limit=limit, offset=offset)


async def subject_region(conn: Conn, subject_id: str, kind: str) -> str | None:
    """The region of a case or directive in its register, if reporting knows it."""
    table, key = ("case_register", "case_id") if kind == "case" else (
        "directive_register", "directive_id")
    region: str | None = await conn.fetchval(
        f"SELECT region FROM {SCHEMA}.{table} WHERE {key} = $1", subject_id)
    return region


async def case_region(conn: Conn, case_id: str) -> str | None:
    """The region of a case in the register, if reporting knows it."""
    return await subject_region(conn, case_id, "case")


async def history_rows(conn: Conn, subject_id: str, schema: str = SCHEMA) -> list[asyncpg.Record]:
    """Every kept event about a subject, in timeline order."""
    return list(await conn.fetch(
        f"""SELECT * FROM {schema}.history WHERE subject_id = $1
            ORDER BY occurred_at, recorded_at, stream_type, stream_id, version""", subject_id))


async def history(conn: Conn, subject_id: str) -> History:
    """Every event about a subject, ordered by when it happened, each chain re-checked."""
    rows = await history_rows(conn, subject_id)
    by_stream: dict[tuple[str, str], list[asyncpg.Record]] = {}
    for row in rows:
        by_stream.setdefault((row["stream_type"], row["stream_id"]), []).append(row)
    verified: dict[str, bool] = {}
    for stream_rows in by_stream.values():
        previous, intact = GENESIS_HASH, True
        for expected_version, row in enumerate(sorted(stream_rows, key=lambda r: r["version"]), 1):
            intact = (intact and row["version"] == expected_version and row["hash_ok"]
                      and row["prev_hash"] == previous)
            verified[str(row["event_id"])] = intact
            previous = row["hash"]
    events = [
        HistoryEvent(
            event_id=str(r["event_id"]), stream_id=r["stream_id"], stream_type=r["stream_type"],
            topic=r["topic"], version=r["version"], event_type=r["event_type"],
            schema_version=r["schema_version"], occurred_at=r["occurred_at"],
            recorded_at=r["recorded_at"], actor=json.loads(r["actor"]),
            correlation_id=r["correlation_id"], causation_id=r["causation_id"],
            payload=json.loads(r["payload"]), prev_hash=r["prev_hash"], hash=r["hash"],
            hash_ok=r["hash_ok"], chain_verified=verified[str(r["event_id"])],
        )
        for r in rows
    ]
    return History(subject_id=subject_id, chain_verified=all(verified.values()) and bool(events),
                   events=events)


async def summary(conn: Conn, principal: Principal, period: kpis.Period, region: str | None,
                  sector: str | None, on: date, schema: str = SCHEMA) -> dict[str, Any]:
    """The KPI summary of a period over the caller's regions (see kpis.py)."""
    scope = region_scope(principal, region)
    cases = [kpis.case_facts(r) for r in
             await conn.fetch(kpis.CASES_SQL.format(schema=schema), scope, sector)]
    reviews = [kpis.review_facts(r) for r in
               await conn.fetch(kpis.REVIEWS_SQL.format(schema=schema), scope, sector)]
    directives = [] if sector else [
        kpis.directive_facts(r) for r in
        await conn.fetch(kpis.DIRECTIVES_SQL.format(schema=schema), scope)]
    body = kpis.summary(cases, reviews, directives, period, on)
    return {"region": region, "sector": sector, "time_zone": AGENCY_TIME_ZONE.key, **body}


async def monitoring_activity(conn: Conn, principal: Principal, region: str | None,
                              period: kpis.Period | None, schema: str = SCHEMA
                              ) -> list[dict[str, Any]]:
    """Each group in scope with its members' claims and verdicts (in the period, if given)."""
    scope = region_scope(principal, region)
    start = day_starts(period.start) if period else None
    end = day_starts(period.end, after=True) if period else None
    rows = await conn.fetch(
        f"""SELECT g.group_id, g.name, g.region, g.member_count,
              count(r.review_id) FILTER (WHERE g.members ? r.claimed_by
                AND ($2::timestamptz IS NULL OR (r.claimed_at >= $2 AND r.claimed_at < $3))) AS claimed,
              count(r.review_id) FILTER (WHERE g.members ? r.reviewer_id
                AND ($2::timestamptz IS NULL OR (r.verdict_at >= $2 AND r.verdict_at < $3))) AS verdicts,
              count(r.review_id) FILTER (WHERE g.members ? r.reviewer_id AND r.verdict = 'approved'
                AND ($2::timestamptz IS NULL OR (r.verdict_at >= $2 AND r.verdict_at < $3))) AS approved
            FROM {schema}.monitoring_groups g
            LEFT JOIN {schema}.review_register r
              ON g.members ? r.claimed_by OR g.members ? r.reviewer_id
            WHERE ($1::text[] IS NULL OR g.region = ANY($1::text[]))
            GROUP BY g.group_id ORDER BY g.group_id""",
        scope, start, end)
    return [dict(r) for r in rows]
