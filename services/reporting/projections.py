"""Incremental projection, set-based: keep a batch's events as facts, then recompute the rows
they touch, in a fixed number of statements whatever the batch's size."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

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
from services.runtime.consumer import Delivery
from services.runtime.db import Conn

SCHEMA = "reporting"

TABLE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case_register": ("case_id", CASE_COLUMNS),
    "directive_register": ("directive_id", DIRECTIVE_COLUMNS),
    "review_register": ("review_id", REVIEW_COLUMNS),
    "monitoring_groups": ("group_id", GROUP_COLUMNS),
}
"""Each register table: its key column and its columns, in the order the model produces."""

OWN_ROW_STREAMS = ("review", "monitoring_group")
"""Stream types with a register row of their own, computed from the stream's facts."""

JSON_COLUMNS = ("actor", "payload", "members")
HISTORY_TYPES = {
    "event_id": "uuid", "version": "int", "schema_version": "int", "occurred_at": "timestamptz",
    "recorded_at": "timestamptz", "hash_ok": "bool",
}
"""Non-text history columns, for the typed arrays of the bulk insert."""

StreamKey = tuple[str, str]


def _casts(columns: Sequence[str]) -> list[str]:
    return [f"${i}::jsonb" if c in JSON_COLUMNS else f"${i}" for i, c in enumerate(columns, 1)]


def upsert_sql(schema: str, table: str) -> str:
    """INSERT or overwrite a register row by its key."""
    key, columns = TABLE_KEYS[table]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    return (f"INSERT INTO {schema}.{table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(_casts(columns))}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


def keep_sql(schema: str) -> str:
    """INSERT history rows from one typed array per column, in order; the first of an event (or
    of a stream slot) wins; returns the ids kept."""
    arrays = ", ".join(f"${i}::{'text' if c in JSON_COLUMNS else HISTORY_TYPES.get(c, 'text')}[]"
                       for i, c in enumerate(HISTORY_COLUMNS, 1))
    values = ", ".join(f"{c}::jsonb" if c in JSON_COLUMNS else c for c in HISTORY_COLUMNS)
    columns = ", ".join(HISTORY_COLUMNS)
    return (f"INSERT INTO {schema}.history ({columns}) SELECT {values} "
            f"FROM unnest({arrays}) WITH ORDINALITY AS t({columns}, n) ORDER BY n "
            f"ON CONFLICT DO NOTHING RETURNING event_id")


class Projector:
    """Applies events to the read models of one schema (the live one, or a test's)."""

    def __init__(self, schema: str = SCHEMA, *, publish_analytics: bool = True) -> None:
        self.schema = schema
        self.publish_analytics = publish_analytics

    async def project(self, conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        """Apply one event."""
        await self.project_facts(conn, [Fact.of(envelope, topic)])

    async def project_batch(self, conn: Conn, deliveries: Sequence[Delivery]) -> None:
        """Apply a fetch's events at once, in the order given."""
        await self.project_facts(conn, [Fact.of(envelope, topic) for envelope, topic in deliveries])

    async def project_facts(self, conn: Conn, facts: Sequence[Fact]) -> None:
        """Keep the facts not kept before, then recompute every row whose facts they changed."""
        streams = await self._streams(conn, {_stream(f) for f in facts
                                             if f.stream_type in OWN_ROW_STREAMS})
        arriving: dict[StreamKey, list[Fact]] = {}
        for fact in facts:
            if fact.stream_type in OWN_ROW_STREAMS:
                arriving.setdefault(_stream(fact), []).append(fact)
        rows = [history_row(f, self._subject(f, streams, arriving), f.hash_ok()) for f in facts]
        kept = await self._keep(conn, rows)
        fresh: list[Fact] = []
        for fact in facts:
            if fact.event_id in kept:  # its first delivery is the one kept
                kept.discard(fact.event_id)
                fresh.append(fact)
        if not fresh:
            return
        for fact in fresh:
            if fact.stream_type in OWN_ROW_STREAMS:
                streams.setdefault(_stream(fact), []).append(fact)
        touched = {_stream(f) for f in fresh}
        subjects = {s for f in fresh if (s := direct_subject(f)) is not None}
        reviews = sorted(sid for kind, sid in touched if kind == "review")
        if reviews:
            subjects |= await self._settle_review_subjects(
                conn, {sid: review_subject(streams[("review", sid)]) for sid in reviews})
            await self._write(conn, "review_register",
                              [review_row(sid, streams[("review", sid)]) for sid in reviews])
        groups = [g for kind, sid in sorted(touched) if kind == "monitoring_group"
                  if (g := group_row(sid, streams[(kind, sid)])) is not None]
        await self._write(conn, "monitoring_groups", groups)
        subject_facts, registers = await self.recompute_subjects(conn, subjects)
        if self.publish_analytics:
            await analytics.enqueue(conn, self.schema,
                                    [f for f in fresh if f.stream_type in ("case", "directive")],
                                    subject_facts, registers)

    async def recompute_subjects(self, conn: Conn, subjects: Collection[str]
                                 ) -> tuple[dict[str, list[Fact]], dict[str, Row]]:
        """Recompute the case and directive rows of subjects from all their facts; the facts
        per subject and the rows written."""
        if not subjects:
            return {}, {}
        rows = await conn.fetch(
            f"SELECT * FROM {self.schema}.history WHERE subject_id = ANY($1::text[])",
            list(subjects))
        by_subject: dict[str, list[Fact]] = {}
        for row in rows:
            by_subject.setdefault(row["subject_id"], []).append(Fact.from_row(row))
        cases, directives = {}, {}
        for subject in sorted(by_subject):
            if (case := case_row(subject, by_subject[subject])) is not None:
                cases[subject] = case
            if (directive := directive_row(subject, by_subject[subject])) is not None:
                directives[subject] = directive
        await self._write(conn, "case_register", cases.values())
        await self._write(conn, "directive_register", directives.values())
        return by_subject, cases | directives

    @staticmethod
    def _subject(fact: Fact, known: dict[StreamKey, list[Fact]],
                 arriving: dict[StreamKey, list[Fact]]) -> str | None:
        if fact.stream_type != "review":
            return direct_subject(fact)
        key = _stream(fact)
        found = review_subject([*known.get(key, []), *arriving[key]])
        return found[0] if found else None

    async def _streams(self, conn: Conn, keys: Collection[StreamKey]
                       ) -> dict[StreamKey, list[Fact]]:
        """The facts already kept of some streams."""
        if not keys:
            return {}
        rows = await conn.fetch(
            f"""SELECT h.* FROM {self.schema}.history h
                JOIN unnest($1::text[], $2::text[]) AS k(stream_type, stream_id)
                  ON h.stream_type = k.stream_type AND h.stream_id = k.stream_id""",
            [k for k, _ in keys], [i for _, i in keys])
        found: dict[StreamKey, list[Fact]] = {key: [] for key in keys}
        for row in rows:
            found[(row["stream_type"], row["stream_id"])].append(Fact.from_row(row))
        return found

    async def _keep(self, conn: Conn, rows: Sequence[Row]) -> set[object]:
        """Insert the history rows that are new; the event ids inserted."""
        columns = [[row[c] for row in rows] for c in HISTORY_COLUMNS]
        return {r["event_id"] for r in await conn.fetch(keep_sql(self.schema), *columns)}

    async def _settle_review_subjects(self, conn: Conn,
                                      found: dict[str, tuple[str, str] | None]) -> set[str]:
        """Give every event of each review the subject its stream now names (late openings);
        the subjects whose facts changed: the new ones and any they moved away from."""
        subjects = {s[0] for s in found.values() if s is not None}
        moved = await conn.fetch(
            f"""UPDATE {self.schema}.history h SET subject_id = d.subject_id
                FROM {self.schema}.history old,
                     unnest($1::text[], $2::text[]) AS d(review_id, subject_id)
                WHERE h.event_id = old.event_id AND h.stream_type = 'review'
                  AND h.stream_id = d.review_id AND h.subject_id IS DISTINCT FROM d.subject_id
                RETURNING old.subject_id""",
            list(found), [s[0] if s else None for s in found.values()])
        return subjects | {r["subject_id"] for r in moved if r["subject_id"] is not None}

    async def _write(self, conn: Conn, table: str, rows: Iterable[Row]) -> None:
        columns = TABLE_KEYS[table][1]
        values = [tuple(row[c] for c in columns) for row in rows]
        if values:
            await conn.executemany(upsert_sql(self.schema, table), values)


def _stream(fact: Fact) -> StreamKey:
    return fact.stream_type, fact.stream_id


LIVE = Projector()


async def project(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Apply one event to every read model it concerns (the live schema)."""
    await LIVE.project(conn, envelope, topic)


async def project_batch(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Apply a fetch's events to every read model they concern (the live schema)."""
    await LIVE.project_batch(conn, deliveries)
