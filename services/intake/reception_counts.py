"""How many held receptions name a directive: the count its progress is measured by.

Read from intake's own log (the reception streams) rather than from the directive's stream,
so holding a reception never moves a directive's version under its addressee's If-Match."""

from __future__ import annotations

from datetime import datetime

from services.runtime.eventstore import EventStore


async def receptions_held(store: EventStore, directive_id: str,
                          as_of: datetime | None = None) -> int:
    """Receptions naming the directive held as recorded now (or by `as_of`)."""
    # reception.scheduled has one schema version, so its stored payload is its latest shape;
    # the partial index of migration 003 serves the lookup.
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
