"""Exports streamed row by row from a server-side cursor, never built in memory (CSV here)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from events import GENESIS_HASH
from services.reporting import queries, receptions
from services.reporting.facts import CASE_COLUMNS, DIRECTIVE_COLUMNS
from services.reporting.projections import SCHEMA
from services.reporting.reception_model import RECEPTION_COLUMNS
from services.runtime.auth import Principal
from services.runtime.db import Conn

CASE_EXPORT = (*CASE_COLUMNS, "deadline", "overdue")
DIRECTIVE_EXPORT = (*DIRECTIVE_COLUMNS, "receptions_held", "days_overdue")
HISTORY_EXPORT = (
    "event_id", "subject_id", "subject_region", "stream_type", "stream_id", "version",
    "event_type", "schema_version", "occurred_at", "recorded_at", "actor_id", "actor_role",
    "correlation_id", "causation_id", "prev_hash", "hash", "hash_ok", "chain_verified",
)
RECEPTION_EXPORT = (*RECEPTION_COLUMNS, "cases_registered")
SUMMARY_EXPORT = ("scope", "period_from", "period_to", "metric", "key", "value")


def cell(value: Any) -> str:
    """One CSV cell: UTC timestamps with microseconds, ISO dates, lowercase booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_line(values: Sequence[Any]) -> str:
    """One CSV record (RFC 4180 quoting, \\r\\n line ends)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(v) for v in values])
    return buffer.getvalue()


@dataclass(frozen=True)
class Export:
    """One export: its columns, its query and how a row is completed."""

    columns: tuple[str, ...]
    query: Callable[[Principal, dict[str, Any], str], tuple[str, list[Any]]]
    complete: Callable[[dict[str, Any], date], dict[str, Any]]
    derived: Mapping[str, str] = field(default_factory=dict)
    """The Postgres type of each column `complete` adds (the query's columns carry their own)."""


def _cases(principal: Principal, filters: dict[str, Any], schema: str) -> tuple[str, list[Any]]:
    where = queries.case_where(principal, filters)
    return (f"SELECT * FROM {schema}.case_register WHERE {where.sql()} ORDER BY case_id",
            where.args)


def _directives(principal: Principal, filters: dict[str, Any], schema: str
                ) -> tuple[str, list[Any]]:
    where = queries.directive_where(principal, filters)
    return (f"SELECT *, {queries.RECEPTIONS_HELD.format(schema=schema)} AS receptions_held "
            f"FROM {schema}.directive_register d WHERE {where.sql()} "
            f"ORDER BY directive_id", where.args)


def _history(principal: Principal, filters: dict[str, Any], schema: str
             ) -> tuple[str, list[Any]]:
    where = queries.Where()
    # A survey wave's fact holds unsuppressed counts: only its indicators leave reporting.
    where.add("stream_type <> {}", "survey_wave")
    where.add("subject_region = ANY({}::text[])",
              queries.region_scope(principal, filters.get("region")))
    where.add("occurred_at >= {}", queries.day_starts(filters.get("from")))
    where.add("occurred_at < {}", queries.day_starts(filters.get("to"), after=True))
    where.add("subject_sector = {}", filters.get("sector"))
    sql = f"""
        WITH linked AS (
            SELECT h.*, coalesce(c.region, d.region, r.region, rc.region) AS subject_region,
                   c.sector AS subject_sector,
                   h.hash_ok AND h.version = row_number() OVER w
                     AND h.prev_hash = coalesce(lag(h.hash) OVER w, '{GENESIS_HASH}') AS link_ok
            FROM {schema}.history h
            LEFT JOIN {schema}.case_register c ON c.case_id = h.subject_id
            LEFT JOIN {schema}.directive_register d ON d.directive_id = h.subject_id
            LEFT JOIN {schema}.review_register r ON r.review_id = h.stream_id
            LEFT JOIN {schema}.reception_register rc ON rc.reception_id = h.subject_id
            WINDOW w AS (PARTITION BY h.stream_type, h.stream_id ORDER BY h.version)
        ), verified AS (
            SELECT *, actor->>'id' AS actor_id, actor->>'role' AS actor_role,
                   bool_and(link_ok) OVER (PARTITION BY stream_type, stream_id ORDER BY version)
                     AS chain_verified
            FROM linked
        )
        SELECT * FROM verified WHERE {where.sql()}
        ORDER BY occurred_at, recorded_at, stream_type, stream_id, version, event_id"""
    return sql, where.args


def _receptions(principal: Principal, filters: dict[str, Any], schema: str
                ) -> tuple[str, list[Any]]:
    where = receptions.reception_where(principal, filters)
    return receptions.register_sql(where, schema), where.args


EXPORTS: dict[str, Export] = {
    "cases": Export(CASE_EXPORT, _cases, queries.with_overdue,
                    {"deadline": "date", "overdue": "bool"}),
    "directives": Export(DIRECTIVE_EXPORT, _directives, queries.with_days_overdue,
                         {"days_overdue": "int4"}),
    "history": Export(HISTORY_EXPORT, _history, lambda row, _: row),
    "receptions": Export(RECEPTION_EXPORT, _receptions, lambda row, _: row),
}


@dataclass(frozen=True)
class ExportRows:
    """An export's rows as they stream, with each column's Postgres type name."""

    columns: tuple[str, ...]
    types: dict[str, str]
    rows: AsyncIterator[dict[str, Any]]


@contextlib.asynccontextmanager
async def open_rows(conn: Conn, name: str, principal: Principal, filters: dict[str, Any],
                    on: date, schema: str = SCHEMA) -> AsyncIterator[ExportRows]:
    """An export's completed rows, read through a cursor inside a transaction."""
    export = EXPORTS[name]
    sql, args = export.query(principal, filters, schema)
    async with conn.transaction():
        statement = await conn.prepare(sql)
        types = {a.name: a.type.name for a in statement.get_attributes()} | dict(export.derived)

        async def rows() -> AsyncIterator[dict[str, Any]]:
            async for record in statement.cursor(*args, prefetch=500):
                yield export.complete(dict(record), on)

        yield ExportRows(export.columns, {c: types[c] for c in export.columns}, rows())


async def stream_rows(conn: Conn, name: str, principal: Principal, filters: dict[str, Any],
                      on: date, schema: str = SCHEMA) -> AsyncIterator[str]:
    """The CSV lines of an export, header first."""
    async with open_rows(conn, name, principal, filters, on, schema) as export:
        yield csv_line(export.columns)
        async for row in export.rows:
            yield csv_line([row[c] for c in export.columns])


SummaryRecord = tuple[str, str, str, str, str, Any]
"""(scope, period_from, period_to, metric, key, value)."""


def summary_records(body: dict[str, Any]) -> list[SummaryRecord]:
    """The summary report flattened to (scope, period, metric, key, value) records."""
    records: list[SummaryRecord] = []

    def emit(scope: str, kpi: dict[str, Any]) -> None:
        for metric, value in kpi.items():
            if metric in ("from", "to"):
                continue
            if metric in ("resolved_by_outcome", "cases_by_status", "cases_by_sector",
                          "review_outcomes"):
                records.extend((scope, kpi["from"], kpi["to"], metric, k, v)
                               for k, v in value.items())
            elif metric == "directives_by_addressee":
                records.extend((scope, kpi["from"], kpi["to"], metric, f"{a}:{b}", n)
                               for a, buckets in value.items() for b, n in buckets.items())
            else:
                records.append((scope, kpi["from"], kpi["to"], metric, "", value))

    emit("all", {k: v for k, v in body.items() if k not in ("by_region", "months", "region",
                                                             "sector", "time_zone")})
    for region, kpi in body["by_region"].items():
        emit(f"region:{region}", kpi)
    for month in body["months"]:
        emit(f"month:{month['from'][:7]}", month)
    return records


def summary_lines(body: dict[str, Any]) -> list[str]:
    """The summary report as CSV lines, header first."""
    return [csv_line(SUMMARY_EXPORT), *(csv_line(r) for r in summary_records(body))]
