"""The clock scanner: replays clocks and rules over open work, then raises due breaches once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from events import Actor
from services.assignment import tables
from services.assignment.domain.clocks import today
from services.assignment.planner import Planner
from services.runtime.db import advisory_key
from services.runtime.eventstore import CommandContext
from services.runtime.logs import get_logger

log = get_logger(__name__)

SCANNER_LOCK = advisory_key("casetrack.assignment.scanner")
SCANNER_ACTOR = "assignment-clock"


@dataclass
class ScanReport:
    """What one scan did."""

    recomputed: int = 0
    rerouted: int = 0
    escalated: int = 0
    skipped: bool = False


async def scan(pool: asyncpg.Pool, planner: Planner, offset_days: int = 0,
               *, replay: bool = False) -> ScanReport:
    """One pass; only one scanner in the whole deployment runs it at a time."""
    report = ScanReport()
    on = today(datetime.now(UTC), offset_days)
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", SCANNER_LOCK):
            report.skipped = True
            return report
        await tables.lock_planning(conn)
        for state in await tables.open_subjects(conn):
            context = CommandContext(actor=Actor(id=SCANNER_ACTOR, role="system",
                                                 region=state.region),
                                     correlation_id=f"scan:{on.isoformat()}")
            if replay:
                before = state
                state = await planner.recompute_clock(conn, state, context)
                report.recomputed += state.version != before.version
                before = state
                state = await planner.assign_by_rules(conn, state, "rules replayed", context)
                report.rerouted += state.version != before.version
            if await planner.escalate(conn, state, on, context) is not None:
                report.escalated += 1
    return report


async def run_scanner(pool: asyncpg.Pool, planner: Planner, every: float, offset_days: int
                      ) -> None:
    """Replay clocks and rules once at start, then scan for breaches every `every` seconds."""
    replay = True
    while True:
        try:
            report = await scan(pool, planner, offset_days, replay=replay)
            replay = replay and report.skipped
            if report.recomputed or report.rerouted or report.escalated:
                log.info("clock.scan", recomputed=report.recomputed, rerouted=report.rerouted,
                         escalated=report.escalated)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed scan is retried on the next tick
            log.warning("clock.scan_failed", error=repr(exc))
        await asyncio.sleep(every)
