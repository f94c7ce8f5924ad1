"""Incremental projection, set-based: keep a batch's events as facts, then recompute the rows
they touch. Everything is read and computed first and written last, in a few statements, so
the transaction that holds the rows' locks stays short."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from uuid import UUID

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
from services.reporting.reception_model import RECEPTION_COLUMNS, reception_row
from services.runtime.consumer import Delivery
from services.runtime.db import Conn, advisory_key

SCHEMA = "reporting"

TABLE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case_register": ("case_id", CASE_COLUMNS),
    "directive_register": ("directive_id", DIRECTIVE_COLUMNS),
    "review_register": ("review_id", REVIEW_COLUMNS),
    "monitoring_groups": ("group_id", GROUP_COLUMNS),
    "reception_register": ("reception_id", RECEPTION_COLUMNS),
}
"""Each register table: its key column and its columns, in the order the model produces."""

OWN_ROW_STREAMS = ("review", "monitoring_group")
"""Stream types with a register row of their own, computed from the stream's facts."""

JSON_COLUMNS = ("actor", "payload", "members", "officials", "officials_present")
HISTORY_TYPES = {
    "event_id": "uuid", "version": "int", "schema_version": "int", "occurred_at": "timestamptz",
    "recorded_at": "timestamptz", "hash_ok": "bool", "log_position": "bigint",
}
"""Non-text history columns, for the typed arrays of the bulk insert."""

StreamKey = tuple[str, str]
Kept = tuple[Fact, str | None]
"""A fact as the history keeps it, with the subject it is filed under."""


class ProjectionRace(Exception):
    """Another writer kept some of the batch's facts meanwhile; the batch is applied again."""


def _casts(columns: Sequence[str]) -> list[str]:
    return [f"${i}::jsonb" if c in JSON_COLUMNS else f"${i}" for i, c in enumerate(columns, 1)]


def upsert_sql(schema: str, table: str) -> str:
    """INSERT or overwrite a register row by its key."""
    key, columns = TABLE_KEYS[table]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    return (f"INSERT INTO {schema}.{table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(_casts(columns))}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


async def bulk_upsert_sql(conn: Conn, schema: str, table: str) -> str | None:
    """INSERT or overwrite many register rows by their keys from one typed array per column,
    typed as the table's columns are; None if a column is itself an array (unnest flattens)."""
    key, columns = TABLE_KEYS[table]
    types = {r["attname"]: r["type"] for r in await conn.fetch(
        """SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
           WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped""",
        f"{schema}.{table}")}
    if any(types[c].endswith("]") for c in columns):
        return None
    arrays = ", ".join(f"${i}::{'text' if c in JSON_COLUMNS else types[c]}[]"
                       for i, c in enumerate(columns, 1))
    values = ", ".join(f"{c}::jsonb" if c in JSON_COLUMNS else c for c in columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    names = ", ".join(columns)
    return (f"INSERT INTO {schema}.{table} ({names}) SELECT {values} "
            f"FROM unnest({arrays}) AS t({names}) ON CONFLICT ({key}) DO UPDATE SET {updates}")


def keep_sql(schema: str) -> str:
    """INSERT history rows from one typed array per column; returns the ids inserted."""
    arrays = ", ".join(f"${i}::{'text' if c in JSON_COLUMNS else HISTORY_TYPES.get(c, 'text')}[]"
                       for i, c in enumerate(HISTORY_COLUMNS, 1))
    values = ", ".join(f"{c}::jsonb" if c in JSON_COLUMNS else c for c in HISTORY_COLUMNS)
    columns = ", ".join(HISTORY_COLUMNS)
    return (f"INSERT INTO {schema}.history ({columns}) SELECT {values} "
            f"FROM unnest({arrays}) AS t({columns}) ON CONFLICT DO NOTHING RETURNING event_id")


@dataclass
class Changes:
    """What a batch writes: new history rows, moved review subjects and recomputed rows."""

    history: list[Row] = field(default_factory=list)
    review_subjects: dict[str, str | None] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    subject_facts: dict[str, list[Fact]] = field(default_factory=dict)
    registers: dict[str, Row] = field(default_factory=dict)
    fresh: list[Fact] = field(default_factory=list)


class Projector:
    """Applies events to the read models of one schema (the live one, or a test's)."""

    def __init__(self, schema: str = SCHEMA, *, pseudonym_key: str | None = None) -> None:
        self.schema = schema
        self.pseudonym_key = pseudonym_key
        """Set: analytics facts are queued, pseudonymised under it; None: no analytics."""
        self._upserts: dict[str, str | None] = {}
        """Each register table's one-statement upsert (None: its columns need one per row)."""

    async def project(self, conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        """Apply one event."""
        await self.project_facts(conn, [Fact.of(envelope, topic)])

    async def project_batch(self, conn: Conn, deliveries: Sequence[Delivery]) -> None:
        """Apply a fetch's events at once, in the order given."""
        await self.project_facts(conn, [Fact.of(envelope, topic) for envelope, topic in deliveries])

    async def project_facts(self, conn: Conn, facts: Sequence[Fact]) -> None:
        """Keep the facts not kept before, then recompute every row whose facts they changed."""
        changes = await self._changes(conn, facts)
        if changes.fresh:
            await self._write(conn, changes)

    async def _changes(self, conn: Conn, facts: Sequence[Fact]) -> Changes:
        """Read what the batch touches and compute what it changes; writes nothing."""
        changes = Changes(fresh=await self._new(conn, facts))
        if not changes.fresh:
            return changes
        streams = await self._streams(conn, {_stream(f) for f in changes.fresh
                                             if f.stream_type in OWN_ROW_STREAMS})
        for fact in changes.fresh:
            if fact.stream_type in OWN_ROW_STREAMS:
                streams[_stream(fact)].append((fact, None))
        moved = {sid: _first(review_subject(f for f, _ in kept))
                 for (kind, sid), kept in streams.items() if kind == "review"}
        changes.review_subjects = moved
        subjects = {s for f in changes.fresh if (s := direct_subject(f)) is not None}
        subjects |= {s for s in moved.values() if s is not None}
        subjects |= {s for (kind, _), kept in streams.items() if kind == "review"
                     for _, s in kept if s is not None}
        filed = {f.event_id: moved[f.stream_id] if f.stream_type == "review" else direct_subject(f)
                 for f in changes.fresh}
        changes.history = [history_row(f, filed[f.event_id], f.hash_ok()) for f in changes.fresh]
        await self._lock_subjects(conn, subjects)
        changes.subject_facts = await self._subject_facts(conn, subjects, streams, moved,
                                                          changes.fresh, filed)
        changes.rows = self._rows(changes, streams)
        return changes

    async def _new(self, conn: Conn, facts: Sequence[Fact]) -> list[Fact]:
        """The facts the history does not hold yet, by event id and by stream slot (first wins)."""
        rows = await conn.fetch(
            f"""SELECT event_id, stream_type, stream_id, version FROM {self.schema}.history
                WHERE event_id = ANY($1::uuid[])
                UNION
                SELECT h.event_id, h.stream_type, h.stream_id, h.version FROM {self.schema}.history h
                JOIN unnest($2::text[], $3::text[], $4::int[]) AS s(stream_type, stream_id, version)
                  ON h.stream_type = s.stream_type AND h.stream_id = s.stream_id
                 AND h.version = s.version""",
            [f.event_id for f in facts], [f.stream_type for f in facts],
            [f.stream_id for f in facts], [f.version for f in facts])
        ids: set[UUID] = {r["event_id"] for r in rows}
        slots = {(r["stream_type"], r["stream_id"], r["version"]) for r in rows}
        fresh = []
        for fact in facts:
            slot = (fact.stream_type, fact.stream_id, fact.version)
            if fact.event_id not in ids and slot not in slots:
                ids.add(fact.event_id)
                slots.add(slot)
                fresh.append(fact)
        return fresh

    async def _streams(self, conn: Conn, keys: Collection[StreamKey]
                       ) -> dict[StreamKey, list[Kept]]:
        """The facts already kept of some streams, with the subject each is filed under."""
        found: dict[StreamKey, list[Kept]] = {key: [] for key in keys}
        if keys:
            for row in await conn.fetch(
                    f"""SELECT h.* FROM {self.schema}.history h
                        JOIN unnest($1::text[], $2::text[]) AS k(stream_type, stream_id)
                          ON h.stream_type = k.stream_type AND h.stream_id = k.stream_id""",
                    [k for k, _ in keys], [i for _, i in keys]):
                found[(row["stream_type"], row["stream_id"])].append(
                    (Fact.from_row(row), row["subject_id"]))
        return found

    async def _lock_subjects(self, conn: Conn, subjects: Collection[str]) -> None:
        """Hold each subject until commit, in one order: two projectors (replicas sharing the
        partitions) that touch one subject recompute its rows one after the other, each from
        the other's facts, instead of side by side from two snapshots."""
        keys = sorted({advisory_key(f"{self.schema}.subject.{s}") for s in subjects})
        if keys:
            await conn.execute(
                "SELECT count(pg_advisory_xact_lock(k)) FROM"
                " (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS ordered", keys)

    async def _subject_facts(self, conn: Conn, subjects: Collection[str],
                             streams: dict[StreamKey, list[Kept]],
                             moved: dict[str, str | None], fresh: Sequence[Fact],
                             filed: dict[UUID, str | None]) -> dict[str, list[Fact]]:
        """Every fact of each subject as the history will file it once the batch is written."""
        by_subject: dict[str, list[Fact]] = {s: [] for s in subjects}
        if not subjects:
            return by_subject
        for row in await conn.fetch(
                f"SELECT * FROM {self.schema}.history WHERE subject_id = ANY($1::text[])",
                list(subjects)):
            if row["stream_type"] == "review" and row["stream_id"] in moved \
                    and moved[row["stream_id"]] != row["subject_id"]:
                continue  # filed elsewhere once the batch is written
            by_subject[row["subject_id"]].append(Fact.from_row(row))
        for (kind, sid), kept in streams.items():
            target = moved.get(sid) if kind == "review" else None
            for fact, current in kept:
                # Kept before, filed elsewhere or nowhere until now (the batch's own are below).
                if target is not None and current != target and fact.event_id not in filed:
                    by_subject[target].append(fact)
        for fact in fresh:
            if (subject := filed[fact.event_id]) is not None:
                by_subject[subject].append(fact)
        return by_subject

    def _rows(self, changes: Changes, streams: dict[StreamKey, list[Kept]]
              ) -> dict[str, list[Row]]:
        """Every register row the batch changes, computed from the facts it will leave."""
        rows: dict[str, list[Row]] = {table: [] for table in TABLE_KEYS}
        for (kind, sid), kept in sorted(streams.items()):
            stream = [fact for fact, _ in kept]
            if kind == "review":
                rows["review_register"].append(review_row(sid, stream))
            elif (group := group_row(sid, stream)) is not None:
                rows["monitoring_groups"].append(group)
        for subject in sorted(changes.subject_facts):
            facts = changes.subject_facts[subject]
            if (case := case_row(subject, facts)) is not None:
                rows["case_register"].append(case)
                changes.registers[subject] = case
            if (directive := directive_row(subject, facts)) is not None:
                rows["directive_register"].append(directive)
                changes.registers[subject] = directive
            if (reception := reception_row(subject, facts)) is not None:
                rows["reception_register"].append(reception)
        return rows

    async def _write(self, conn: Conn, changes: Changes) -> None:
        """Write a batch's changes: a handful of statements, however large the batch."""
        columns = [[row[c] for row in changes.history] for c in HISTORY_COLUMNS]
        kept = {r["event_id"] for r in await conn.fetch(keep_sql(self.schema), *columns)}
        if kept != {f.event_id for f in changes.fresh}:
            raise ProjectionRace("the history changed while the batch was computed")
        if changes.review_subjects:
            await conn.execute(
                f"""UPDATE {self.schema}.history h SET subject_id = d.subject_id
                    FROM unnest($1::text[], $2::text[]) AS d(review_id, subject_id)
                    WHERE h.stream_type = 'review' AND h.stream_id = d.review_id
                      AND h.subject_id IS DISTINCT FROM d.subject_id""",
                list(changes.review_subjects), list(changes.review_subjects.values()))
        for table, rows in changes.rows.items():
            await self._upsert(conn, table, rows)
        if self.pseudonym_key is not None:
            await analytics.enqueue(
                conn, self.schema, [f for f in changes.fresh if f.stream_type in ("case", "directive")],
                changes.subject_facts, changes.registers, self.pseudonym_key)

    async def _upsert(self, conn: Conn, table: str, rows: Sequence[Row]) -> None:
        """Write a table's rows in one statement (one per row cost most of a batch's writing)."""
        if not rows:
            return
        columns = TABLE_KEYS[table][1]
        if table not in self._upserts:
            self._upserts[table] = await bulk_upsert_sql(conn, self.schema, table)
        sql = self._upserts[table]
        if sql is None:
            await conn.executemany(upsert_sql(self.schema, table),
                                   [tuple(row[c] for c in columns) for row in rows])
        else:
            await conn.execute(sql, *[[row[c] for row in rows] for c in columns])


def _stream(fact: Fact) -> StreamKey:
    return fact.stream_type, fact.stream_id


def _first(found: tuple[str, str] | None) -> str | None:
    return found[0] if found else None


def live_projector(pseudonym_key: str) -> Projector:
    """The projector of the live schema, queueing analytics pseudonymised under the key."""
    return Projector(SCHEMA, pseudonym_key=pseudonym_key)
