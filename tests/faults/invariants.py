"""What must hold after every fault: nothing lost, nothing duplicated, nothing left undelivered."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from events import dlq_topic
from services.assignment.consumers import PLANNER
from services.reporting.consumers import PROJECTOR
from services.review.opener import OPENER
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem

ROOT = Path(__file__).resolve().parents[2]
# Every consumer of intake's topic, and the schema it records what it applied in.
INTAKE_CONSUMERS = {PLANNER: "assignment", OPENER: "review", PROJECTOR: "reporting"}


async def _registrations(db: asyncpg.Connection, ids: list[str]) -> dict[str, list[str]]:
    rows = await db.fetch(
        "SELECT stream_id, event_id::text FROM intake.events"
        " WHERE stream_id = ANY($1::text[]) AND event_type = 'case.registered'", ids)
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["stream_id"], []).append(row["event_id"])
    return found


async def _applied(db: asyncpg.Connection, schema: str, consumer: str, event_ids: list[str]
                   ) -> int:
    count: int = await db.fetchval(
        f"SELECT count(*) FROM {schema}.processed_events"
        " WHERE consumer = $1 AND event_id = ANY($2::uuid[])", consumer, event_ids)
    return count


async def assert_nothing_lost_or_duplicated(db: asyncpg.Connection, acknowledged: list[str],
                                            within: float = 120.0) -> None:
    """Every acknowledged (2xx) registration is stored exactly once by intake, and every
    consumer of intake's topic applies it exactly once (waiting for them to catch up)."""
    stored = await _registrations(db, acknowledged)
    assert sorted(stored) == sorted(acknowledged), "an acknowledged case is missing from intake"
    assert all(len(events) == 1 for events in stored.values()), "a registration is duplicated"
    event_ids = [events[0] for events in stored.values()]
    deadline = time.monotonic() + within
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = {c: await _applied(db, schema, c, event_ids)
                  for c, schema in INTAKE_CONSUMERS.items()}
        if all(n == len(event_ids) for n in counts.values()):
            break
        await asyncio.sleep(0.5)
    assert counts == dict.fromkeys(INTAKE_CONSUMERS, len(event_ids)), counts
    projected: int = await db.fetchval(
        "SELECT count(*) FROM reporting.history WHERE event_id = ANY($1::uuid[])", event_ids)
    assert projected == len(event_ids), "reporting's history holds a registration twice or not"


async def assert_read_models_equal_their_rebuild(system: RunningSystem) -> None:
    """Reporting's read models, and review's and assignment's read tables, equal a rebuild from
    the log."""
    for service in ("reporting", "review", "assignment"):
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", f"services.{service}.rebuild", "--check"],
            env=system.env(), cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, f"{service}: {done.stdout}{done.stderr}"


async def assert_dead_lettered(bootstrap: str, consumer: str, markers: list[bytes]) -> None:
    """Every poison message is on the consumer's dead-letter topic, with its origin and reason."""
    records = await read_topic(
        bootstrap, dlq_topic(consumer), within=60,
        until=lambda rs: all(any(m in (r.value or b"") for r in rs) for m in markers))
    for marker in markers:
        (dead,) = [r for r in records if marker in (r.value or b"")]
        headers = {k: v.decode() for k, v in dead.headers}
        assert headers["dlq_consumer"] == consumer and headers["dlq_error"], headers
        assert headers["dlq_origin_offset"].isdigit()
