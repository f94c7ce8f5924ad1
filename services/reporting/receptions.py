"""The receptions read model's queries: the register, per-district summaries of a period, and
the period report's section. Always scoped to regions; figures are deterministic."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from services.reporting.projections import SCHEMA
from services.reporting.queries import Where, region_scope
from services.reporting.schemas import ReceptionPage, ReceptionRow
from services.runtime.auth import Principal
from services.runtime.db import Conn

CASES_AT = ("(SELECT count(*) FROM {schema}.case_register c "
            "WHERE c.reception_id = r.reception_id)")
"""Cases registered at reception `r`."""


def reception_where(principal: Principal, filters: dict[str, Any]) -> Where:
    """The register filters: region scope, district, status, directive, scheduled-day period."""
    where = Where()
    where.add("r.region = ANY({}::text[])", region_scope(principal, filters.get("region")))
    for column in ("district", "status", "directive_id"):
        where.add(f"r.{column} = {{}}", filters.get(column))
    where.add("r.scheduled_on >= {}", filters.get("from"))
    where.add("r.scheduled_on <= {}", filters.get("to"))
    return where


def register_sql(where: Where, schema: str = SCHEMA, page: str = "") -> str:
    """The register's rows with the cases registered at each, in (day, id) order."""
    return (f"SELECT r.*, {CASES_AT.format(schema=schema)} AS cases_registered "
            f"FROM {schema}.reception_register r WHERE {where.sql()} "
            f"ORDER BY r.scheduled_on, r.reception_id {page}")


def reception_item(row: dict[str, Any]) -> ReceptionRow:
    """One register row as the API shows it."""
    data = {k: v for k, v in row.items() if k != "reception_id"}
    for column in ("officials", "officials_present"):
        if isinstance(data[column], str):
            data[column] = json.loads(data[column])
    return ReceptionRow(id=row["reception_id"], **data)


async def list_receptions(conn: Conn, principal: Principal, filters: dict[str, Any],
                          limit: int, offset: int) -> ReceptionPage:
    """A page of the reception register, by scheduled day."""
    where = reception_where(principal, filters)
    total = await conn.fetchval(
        f"SELECT count(*) FROM {SCHEMA}.reception_register r WHERE {where.sql()}", *where.args)
    rows = await conn.fetch(register_sql(where, page=f"LIMIT {int(limit)} OFFSET {int(offset)}"),
                            *where.args)
    return ReceptionPage(items=[reception_item(dict(r)) for r in rows], total=int(total),
                         limit=limit, offset=offset)


SUMMARY_SQL = """
    SELECT r.region, r.district,
           count(*) FILTER (WHERE r.status = 'held' AND r.held_on BETWEEN $2 AND $3) AS held,
           coalesce(sum(r.attendance) FILTER (
               WHERE r.status = 'held' AND r.held_on BETWEEN $2 AND $3), 0) AS attendance,
           coalesce(sum({cases}) FILTER (
               WHERE r.status = 'held' AND r.held_on BETWEEN $2 AND $3), 0) AS cases_registered,
           count(*) FILTER (WHERE r.scheduled_on BETWEEN $2 AND $3) AS scheduled,
           count(*) FILTER (WHERE r.status = 'cancelled'
                            AND r.scheduled_on BETWEEN $2 AND $3) AS cancelled
    FROM {schema}.reception_register r
    WHERE ($1::text[] IS NULL OR r.region = ANY($1::text[]))
      AND ((r.held_on BETWEEN $2 AND $3) OR (r.scheduled_on BETWEEN $2 AND $3))
    GROUP BY r.region, r.district ORDER BY r.region, r.district"""
"""Per region and district: receptions held in the period (by the day held), their attendance
and the cases registered at them; receptions scheduled for days in the period, and cancelled."""

TOTALS = ("held", "attendance", "cases_registered", "scheduled", "cancelled")


async def summarise(conn: Conn, scope: list[str] | None, start: date, end: date,
                    schema: str = SCHEMA) -> dict[str, Any]:
    """Totals and per-district figures of the period [start, end] (Almaty dates, inclusive)."""
    rows = await conn.fetch(SUMMARY_SQL.format(schema=schema,
                                               cases=CASES_AT.format(schema=schema)),
                            scope, start, end)
    districts = [{"region": r["region"], "district": r["district"],
                  **{k: int(r[k]) for k in TOTALS}} for r in rows]
    totals = {k: sum(d[k] for d in districts) for k in TOTALS}
    return {"from": start.isoformat(), "to": end.isoformat(), **totals,
            "by_district": districts}


async def reception_summary(conn: Conn, principal: Principal, start: date, end: date,
                            region: str | None, schema: str = SCHEMA) -> dict[str, Any]:
    """The period's summary over the caller's regions (narrowed to `region`)."""
    return {"region": region,
            **await summarise(conn, region_scope(principal, region), start, end, schema)}


async def receptions_for_period(conn: Conn, start: date, end: date, region: str | None,
                                schema: str = SCHEMA) -> dict[str, Any]:
    """The period report's receptions section: every region, or one (the report scopes)."""
    scope = [region] if region is not None else None
    return {"region": region, **await summarise(conn, scope, start, end, schema)}
