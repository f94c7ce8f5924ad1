"""Read-model queries, always scoped to the caller's regions."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from events import GENESIS_HASH
from services.reporting.projections import SCHEMA
from services.reporting.schemas import CasePage, CaseRow, History, HistoryEvent
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.db import Conn


def _region_filter(principal: Principal) -> list[str] | None:
    return None if ALL_REGIONS in principal.regions else sorted(principal.regions)


async def list_cases(
    conn: Conn, principal: Principal, filters: dict[str, Any], limit: int,
    offset: int,
) -> CasePage:
    """A page of the case register, newest first."""
    clauses, args = ["($1::text[] IS NULL OR region = ANY($1::text[]))"], [_region_filter(principal)]
    for column in ("region", "sector", "source", "status", "district"):
        if filters.get(column) is not None:
            args.append(filters[column])
            clauses.append(f"{column} = ${len(args)}")
    if filters.get("registered_from") is not None:
        args.append(filters["registered_from"])
        clauses.append(f"registered_at >= ${len(args)}")
    if filters.get("registered_to") is not None:
        args.append(filters["registered_to"])
        clauses.append(f"registered_at < ${len(args)}")
    where = " AND ".join(clauses)
    total = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.case_register WHERE {where}", *args)
    rows = await conn.fetch(
        f"""SELECT * FROM {SCHEMA}.case_register WHERE {where}
            ORDER BY registered_at DESC, case_id LIMIT {int(limit)} OFFSET {int(offset)}""",
        *args,
    )
    items = [CaseRow(id=r["case_id"], **{k: v for k, v in r.items() if k != "case_id"})
             for r in rows]
    return CasePage(items=items, total=int(total), limit=limit, offset=offset)


async def case_region(conn: Conn, case_id: str) -> str | None:
    """The region of a case in the register, if reporting knows it."""
    region: str | None = await conn.fetchval(
        f"SELECT region FROM {SCHEMA}.case_register WHERE case_id = $1", case_id
    )
    return region


async def history(conn: Conn, subject_id: str) -> History:
    """Every event about a subject, ordered by when it happened, each chain re-checked."""
    rows = await conn.fetch(
        f"""SELECT * FROM {SCHEMA}.history WHERE subject_id = $1
            ORDER BY occurred_at, stream_type, stream_id, version""",
        subject_id,
    )
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
