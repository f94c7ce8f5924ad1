"""The clock scanner: replays clocks and rules over open work, then raises due breaches once."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import asyncpg

from events import Actor
from services.assignment import tables
from services.assignment.planner import Planner
from services.runtime.clock import SYSTEM_CLOCK, Clock, today
from services.runtime.db import advisory_key, create_pool
from services.runtime.eventstore import CommandContext, EventStore
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
    resume_after: str | None = None
    """Set when the pass ran out of its time budget: the next pass starts after this subject."""


async def scan(pool: asyncpg.Pool, planner: Planner, offset_days: int = 0,
               *, replay: bool = False, budget_seconds: float | None = None,
               after: str | None = None, clock: Clock = SYSTEM_CLOCK) -> ScanReport:
    """One pass over open subjects (after `after`), stopping once the budget is spent so the
    write lock it holds is released; only one scanner in the deployment runs at a time."""
    report = ScanReport()
    on = today(clock, offset_days)
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", SCANNER_LOCK):
            report.skipped = True
            return report
        await tables.lock_planning(conn)
        for state in await tables.open_subjects(conn, after):
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
                state = await tables.subject(conn, state.id) or state
            before = state
            state = await planner.escalate_side_clocks(conn, state, on, context)
            report.escalated += state.version - before.version
            if deadline is not None and time.monotonic() > deadline:
                report.resume_after = state.id
                return report
    return report


async def run_scanner(pool: asyncpg.Pool, planner: Planner, every: float, offset_days: int,
                      budget_seconds: float = 0.5, clock: Clock = SYSTEM_CLOCK) -> None:
    """Replay clocks and rules once at start, then scan for breaches every `every` seconds; a
    pass that spends its budget commits what it did and the next one resumes where it stopped."""
    replay, after = True, None
    while True:
        report = ScanReport()
        try:
            report = await scan(pool, planner, offset_days, replay=replay,
                                budget_seconds=budget_seconds, after=after, clock=clock)
            after = report.resume_after
            replay = replay and (report.skipped or after is not None)
            if report.recomputed or report.rerouted or report.escalated:
                log.info("clock.scan", recomputed=report.recomputed, rerouted=report.rerouted,
                         escalated=report.escalated, resume_after=after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed scan is retried on the next tick
            log.warning("clock.scan_failed", error=repr(exc))
        await asyncio.sleep(0 if report.resume_after else every)


class ScannerThread:
    """The scanner on its own thread, event loop and pool: no stored data can hold up the loop
    that answers HTTP (`/livez` included), whatever a pass costs."""

    def __init__(self, database_url: str, planner: Planner, every: float, offset_days: int,
                 budget_seconds: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self._args = (database_url, planner, every, offset_days, budget_seconds)
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="assignment-clock-scanner",
                                        daemon=True)

    def start(self) -> None:
        """Start the thread; returns once its loop runs."""
        self._thread.start()
        self._started.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel the scan loop and wait for the thread to close its pool."""
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        database_url, planner, every, offset_days, budget = self._args
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._started.set()
        try:
            pool = await create_pool(database_url, "assignment", min_size=1, max_size=2)
        except asyncio.CancelledError:
            return
        own = Planner(EventStore(pool, "assignment"), planner.rules, planner.clocks)
        try:
            await run_scanner(pool, own, every, offset_days, budget, self._clock)
        except asyncio.CancelledError:
            pass
        finally:
            await pool.close()
