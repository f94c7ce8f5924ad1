"""Wakes a service's relay after commits, without serialising the commits themselves.

A NOTIFY sent inside a writing transaction takes Postgres's cluster-wide notify lock from
pre-commit until the commit's WAL flush ends, so every notifying commit queues behind the
previous one. The command pipeline therefore commits without notifying and calls `committed()`:
one notification at a time is sent afterwards, in a transaction of its own that writes nothing
and does not wait for its WAL flush; commits that land while one is on its way share the next.
When the relay leads in this very process (`RelayThread`), it is woken directly and nothing is
sent through Postgres. A lost notification costs only latency: the relay also polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from services.runtime.logs import get_logger

log = get_logger(__name__)

_NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')"


class RelayWakeup:
    """Coalesced after-commit notifications on one channel, sent from one pool."""

    def __init__(self, pool: asyncpg.Pool, channel: str) -> None:
        self.pool = pool
        self.channel = channel
        self._due = False
        self._sending: asyncio.Task[None] | None = None
        self.local: Callable[[], bool] | None = None
        """Wakes a relay in this process; False when that relay does not lead now."""

    def committed(self) -> None:
        """Events were committed: the relay hears of it soon, together with later commits."""
        if self.local is not None and self.local():
            return
        self._due = True
        if self._sending is None or self._sending.done():
            self._sending = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while self._due:
            self._due = False
            try:
                async with self.pool.acquire() as conn:
                    await conn.execute(_NOTIFY, self.channel)
            except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
                log.info("relay.wakeup_failed", channel=self.channel, error=repr(exc))
                return

    async def settled(self) -> None:
        """Wait for the notification on its way, if any (shutdown, tests)."""
        if self._sending is not None:
            await asyncio.gather(self._sending, return_exceptions=True)
