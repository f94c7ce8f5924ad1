"""The log keeper task: sequences new events and signs a checkpoint at most every interval."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
from prometheus_client import Gauge

from services.runtime.db import create_pool, database_url_for
from services.runtime.eventstore import EventStore
from services.runtime.logs import get_logger
from services.runtime.settings import Settings
from services.runtime.tlog.checkpoints import CheckpointLog
from services.runtime.tlog.keys import load_signer, origin_of, register_key
from services.runtime.tlog.sequencer import Sequencer

log = get_logger(__name__)

TREE_SIZE = Gauge("casetrack_tlog_tree_size", "Leaves in the service's Merkle tree", ["service"])
CHECKPOINT_SIZE = Gauge("casetrack_tlog_checkpoint_size", "Tree size of the latest checkpoint",
                        ["service"])
KEEPER_CONNECTIONS = 2
POLL_SECONDS = (0.5, 2.0)
"""The keeper's wait after a step that found nothing: doubling from the first to the second while
the log stays still (a checkpoint follows a write within the wait; at rest it costs little)."""


@dataclass
class LogKeeper:
    """What the log routes and the background task share for one service."""

    service: str
    pool: asyncpg.Pool
    sequencer: Sequencer
    checkpoints: CheckpointLog
    interval: float

    @classmethod
    async def open(cls, service: str, settings: Settings) -> LogKeeper:
        """Load the signing key, record it, and build the keeper on its own pool.

        Its own two connections (a step reads the batch on one while it writes the tree on the
        other): on the service's pool a keeper that is catching up would take them from requests.
        """
        signer = load_signer(service, settings)
        pool = await create_pool(database_url_for(service, settings.database_url), service,
                                 min_size=1, max_size=KEEPER_CONNECTIONS)
        try:
            async with pool.acquire() as conn:
                await register_key(conn, service, signer.verifier().vkey())
        except BaseException:
            await pool.close()
            raise
        sequencer = Sequencer(EventStore(pool, service))
        checkpoints = CheckpointLog(sequencer, signer, origin_of(service, settings))
        return cls(service, pool, sequencer, checkpoints, settings.checkpoint_seconds)

    async def close(self) -> None:
        """Close the keeper's pool."""
        await self.pool.close()

    async def checkpoint_now(self) -> int:
        """Sequence everything visible and sign a checkpoint if the tree grew; returns its size."""
        async with self.pool.acquire() as conn:
            await self.sequencer.catch_up(conn)
            await self.checkpoints.issue(conn)
            latest = await self.checkpoints.latest(conn)
        assert latest is not None
        return latest.tree_size

    async def run(self) -> None:
        """Follow the log forever; survive database outages."""
        last_issued, wait, pending = 0.0, POLL_SECONDS[0], True
        while True:
            try:
                async with self.pool.acquire() as conn:
                    added = await self.sequencer.step(conn)
                    pending = pending or bool(added)
                    if pending and time.monotonic() - last_issued >= self.interval:
                        size = await self.checkpoints.issue(conn)
                        pending = False
                        if size is not None:
                            last_issued = time.monotonic()
                            CHECKPOINT_SIZE.labels(self.service).set(size)
                    if added:
                        TREE_SIZE.labels(self.service).set(await self.sequencer.tree.size(conn))
                if added:
                    wait = POLL_SECONDS[0]
                else:
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, POLL_SECONDS[1])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the log must outlive database hiccups
                log.warning("tlog.failed", service=self.service, error=repr(exc))
                await asyncio.sleep(1.0)
