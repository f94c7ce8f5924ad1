"""Incremental projection: keep each event as a fact, then recompute the rows it touches."""

from __future__ import annotations

from collections.abc import Sequence

from events import EventEnvelope
from services.reporting import analytics
from services.reporting.facts import (
    CASE_COLUMNS,
    DIRECTIVE_COLUMNS,
    GROUP_COLUMNS,
    HISTORY_COLUMNS,
    REVIEW_COLUMNS,
    Fact,
    Row,
    history_row,
)
from services.reporting.model import (
    case_row,
    direct_subject,
    directive_row,
    group_row,
    review_row,
    review_subject,
)
from services.runtime.db import Conn

SCHEMA = "reporting"

TABLE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case_register": ("case_id", CASE_COLUMNS),
    "directive_register": ("directive_id", DIRECTIVE_COLUMNS),
    "review_register": ("review_id", REVIEW_COLUMNS),
    "monitoring_groups": ("group_id", GROUP_COLUMNS),
}
"""Each register table: its key column and its columns, in the order the model produces."""


def _casts(columns: Sequence[str]) -> list[str]:
    return [f"${i}::jsonb" if c in ("actor", "payload", "members") else f"${i}"
            for i, c in enumerate(columns, 1)]


def upsert_sql(schema: str, table: str) -> str:
    """INSERT or overwrite a register row by its key."""
    key, columns = TABLE_KEYS[table]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    return (f"INSERT INTO {schema}.{table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(_casts(columns))}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


def history_insert_sql(schema: str) -> str:
    """INSERT a history row unless that event is already kept."""
    return (f"INSERT INTO {schema}.history ({', '.join(HISTORY_COLUMNS)}) "
            f"VALUES ({', '.join(_casts(HISTORY_COLUMNS))}) ON CONFLICT DO NOTHING")


class Projector:
    """Applies events to the read models of one schema (the live one, or a test's)."""

    def __init__(self, schema: str = SCHEMA, *, publish_analytics: bool = True) -> None:
        self.schema = schema
        self.publish_analytics = publish_analytics

    async def project(self, conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        """Apply one event: keep it, then recompute every row whose facts it changed."""
        fact = Fact.of(envelope, topic)
        subject = await self._subject(conn, fact)
        row = history_row(fact, subject, envelope.hash_is_valid())
        inserted = await conn.fetchval(history_insert_sql(self.schema) + " RETURNING 1",
                                       *(row[c] for c in HISTORY_COLUMNS))
        if not inserted:
            return
        if fact.stream_type == "review":
            subject = await self._settle_review_subject(conn, fact.stream_id) or subject
            await self._write(conn, "review_register",
                              review_row(fact.stream_id, await self._stream(conn, fact)))
        if fact.stream_type == "monitoring_group":
            group = group_row(fact.stream_id, await self._stream(conn, fact))
            if group is not None:
                await self._write(conn, "monitoring_groups", group)
        if subject is not None:
            await self.recompute_subject(conn, subject)
        if self.publish_analytics and fact.stream_type in ("case", "directive"):
            await analytics.enqueue(conn, self.schema, fact)

    async def recompute_subject(self, conn: Conn, subject: str) -> None:
        """Recompute the case or directive row of a subject from all its facts."""
        rows = await conn.fetch(f"SELECT * FROM {self.schema}.history WHERE subject_id = $1",
                                subject)
        facts = [Fact.from_row(r) for r in rows]
        if (case := case_row(subject, facts)) is not None:
            await self._write(conn, "case_register", case)
        if (directive := directive_row(subject, facts)) is not None:
            await self._write(conn, "directive_register", directive)

    async def _subject(self, conn: Conn, fact: Fact) -> str | None:
        if fact.stream_type != "review":
            return direct_subject(fact)
        known = review_subject([*await self._stream(conn, fact), fact])
        return known[0] if known else None

    async def _stream(self, conn: Conn, fact: Fact) -> list[Fact]:
        rows = await conn.fetch(
            f"SELECT * FROM {self.schema}.history WHERE stream_type = $1 AND stream_id = $2",
            fact.stream_type, fact.stream_id)
        return [Fact.from_row(r) for r in rows]

    async def _settle_review_subject(self, conn: Conn, review_id: str) -> str | None:
        """Give every event of a review the subject its stream now names (late openings)."""
        rows = await conn.fetch(
            f"SELECT * FROM {self.schema}.history WHERE stream_type = 'review' AND stream_id = $1",
            review_id)
        found = review_subject(Fact.from_row(r) for r in rows)
        subject = found[0] if found else None
        moved = await conn.fetch(
            f"""UPDATE {self.schema}.history h SET subject_id = $2
                FROM {self.schema}.history old
                WHERE h.event_id = old.event_id AND h.stream_type = 'review'
                  AND h.stream_id = $1 AND h.subject_id IS DISTINCT FROM $2
                RETURNING old.subject_id""",
            review_id, subject)
        for previous in {r["subject_id"] for r in moved} - {None, subject}:
            await self.recompute_subject(conn, previous)
        return subject

    async def _write(self, conn: Conn, table: str, row: Row) -> None:
        await conn.execute(upsert_sql(self.schema, table), *(row[c] for c in TABLE_KEYS[table][1]))


LIVE = Projector()


async def project(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Apply one event to every read model it concerns (the live schema)."""
    await LIVE.project(conn, envelope, topic)
