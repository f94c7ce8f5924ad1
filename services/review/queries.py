"""Read-model queries of the review service, always scoped to the caller's regions."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from services.review.projections import SCHEMA
from services.review.schemas import GroupView, MemberView, ReviewPage, ReviewSummary
from services.runtime.auth import ALL_REGIONS, Principal
from services.runtime.db import Conn


def _regions(principal: Principal) -> list[str] | None:
    return None if ALL_REGIONS in principal.regions else sorted(principal.regions)


def _summary(row: asyncpg.Record, on: date) -> ReviewSummary:
    return ReviewSummary(
        id=row["review_id"], version=row["version"], status=row["status"],
        subject_id=row["subject_id"], subject_type=row["subject_type"], region=row["region"],
        reason=row["reason"], due_date=row["due_date"],
        overdue=row["status"] != "decided" and row["due_date"] < on,
        previous_review_id=row["previous_review_id"], reviewer_id=row["reviewer_id"],
        verdict=row["verdict"], opened_at=row["opened_at"], decided_at=row["decided_at"],
    )


async def list_reviews(conn: Conn, principal: Principal, filters: dict[str, Any], limit: int,
                       offset: int, on: date) -> ReviewPage:
    """A page of the queue, most urgent first (due date, then opening time); overdue on `on`."""
    args: list[Any] = [_regions(principal)]
    clauses = ["($1::text[] IS NULL OR region = ANY($1::text[]))"]
    for column in ("region", "status", "subject_type", "reason", "subject_id", "reviewer_id"):
        if filters.get(column) is not None:
            args.append(filters[column])
            clauses.append(f"{column} = ${len(args)}")
    if filters.get("overdue") is not None:
        args.append(on)
        overdue = f"(status <> 'decided' AND due_date < ${len(args)})"
        clauses.append(overdue if filters["overdue"] else f"NOT {overdue}")
    where = " AND ".join(clauses)
    total = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.reviews WHERE {where}", *args)
    rows = await conn.fetch(
        f"""SELECT * FROM {SCHEMA}.reviews WHERE {where}
            ORDER BY due_date, opened_at, review_id LIMIT {int(limit)} OFFSET {int(offset)}""",
        *args,
    )
    return ReviewPage(items=[_summary(r, on) for r in rows], total=int(total), limit=limit,
                      offset=offset)


async def is_active_monitor(conn: Conn, monitor_id: str, region: str) -> bool:
    """Whether a monitor is active in the group of a region or in the republican group."""
    found = await conn.fetchval(
        f"""SELECT 1 FROM {SCHEMA}.group_members m
              JOIN {SCHEMA}.monitoring_groups g USING (group_id)
            WHERE m.monitor_id = $1 AND m.active AND (g.region = $2 OR g.region IS NULL)
            LIMIT 1""",
        monitor_id, region,
    )
    return found is not None


async def subject_participants(conn: Conn, subject_id: str) -> dict[str, str]:
    """Everyone who resolved or was assigned the subject, with how (for four-eyes)."""
    row = await conn.fetchrow(
        f"SELECT resolver_ids, assignee_ids FROM {SCHEMA}.subjects WHERE subject_id = $1",
        subject_id,
    )
    if row is None:
        return {}
    people = {person: "assignee" for person in row["assignee_ids"]}
    people.update({person: "resolver" for person in row["resolver_ids"]})
    return people


async def list_groups(conn: Conn, principal: Principal) -> list[GroupView]:
    """Every group the caller may see: those of their regions, and the republican group."""
    groups = await conn.fetch(
        f"""SELECT * FROM {SCHEMA}.monitoring_groups
            WHERE region IS NULL OR $1::text[] IS NULL OR region = ANY($1::text[])
            ORDER BY region NULLS FIRST""",
        _regions(principal),
    )
    members = await conn.fetch(
        f"""SELECT * FROM {SCHEMA}.group_members WHERE group_id = ANY($1::text[])
            ORDER BY added_at, monitor_id""",
        [g["group_id"] for g in groups],
    )
    by_group: dict[str, list[MemberView]] = {}
    for m in members:
        by_group.setdefault(m["group_id"], []).append(MemberView(
            monitor_id=m["monitor_id"], name=m["name"], active=m["active"],
            added_at=m["added_at"]))
    return [
        GroupView(id=g["group_id"], version=g["version"], name=g["name"], region=g["region"],
                  formed_at=g["formed_at"], members=by_group.get(g["group_id"], []))
        for g in groups
    ]
