"""What intake's database sessions do under load: working, idle in a transaction, or waiting.

Appends take no service-wide lock any more, so no writer should ever wait on a lock held by
another; sampling pg_stat_activity every 20 ms shows whether that holds under load, and how
much of a write's time its transaction sits idle waiting for its own Python process.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.threads import running

INTERVAL = 0.02
QUERY = """SELECT state, wait_event_type FROM pg_stat_activity
           WHERE application_name = $1 AND pid <> pg_backend_pid()"""


@dataclass
class SessionSampler:
    """Samples one service's sessions every 20 ms in a thread while in use."""

    database_url: str
    service: str = "intake"
    samples: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    """Session-samples per activity: active, idle in transaction, waiting on a lock."""

    async def _run(self, stop: threading.Event) -> None:
        conn = await asyncpg.connect(self.database_url)
        try:
            while not stop.is_set():
                rows = await conn.fetch(QUERY, f"casetrack-{self.service}")
                self.samples += 1
                for r in rows:
                    if r["wait_event_type"] == "Lock":
                        self.counts["waiting on a lock"] += 1
                    elif r["state"] in ("active", "idle in transaction"):
                        self.counts[str(r["state"])] += 1
                await asyncio.sleep(INTERVAL)
        finally:
            await conn.close()

    @contextmanager
    def sampling(self) -> Iterator[None]:
        """Sample until the block ends."""
        with running(lambda stop: asyncio.run(self._run(stop))):
            yield

    def summary(self) -> dict[str, Any]:
        """Mean sessions per sample in each activity."""
        if not self.samples:
            return {"samples": 0}
        return {"samples": self.samples,
                "mean_sessions": {what: round(n / self.samples, 2)
                                  for what, n in self.counts.most_common()}}
