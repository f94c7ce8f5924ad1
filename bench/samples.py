"""Events and rows shaped exactly like what intake stores for one POST /v1/cases."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from bench.plan import SAMPLE_BODY
from events import GENESIS_HASH, REGISTRY, Actor, CaseRegistered, EventEnvelope, new_event_id

ACTOR = Actor(id="bench", role="operator", region="KZ-75")
COLUMNS = ("stream_id", "stream_type", "version", "event_id", "event_type", "schema_version",
           "occurred_at", "recorded_at", "actor", "correlation_id", "causation_id", "payload",
           "prev_hash", "hash")
JSON_COLUMNS = {"actor", "payload"}
TABLE_DDL = """CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.events;
CREATE TABLE bench.events (LIKE intake.events INCLUDING ALL);"""
"""The raw baselines' table: the events table's columns, identity, checks and unique indexes."""


def case_registered() -> CaseRegistered:
    """The event the sample body registers."""
    return CaseRegistered.model_validate({**SAMPLE_BODY, "anonymous": False, "reporter": None})


def sealed(stream_id: str | None = None) -> EventEnvelope:
    """A sealed first event of a fresh case stream."""
    event_type, schema_version, payload = REGISTRY.encode(case_registered())
    now = datetime.now(UTC)
    return EventEnvelope.seal(
        prev_hash=GENESIS_HASH, stream_id=stream_id or str(new_event_id()), stream_type="case",
        version=1, event_id=new_event_id(), event_type=event_type, schema_version=schema_version,
        occurred_at=now, recorded_at=now, actor=ACTOR, correlation_id=uuid.uuid4().hex,
        causation_id=uuid.uuid4().hex, payload=payload)


def row(envelope: EventEnvelope, *, json_as_text: bool = True) -> tuple[Any, ...]:
    """The envelope as a row of COLUMNS (jsonb columns as JSON text)."""
    values = envelope.model_dump(include=set(COLUMNS))
    values["actor"] = envelope.actor.model_dump(mode="json")
    return tuple(json.dumps(values[c]) if c in JSON_COLUMNS and json_as_text else values[c]
                 for c in COLUMNS)


def fresh_row(template: tuple[Any, ...]) -> tuple[Any, ...]:
    """The template row with a new stream id and event id (the unique columns)."""
    return (str(uuid.uuid4()), *template[1:3], uuid.uuid4(), *template[4:])


INSERT_SQL = (f"INSERT INTO bench.events ({', '.join(COLUMNS)}) VALUES "
              + ", ".join(f"${i}::jsonb" if c in JSON_COLUMNS else f"${i}"
                          for i, c in enumerate(COLUMNS, start=1)).join("()"))
