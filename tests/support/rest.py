"""Waiting for the whole system to be at rest, and running a service's rebuild command."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.support.system import RunningSystem
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


async def rebuild_command(system: RunningSystem, service: str, *args: str
                          ) -> subprocess.CompletedProcess[str]:
    """Run `python -m services.<service>.rebuild` as an operator would, against the system."""
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", f"services.{service}.rebuild", *args],
        env=system.env(), cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


CONSUMERS_OF = {"intake": (("assignment", "assignment-planner"), ("review", "review-opener")),
                "assignment": (("intake", "intake-reactor"), ("review", "review-opener")),
                "review": (("intake", "intake-reactor"),)}


async def behind(db: asyncpg.Connection) -> list[str]:
    """What keeps the system from rest: owners' events reporting lacks or a saga has not applied.

    Other tests also put synthetic events straight onto the topics, so reporting may hold more
    than the owners store; what matters is that nothing stored is missing, and that no service
    still has an owner's event to react to (its reaction would change the read models later).
    """
    owners = await db.fetch("SELECT table_schema FROM information_schema.tables "
                            "WHERE table_name = 'events' AND table_schema IN "
                            "('intake', 'assignment', 'review')")
    lagging: list[str] = []
    for owner in owners:
        schema = owner["table_schema"]
        checks: list[tuple[str, str, tuple[str, ...]]] = [
            ("reporting", "reporting.history h WHERE h.event_id = e.event_id", ())]
        checks += [(consumer, f"{consumer_schema}.processed_events p "
                    "WHERE p.consumer = $1 AND p.event_id = e.event_id", (consumer,))
                   for consumer_schema, consumer in CONSUMERS_OF[schema]]
        for who, lookup, args in checks:
            rows = await db.fetch(
                f"""SELECT e.event_type, count(*) AS n, min(e.recorded_at) AS oldest,
                           (array_agg(e.event_id))[1] AS sample
                    FROM {schema}.events e WHERE NOT EXISTS (SELECT 1 FROM {lookup})
                    GROUP BY e.event_type""", *args)
            lagging += [f"{who} lacks {r['n']} {schema} {r['event_type']} (oldest "
                        f"{r['oldest']:%H:%M:%S}, e.g. {r['sample']})" for r in rows]
    return lagging


async def caught_up(db: asyncpg.Connection, system: RunningSystem) -> None:
    """Wait until the system is at rest; on timeout, say what lags and what the services said."""
    try:
        await eventually(lambda: _at_rest(db), within=120, what="every consumer caught up")
    except AssertionError:
        lagging = await behind(db)
        said = [f"{log.name}: {line.strip()[:300]}" for log in sorted(system.log_dir.glob("*.log"))
                for line in log.read_text(errors="replace").splitlines()
                if any(w in line for w in ("retrying", "restarting", "dead_lettered", "error"))]
        raise AssertionError("not at rest:\n  " + "\n  ".join(lagging)
                             + "\nlast warnings:\n  " + "\n  ".join(said[-30:])) from None


async def _at_rest(db: asyncpg.Connection) -> bool:
    return not await behind(db)


