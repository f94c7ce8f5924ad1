"""Run reporting's projector and analytics relay: python -m services.reporting.worker."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from mode import Service

from services.reporting.analytics import AnalyticsRelay
from services.reporting.consumers import SUBSCRIPTIONS
from services.runtime.db import create_pool, database_url_for
from services.runtime.kafka import create_producer
from services.runtime.settings import get_settings
from services.runtime.worker import build_worker_app, run_worker


class AnalyticsPublisher(Service):
    """Owns the analytics relay's pool and producer for the worker's lifetime."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool: asyncpg.Pool | None = None
        self.producer: AIOKafkaProducer | None = None
        self.relay_task: asyncio.Task[None] | None = None

    async def on_start(self) -> None:
        """Open a small pool and a producer, then drain the outbox in the background."""
        settings = get_settings()
        self.pool = await create_pool(database_url_for("reporting", settings.database_url),
                                      "reporting", min_size=1, max_size=2)
        self.producer = create_producer(settings, "casetrack-reporting-analytics")
        await self.producer.start()
        self.relay_task = asyncio.create_task(AnalyticsRelay(self.pool, self.producer).run())

    async def on_stop(self) -> None:
        """Stop draining and close what on_start opened."""
        if self.relay_task is not None:
            self.relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.relay_task
        if self.producer is not None:
            await self.producer.stop()
        if self.pool is not None:
            await self.pool.close()


def main() -> None:
    """Start the faust worker that feeds reporting's read models and publishes analytics."""
    app = build_worker_app("reporting", SUBSCRIPTIONS)
    app.service(AnalyticsPublisher())  # type: ignore[arg-type]
    run_worker(app)


if __name__ == "__main__":
    main()
