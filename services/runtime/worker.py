"""A faust worker that feeds topics through `ProcessedOnce` consumers (concurrency 1)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import asyncpg
import faust
from aiokafka import AIOKafkaProducer
from mode import Service

from services.runtime import faust_transport
from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.db import create_pool, database_url_for
from services.runtime.kafka import create_producer
from services.runtime.logs import configure_logging, get_logger, route_stdlib_logging
from services.runtime.settings import Settings, get_settings
from services.runtime.topics import ensure_topics

log = get_logger(__name__)


class _App(faust.App):
    def _new_transport(self) -> Any:
        faust_transport.FETCH_MAX_WAIT_MS = get_settings().kafka_fetch_max_wait_ms
        return faust_transport.Transport(self.conf.broker_consumer, self)


class ConsumerResources(Service):
    """The pool and dead-letter producer of a worker, opened on start and closed on stop."""

    def __init__(self, settings: Settings, service: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.service = service
        self.pool: asyncpg.Pool | None = None
        self.producer: AIOKafkaProducer | None = None
        self.opened = asyncio.Event()
        self.consumers: list[ProcessedOnce] = []

    async def on_start(self) -> None:
        """Open the pool and producer; make sure the topics exist."""
        await ensure_topics(self.settings.kafka_bootstrap_servers)
        url = database_url_for(self.service, self.settings.database_url)
        self.pool = await create_pool(url, self.service, max_size=4)
        self.producer = create_producer(self.settings, f"casetrack-{self.service}-dlq")
        await self.producer.start()
        self.opened.set()

    async def on_stop(self) -> None:
        """Close what on_start opened."""
        if self.producer is not None:
            await self.producer.stop()
        if self.pool is not None:
            await self.pool.close()

    @Service.task
    async def _heartbeat(self) -> None:
        await self.opened.wait()
        while not self.should_stop:
            for consumer in self.consumers:
                with contextlib.suppress(Exception):
                    await consumer.heartbeat()
            await self.sleep(1.0)


def build_worker_app(service: str, subscriptions: Sequence[Subscription]) -> faust.App:
    """A faust app for one service's consumers, tuned for quick joins and short fetch waits."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    app = _App(
        f"casetrack-{service}",
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        value_serializer="raw",
        key_serializer="raw",
        broker_session_timeout=settings.kafka_session_timeout_ms / 1000,
        broker_heartbeat_interval=min(1.0, settings.kafka_session_timeout_ms / 3000),
        broker_request_timeout=max(30.0, settings.kafka_session_timeout_ms / 1000 + 5),
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        topic_disable_leader=True,
        web_enabled=False,
        producer_acks=-1,
        stream_wait_empty=False,
        store="memory://",
    )
    resources = ConsumerResources(settings, service)
    app.service(resources)  # type: ignore[arg-type]

    for sub in subscriptions:
        _add_agent(app, resources, sub)
    return app


BATCH_WITHIN_SECONDS = 0.01  # how long a batching agent waits to fill a batch


def _message(event: Any) -> Message:
    msg = event.message
    return Message(msg.topic, msg.partition, msg.offset, msg.key, msg.value, msg.headers)


def _add_agent(app: faust.App, resources: ConsumerResources, sub: Subscription) -> None:
    topic = app.topic(*sub.topics, value_serializer="raw", key_serializer="raw")

    async def agent(stream: Any) -> None:
        await resources.opened.wait()
        assert resources.pool is not None and resources.producer is not None
        consumer = ProcessedOnce(
            sub.name, resources.service, resources.pool, sub.handler, resources.producer
        )
        resources.consumers.append(consumer)
        if sub.batch > 1:
            async for events in stream.take_events(sub.batch, within=BATCH_WITHIN_SECONDS):
                await consumer.process_batch([_message(e) for e in events])
        else:
            async for event in stream.events():
                await consumer.process(_message(event))

    agent.__name__ = sub.name.replace("-", "_")
    agent.__qualname__ = agent.__name__
    app.agent(topic, name=sub.name, concurrency=1)(agent)


def run_worker(app: faust.App) -> None:
    """Run the worker in the foreground until signalled."""
    from faust.worker import Worker

    class _StructuredWorker(Worker):
        def on_setup_root_logger(self, root: Any, level: int) -> None:
            # faust installs its own console handlers; ours render JSON with the context.
            route_stdlib_logging(get_settings().log_level)

    _StructuredWorker(app, loglevel=get_settings().log_level, quiet=True,
                      redirect_stdouts=False).execute_from_commandline()
