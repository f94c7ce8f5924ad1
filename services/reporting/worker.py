"""Run reporting's projector and analytics relay: python -m services.reporting.worker."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from aiokafka import AIOKafkaProducer

from services.reporting.analytics import AnalyticsRelay
from services.reporting.consumers import subscriptions
from services.runtime.db import create_pool, database_url_for
from services.runtime.kafka import create_producer
from services.runtime.settings import Settings, get_settings
from services.runtime.worker import build_worker_app, run_worker


class AnalyticsPublisher:
    """Owns the analytics relay's pool and producer for the worker's lifetime."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: asyncpg.Pool | None = None
        self.producer: AIOKafkaProducer | None = None
        self.relay_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open a small pool and a producer, then drain the outbox in the background."""
        settings = self.settings
        self.pool = await create_pool(database_url_for("reporting", settings.database_url),
                                      "reporting", min_size=1, max_size=2)
        self.producer = create_producer(settings, "casetrack-reporting-analytics")
        await self.producer.start()
        relay = AnalyticsRelay(self.pool, self.producer, settings.kafka_bootstrap_servers)
        self.relay_task = asyncio.create_task(relay.run())

    async def stop(self) -> None:
        """Stop draining and close what start opened."""
        if self.relay_task is not None:
            self.relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.relay_task
        if self.producer is not None:
            await self.producer.stop()
        if self.pool is not None:
            await self.pool.close()


def main() -> None:
    """Start the worker that feeds reporting's read models and publishes analytics."""
    settings = get_settings()
    worker = build_worker_app("reporting", subscriptions(settings))
    worker.add(AnalyticsPublisher(settings))
    run_worker(worker)


if __name__ == "__main__":
    main()
