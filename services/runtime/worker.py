"""A service's worker process: one aiokafka consumer loop per subscription (concurrency 1).

faust-streaming was dropped here: it keeps its own in-memory read offset per partition and drops
every message below it, so after a broker restart it silently skipped what the relays re-published
into the new, empty topics. Plain aiokafka with positions kept in Postgres reads what the effects
say, and nothing faust offered (tables, windows) was used.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from typing import Protocol

import asyncpg
from aiokafka import AIOKafkaProducer

from services.runtime.consumer import ProcessedOnce, Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.db import create_pool, database_url_for
from services.runtime.kafka import create_producer
from services.runtime.logs import configure_logging, get_logger
from services.runtime.metrics import serve_worker_metrics
from services.runtime.settings import get_settings
from services.runtime.topics import close_describers, ensure_topics
from services.runtime.tracing import configure_tracing

log = get_logger(__name__)

HEARTBEAT_SECONDS = 1.0


class Companion(Protocol):
    """Something else a worker runs for its lifetime (e.g. reporting's analytics relay)."""

    async def start(self) -> None:
        """Open resources and start background work."""
        ...

    async def stop(self) -> None:
        """Stop background work and close what start opened."""
        ...


class Worker:
    """The consumers of one service, their pool and dead-letter producer, and companions."""

    def __init__(self, service: str, subscriptions: Sequence[Subscription]) -> None:
        self.service = service
        self.subscriptions = list(subscriptions)
        self.companions: list[Companion] = []
        self.consumers: list[ProcessedOnce] = []

    def add(self, companion: Companion) -> None:
        """Run `companion` alongside the consumers."""
        self.companions.append(companion)

    async def run(self, stopping: asyncio.Event) -> None:
        """Consume until `stopping` is set or a consumer loop dies, then close everything."""
        settings = get_settings()
        serve_worker_metrics(settings.host, settings.metrics_port)
        configure_tracing(self.service)
        await ensure_topics(settings.kafka_bootstrap_servers)
        pool = await create_pool(database_url_for(self.service, settings.database_url),
                                 self.service, max_size=4)
        producer = create_producer(settings, f"casetrack-{self.service}-dlq")
        tasks: list[asyncio.Task[None]] = []
        started: list[Companion] = []
        try:
            await producer.start()
            for companion in self.companions:
                await companion.start()
                started.append(companion)
            for sub in self.subscriptions:
                consumer = ProcessedOnce(sub.name, self.service, pool, sub.handler, producer,
                                          sub.apply_batch)
                self.consumers.append(consumer)
                tasks.append(asyncio.create_task(ConsumerLoop(sub, consumer, settings).run(),
                                                 name=sub.name))
            tasks.append(asyncio.create_task(self._heartbeat(), name="heartbeat"))
            stop = asyncio.create_task(stopping.wait())
            done, _ = await asyncio.wait([stop, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stop}:
                task.result()  # a loop only ends by failing: raise it
        finally:
            await _close(tasks, started, producer, pool)

    async def _heartbeat(self) -> None:
        while True:
            for consumer in self.consumers:
                with contextlib.suppress(Exception):
                    await consumer.heartbeat()
            await asyncio.sleep(HEARTBEAT_SECONDS)


async def _close(tasks: list[asyncio.Task[None]], companions: list[Companion],
                 producer: AIOKafkaProducer, pool: asyncpg.Pool) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await task
    for companion in reversed(companions):
        with contextlib.suppress(Exception):
            await companion.stop()
    with contextlib.suppress(Exception):
        await producer.stop()
    await asyncio.to_thread(close_describers)
    await pool.close()


def build_worker_app(service: str, subscriptions: Sequence[Subscription]) -> Worker:
    """The worker of one service's consumers."""
    return Worker(service, subscriptions)


def run_worker(worker: Worker) -> None:
    """Run the worker in the foreground until SIGTERM or SIGINT."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        log.info("worker.started", service=worker.service,
                 consumers=[s.name for s in worker.subscriptions])
        await worker.run(stopping)
        log.info("worker.stopped", service=worker.service)

    asyncio.run(main())
