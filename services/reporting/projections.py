"""Projections: each event applied to the read models, in any order, any number of times."""

from __future__ import annotations

import json

from events import REGISTRY, CaseRegistered, EventEnvelope, compute_hash
from services.runtime.db import Conn

SCHEMA = "reporting"


def subject_of(envelope: EventEnvelope) -> str:
    """The case or directive an event is about."""
    subject = envelope.payload.get("subject_id") if envelope.stream_type not in (
        "case", "directive") else None
    return str(subject) if subject else envelope.stream_id


async def record_history(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Keep the event as received, noting whether its own hash recomputes."""
    hash_ok = compute_hash(envelope.prev_hash, envelope.hashed_body()) == envelope.hash
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.history (event_id, subject_id, stream_id, stream_type, topic,
              version, event_type, schema_version, occurred_at, recorded_at, actor,
              correlation_id, causation_id, payload, prev_hash, hash, hash_ok)
            VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12,$13,$14::jsonb,$15,$16,$17)
            ON CONFLICT DO NOTHING""",
        envelope.event_id, subject_of(envelope), envelope.stream_id, envelope.stream_type,
        topic, envelope.version, envelope.event_type, envelope.schema_version,
        envelope.occurred_at, envelope.recorded_at,
        json.dumps(envelope.actor.model_dump(mode="json")), envelope.correlation_id,
        envelope.causation_id, json.dumps(envelope.payload, ensure_ascii=False),
        envelope.prev_hash, envelope.hash, hash_ok,
    )


async def project_case(conn: Conn, envelope: EventEnvelope) -> None:
    """Fold a case event into the case register; older versions never overwrite newer ones."""
    try:
        payload = REGISTRY.decode(envelope.event_type, envelope.schema_version, envelope.payload)
    except Exception:
        return
    if isinstance(payload, CaseRegistered):
        await conn.execute(
            f"""INSERT INTO {SCHEMA}.case_register (case_id, region, sector, source, status,
                  title, district, anonymous, registered_at, registered_by, version, updated_at)
                VALUES ($1,$2,$3,$4,'registered',$5,$6,$7,$8,$9,$10,$11)
                ON CONFLICT (case_id) DO UPDATE SET region = EXCLUDED.region,
                  sector = EXCLUDED.sector, source = EXCLUDED.source, title = EXCLUDED.title,
                  district = EXCLUDED.district, anonymous = EXCLUDED.anonymous,
                  registered_at = EXCLUDED.registered_at,
                  registered_by = EXCLUDED.registered_by""",
            envelope.stream_id, payload.region.value, payload.sector.value,
            payload.source.value, payload.title, payload.district, payload.anonymous,
            envelope.occurred_at, envelope.actor.id, envelope.version, envelope.recorded_at,
        )


async def project(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Apply one event to every read model it concerns."""
    await record_history(conn, envelope, topic)
    if envelope.stream_type == "case":
        await project_case(conn, envelope)
