"""What the verifiable log costs intake: POST /v1/cases with and without its keeper, alternately.

Intake is restarted with `CASETRACK_TLOG_KEEPER` on, then off, at each client count, so both
sides see the same machine (`Run.tlog_cost`). Before a side with the keeper is measured, the keeper
first catches up with what the side without it appended, so each side pays only for its own events.
"""

from __future__ import annotations

import asyncio
import time
from statistics import mean
from typing import Any

from bench.stack import Stack, stop

KEEPER_ENV = "CASETRACK_TLOG_KEEPER"
CATCH_UP_TIMEOUT = 120.0
UNSEQUENCED = ("SELECT (SELECT count(*) FROM intake.events)"
               " - (SELECT size FROM intake.tlog_state)")


def restart_intake(stack: Stack, keeper: bool) -> None:
    """Stop intake and start it again with the keeper on or off; wait until it is ready."""
    stop(stack, "intake")
    stack.system.processes["intake"].env[KEEPER_ENV] = "true" if keeper else "false"
    stack.system.start("intake")
    stack.system.wait_ready()


def wait_sequenced(stack: Stack) -> int:
    """Wait until intake's keeper has sequenced every event; returns how many are left (0: done)."""
    deadline, left = time.monotonic() + CATCH_UP_TIMEOUT, -1
    while time.monotonic() < deadline:
        left = int(asyncio.run(stack.value(UNSEQUENCED)))
        if left <= 0:
            return 0
        time.sleep(0.25)
    return left


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's runs and their mean rate and p99."""
    return {"rps": round(mean(r["rps"] for r in runs), 1),
            "p99_ms": round(mean(r["p99_ms"] for r in runs), 2), "runs": runs}


def cost_ratio(with_keeper: float, without: float) -> float | None:
    """Throughput lost to the keeper, as a fraction of the throughput without it (0.05: 5 %)."""
    return round(1 - with_keeper / without, 3) if without else None
