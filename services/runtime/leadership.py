"""Leader election for publishers: the holder of a named Postgres advisory lock leads.

Every replica of a publisher runs; only the one whose session holds the lock publishes, so two
replicas never publish the same record twice. The lock goes with the session: a leader that
dies or loses its connection frees it for another at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from services.runtime.db import Conn, advisory_key


class Leadership:
    """One holder at a time of the lock named `name`, among every process on the database."""

    def __init__(self, pool: asyncpg.Pool, name: str) -> None:
        self.pool = pool
        self.name = name
        self.key = advisory_key(name)
        self.is_leader = False

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[Conn | None]:
        """The lock's session for the block while leading, or None when another process leads."""
        async with self.pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.key):
                self.is_leader = False
                yield None
                return
            self.is_leader = True
            try:
                yield conn
            finally:
                self.is_leader = False
                with contextlib.suppress(Exception):
                    await conn.execute("SELECT pg_advisory_unlock($1)", self.key)


async def keep_running(step: Callable[[], Awaitable[None]],
                       failed: Callable[[Exception], None]) -> None:
    """Run `step` again and again; after a failure, report it and wait longer each time (<= 5 s)."""
    backoff = 0.5
    while True:
        try:
            await step()
            backoff = 0.5
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a publisher must outlive broker and database outages
            failed(exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
