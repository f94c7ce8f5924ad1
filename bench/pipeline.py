"""Behind the API: the outbox relay, reporting's consumer and the rebuild, each timed on a backlog.

The backlog is appended through intake's own EventStore while intake and every worker are stopped;
then intake alone starts (its relay publishes the backlog), then reporting's worker alone (its
projector applies it), then `python -m services.reporting.rebuild` replays the topics.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import profiling
from bench.samples import ACTOR, case_registered
from bench.stack import Stack
from bench.stats import rate
from events import INTAKE_TOPIC, new_event_id
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore

APPEND_BATCH = 500
PROJECTOR = "reporting-projector"
REBUILD_MODULE = "services.reporting.rebuild"
POLL = 0.05
COUNT_APPLIED = "SELECT count(*) FROM reporting.processed_events WHERE consumer = $1"


async def append_backlog(database_url: str, events: int) -> dict[str, Any]:
    """`events` case registrations appended through EventStore.append_in, 500 streams a transaction."""
    pool = await create_pool(database_url, "intake", max_size=2)
    store = EventStore(pool, "intake")
    payloads = [case_registered()]
    context = CommandContext(actor=ACTOR, correlation_id="bench-backlog")
    started = time.perf_counter()
    try:
        for first in range(0, events, APPEND_BATCH):
            async with pool.acquire() as conn, conn.transaction():
                for _ in range(min(APPEND_BATCH, events - first)):
                    await store.append_in(conn, str(new_event_id()), "case", 0, payloads, context)
    finally:
        await pool.close()
    elapsed = time.perf_counter() - started
    return {"events": events, "seconds": round(elapsed, 2), "events_per_s": rate(events, elapsed)}


async def relay_rate(stack: Stack, within: float) -> dict[str, Any]:
    """Start intake and time its relay publishing the stored-but-unpublished backlog."""
    head = int(await stack.value("SELECT coalesce(max(position), 0) FROM intake.events"))
    cursor_sql = "SELECT coalesce(max(position), 0) FROM intake.relay_cursor WHERE topic = $1"
    before = int(await stack.value(cursor_sql, INTAKE_TOPIC))
    stack.system.start("intake")
    deadline = time.monotonic() + within
    first: tuple[float, int] | None = None
    while True:
        now, position = time.perf_counter(), int(await stack.value(cursor_sql, INTAKE_TOPIC))
        if first is None and position > before:
            first = (now, position)
        if position >= head:
            break
        if time.monotonic() > deadline:
            return {"error": f"relay reached {position} of {head} in {within:.0f}s"}
        await asyncio.sleep(POLL)
    assert first is not None
    # Timed from the first saved cursor: the relay's start (producer, topic check) is not publishing.
    published, seconds = head - first[1], now - first[0]
    return {"backlog": head - before, "timed_events": published, "seconds": round(seconds, 2),
            "events_per_s": rate(published, seconds) if published else None}


async def apply_mark(stack: Stack) -> tuple[int, Any]:
    """Before the worker starts: how many events the projector had applied, and the database time."""
    return int(await stack.value(COUNT_APPLIED, PROJECTOR)), await stack.value("SELECT now()")


async def apply_rate(stack: Stack, mark: tuple[int, Any], expected: int, within: float
                     ) -> dict[str, Any]:
    """Wait for reporting's (restarted) projector to apply `expected` events since `mark`; its rate."""
    before, since = mark
    deadline = time.monotonic() + within
    while (done := int(await stack.value(COUNT_APPLIED, PROJECTOR)) - before) < expected:
        if time.monotonic() > deadline:
            return {"error": f"applied {done} of {expected} in {within:.0f}s"}
        await asyncio.sleep(0.2)
    # Timed between the first and last apply transactions (the group join is not applying).
    span = await stack.value(
        "SELECT extract(epoch FROM max(processed_at) - min(processed_at))::float8"
        " FROM reporting.processed_events WHERE consumer = $1 AND processed_at >= $2",
        PROJECTOR, since)
    seconds = float(span or 0.0)
    return {"events": done, "seconds": round(seconds, 2),
            "events_per_s": rate(done - 1, seconds) if seconds else None}


def rebuild_available() -> bool:
    """Whether this checkout has reporting's rebuild command."""
    return importlib.util.find_spec(REBUILD_MODULE) is not None


def run_rebuild(stack: Stack, events: int, log: Path, timeout: float,
                profile_to: Path | None = None) -> dict[str, Any]:
    """Time `python -m services.reporting.rebuild` end to end over `events` events on the topics."""
    if not rebuild_available():
        return {"available": False, "note": f"{REBUILD_MODULE} is not in this checkout"}
    argv = [sys.executable, "-m", REBUILD_MODULE]
    if profile_to is not None and (spy := profiling.py_spy()):
        argv = [spy, *profiling.RECORD_ARGS, "--output", str(profile_to), "--", *argv]
    started = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run(argv, env=stack.system.env(),
                              stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False,
                              cwd=Path(__file__).resolve().parents[1])
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"available": True, "events": events, "seconds": round(seconds, 2),
                              "exit_code": done.returncode, "log": str(log)}
    if done.returncode == 0:
        result["events_per_s"] = rate(events, seconds)
        # The tool's own clock (after imports and connecting): what the replay itself does.
        if found := re.search(r"(\d+) events replayed.*?after ([\d.]+)s", log.read_text(errors="replace")):
            replayed, own = int(found[1]), float(found[2])
            result.update(replayed=replayed, tool_seconds=own, events_per_s_tool=rate(replayed, own))
    else:
        result["output_tail"] = log.read_text(errors="replace")[-1500:]
    return result
