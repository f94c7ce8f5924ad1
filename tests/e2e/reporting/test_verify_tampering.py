"""Audit check: an edit to one stored intake event is named by verify, with or without a new chain."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest

from events import EventEnvelope, compute_hash
from tests.e2e.reporting.support import at_rest, case_body, post, projected
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e


async def stored(db: asyncpg.Connection, stream_id: str) -> list[EventEnvelope]:
    rows = await db.fetch("SELECT * FROM intake.events WHERE stream_id = $1 ORDER BY version",
                          stream_id)
    return [EventEnvelope.model_validate({
        **{k: r[k] for k in ("stream_id", "stream_type", "version", "event_id", "event_type",
                             "schema_version", "occurred_at", "recorded_at", "correlation_id",
                             "causation_id", "prev_hash", "hash")},
        "actor": json.loads(r["actor"]), "payload": json.loads(r["payload"])}) for r in rows]


async def superuser_edit(db: asyncpg.Connection, updates: list[tuple[EventEnvelope, bool]]
                         ) -> None:
    """Rewrite stored events behind the append-only trigger, as a rogue superuser would."""
    async with db.transaction():
        await db.execute("ALTER TABLE intake.events DISABLE TRIGGER events_no_update_delete")
        for envelope, with_hashes in updates:
            if with_hashes:
                await db.execute(
                    "UPDATE intake.events SET payload = $2::jsonb, prev_hash = $3, hash = $4 "
                    "WHERE event_id = $1", envelope.event_id, json.dumps(envelope.payload),
                    envelope.prev_hash, envelope.hash)
            else:
                await db.execute("UPDATE intake.events SET payload = $2::jsonb WHERE event_id = $1",
                                 envelope.event_id, json.dumps(envelope.payload))
        await db.execute("ALTER TABLE intake.events ENABLE TRIGGER events_no_update_delete")


async def verify(client: httpx.AsyncClient, system: RunningSystem, case_id: str
                 ) -> dict[str, object]:
    response = await client.get(f"{system.reporting_url}/v1/cases/{case_id}/verify",
                                headers=auth("monitor"))
    assert response.status_code == 200, response.text
    (stream,) = [s for s in response.json()["streams"] if s["stream_type"] == "case"]
    result: dict[str, object] = stream
    return result


async def a_projected_case(client: httpx.AsyncClient, system: RunningSystem) -> str:
    """A case registered, projected, and done reacting (an automatic assignment may follow the
    registration; an edit racing with it would break the chain for a reason of its own)."""
    case = await post(client, f"{system.intake_url}/v1/cases", case_body())
    await projected(client, system, "cases", case["id"])
    await at_rest(client, system, "cases", str(case["id"]))
    return str(case["id"])


async def test_an_untouched_case_verifies(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        case_id = await a_projected_case(client, system)
        stream = await verify(client, system, case_id)
    assert stream["holds"] is True and stream["copy_matches"] is True
    assert stream["in_checkpoint"] is True, stream


async def test_an_edit_leaving_the_stored_hashes_is_named_by_verify(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as client:
        case_id = await a_projected_case(client, system)
        (first, *_) = await stored(db, case_id)
        forged = first.model_copy(update={"payload": {**first.payload, "district": "Medeu"}})
        await superuser_edit(db, [(forged, False)])
        stream = await verify(client, system, case_id)
    assert stream["holds"] is False and stream["owner_chain_ok"] is False
    broken = stream["first_broken"]
    assert isinstance(broken, dict) and broken["event_id"] == str(first.event_id)


async def test_an_edit_with_the_whole_chain_recomputed_is_named_by_verify(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    async with httpx.AsyncClient() as client:
        case_id = await a_projected_case(client, system)
        events = await stored(db, case_id)
        rewritten, previous = [], events[0].prev_hash
        for index, envelope in enumerate(events):
            payload = {**envelope.payload, "district": "Medeu"} if index == 0 else envelope.payload
            moved = envelope.model_copy(update={"payload": payload, "prev_hash": previous})
            moved = moved.model_copy(update={"hash": compute_hash(previous, moved.hashed_body())})
            rewritten.append((moved, True))
            previous = moved.hash
        await superuser_edit(db, rewritten)
        stream = await verify(client, system, case_id)
    assert stream["owner_chain_ok"] is True and stream["copy_matches"] is False
    broken = stream["first_broken"]
    assert isinstance(broken, dict) and broken["event_id"] == str(events[0].event_id)
    assert stream["holds"] is False
