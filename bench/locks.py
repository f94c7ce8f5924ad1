"""Who holds intake's append lock under load, and what the holder is doing while others wait.

Appends are serialised per service by a transaction-scoped advisory lock held to commit. Sampling
pg_locks + pg_stat_activity shows whether the holder is busy in Postgres (`active`: inserting,
committing) or `idle in transaction`: waiting for its own Python process to send the next statement,
which is where a loaded event loop or a busy machine stretches every append for everyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import psutil

from bench.threads import running
from services.runtime.db import advisory_key

INTERVAL = 0.02
QUERY = """SELECT l.granted, a.client_port, a.state
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.classid = $1::bigint::oid
             AND l.objid = $2::bigint::oid AND l.objsubid = 1"""


def lock_ids(schema: str) -> tuple[int, int]:
    """pg_locks' (classid, objid) of a service's append lock (a 64-bit key in two halves)."""
    key = advisory_key(f"casetrack.events.{schema}") & 0xFFFFFFFFFFFFFFFF
    return key >> 32, key & 0xFFFFFFFF


@dataclass
class LockSampler:
    """Samples the append lock every 20 ms in a thread while in use."""

    database_url: str
    schema: str = "intake"
    samples: int = 0
    waiting: int = 0
    holders: Counter[tuple[int, str]] = field(default_factory=Counter)
    """Samples per (client port of the holding connection, its state)."""

    async def _run(self, stop: threading.Event) -> None:
        classid, objid = lock_ids(self.schema)
        conn = await asyncpg.connect(self.database_url)
        try:
            while not stop.is_set():
                rows = await conn.fetch(QUERY, classid, objid)
                self.samples += 1
                self.waiting += sum(1 for r in rows if not r["granted"])
                for r in rows:
                    if r["granted"]:
                        self.holders[(r["client_port"], r["state"])] += 1
                await asyncio.sleep(INTERVAL)
        finally:
            await conn.close()

    @contextmanager
    def sampling(self) -> Iterator[None]:
        """Sample until the block ends."""
        with running(lambda stop: asyncio.run(self._run(stop))):
            yield

    def summary(self, pids: dict[str, int]) -> dict[str, Any]:
        """Mean waiters, and the share of samples in which the lock was held by whom doing what.

        `pids` names the processes; a holder is found by its connection's local port.
        """
        if not self.samples:
            return {"samples": 0}
        owner = _port_owners(pids)
        held: Counter[str] = Counter()
        for (port, state), n in self.holders.items():
            held[f"{owner.get(port, 'unknown')} {state}"] += n
        return {"samples": self.samples, "mean_waiting": round(self.waiting / self.samples, 2),
                "held_percent": {who: round(n / self.samples * 100, 1)
                                 for who, n in held.most_common()}}


def _port_owners(pids: dict[str, int]) -> dict[int, str]:
    """Local TCP port -> process name, for the processes given."""
    owners: dict[int, str] = {}
    for name, pid in pids.items():
        with contextlib.suppress(psutil.Error):
            for conn in psutil.Process(pid).net_connections(kind="tcp"):
                if conn.laddr:
                    owners[conn.laddr.port] = name
    return owners
