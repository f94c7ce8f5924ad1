"""assignment's consumer: intake's events drive automatic assignment and deadlines."""

from __future__ import annotations

from functools import cache

from events import INTAKE_TOPIC, EventEnvelope
from events.calendar import kazakhstan_calendar, procedure_clocks
from services.assignment.domain.clocks import Clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.runtime.consumer import Subscription
from services.runtime.db import Conn
from services.runtime.streamlog import StreamLog

PLANNER = "assignment-planner"
SCHEMA = "assignment"


@cache
def default_clocks() -> Clocks:
    """The procedure clocks on Kazakhstan's working-day calendar."""
    return Clocks(kazakhstan_calendar(), procedure_clocks())


@cache
def _planner() -> Planner:
    # The consumer appends through the stream log on its own connection: it needs no pool.
    return Planner(StreamLog(SCHEMA), default_rules(), default_clocks())


async def plan(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
    """Apply one intake event to assignment (inside the processed-event transaction)."""
    await _planner().on_intake(conn, envelope, topic)


SUBSCRIPTIONS = [Subscription(PLANNER, (INTAKE_TOPIC,), plan)]
