"""Queries over intake's own log of receptions: the held receptions that name a directive (its
progress) and the receptions of a region, district and period (what an office looks up).

Read from the reception streams rather than a read table (intake keeps none) or the directive's
stream, so holding a reception never moves a directive's version under its addressee's If-Match.
`reception.scheduled` has one schema version, so its stored payload is its latest shape; the
partial indexes of migration 003 serve both lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from events import EventEnvelope
from services.runtime.eventstore import EventStore
from services.runtime.streamlog import EVENT_COLUMNS, row_to_envelope


async def receptions_held(store: EventStore, directive_id: str,
                          as_of: datetime | None = None) -> int:
    """Receptions naming the directive held as recorded now (or by `as_of`)."""
    async with store.pool.acquire() as conn:
        count = await conn.fetchval(
            f"""SELECT count(*) FROM {store.schema}.events h
                WHERE h.event_type = 'reception.held'
                  AND ($2::timestamptz IS NULL OR h.recorded_at <= $2)
                  AND h.stream_id IN (
                      SELECT s.stream_id FROM {store.schema}.events s
                      WHERE s.event_type = 'reception.scheduled'
                        AND s.payload->>'directive_id' = $1)""",
            directive_id, as_of)
    return int(count)


@dataclass(frozen=True)
class ReceptionFilter:
    """Which receptions to find: regions (None: all), a district, scheduled days [start, end]."""

    regions: Sequence[str] | None
    district: str | None = None
    start: date | None = None
    end: date | None = None


async def find_receptions(store: EventStore, which: ReceptionFilter, limit: int, offset: int
                          ) -> tuple[int, list[list[EventEnvelope]]]:
    """How many receptions match, and a page of their streams (by scheduled day, then id)."""
    where = f"""FROM {store.schema}.events s
        WHERE s.event_type = 'reception.scheduled'
          AND ($1::text[] IS NULL OR s.payload->>'region' = ANY($1::text[]))
          AND ($2::text IS NULL OR s.payload->>'district' = $2)
          AND ($3::text IS NULL OR s.payload->>'scheduled_on' >= $3)
          AND ($4::text IS NULL OR s.payload->>'scheduled_on' <= $4)"""
    args = (list(which.regions) if which.regions is not None else None, which.district,
            which.start.isoformat() if which.start else None,
            which.end.isoformat() if which.end else None)
    async with store.pool.acquire() as conn:
        total = await conn.fetchval(f"SELECT count(*) {where}", *args)
        ids = [r["stream_id"] for r in await conn.fetch(
            f"SELECT s.stream_id {where} ORDER BY s.payload->>'scheduled_on', s.stream_id "
            f"LIMIT {int(limit)} OFFSET {int(offset)}", *args)]
        rows = await conn.fetch(
            f"SELECT position, {EVENT_COLUMNS} FROM {store.schema}.events "
            "WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, version", ids)
    streams: dict[str, list[EventEnvelope]] = {stream_id: [] for stream_id in ids}
    for row in rows:
        streams[row["stream_id"]].append(row_to_envelope(row))
    return int(total), [streams[stream_id] for stream_id in ids]
