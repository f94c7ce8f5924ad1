"""One subscription's consumer on aiokafka, which decides itself what and where it reads.

The broker's memory of a consumer is not trusted: a broker without durable storage forgets topics,
records, groups and committed offsets when it restarts, and the topics come back with new ids
(sometimes with another partition count for a while). So the loop reads every partition of its
topics, as the broker describes them now (no consumer group: nothing to rejoin, nothing that can
leave a partition unassigned), each from the position stored with the consumer's effects for the
topic's current incarnation, which is the start for an incarnation never seen. It describes the
topics every second; when an id or a partition count changes, it takes the new layout and seeks
again. Redelivery is a no-op (processed marks), so reading too much is harmless; the only thing
that must never happen is reading too little.

Two workers of one service would both read everything: correct (the processed mark of an event is
taken by one of them, the other waits on it and skips), only wasted work.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.logs import get_logger
from services.runtime.positions import stored_positions
from services.runtime.settings import Settings
from services.runtime.topics import Incarnation, ensure_topics, incarnations

log = get_logger(__name__)

LAYOUT_CHECK_SECONDS = 1.0
IDLE_LAYOUT_CHECK_SECONDS = 5.0
"""How often an idle consumer describes its topics (a broker that restarted meanwhile is found
at the latest when messages flow again: they bring the check back to every second)."""
FETCH_TIMEOUT_MS = 500
IDLE_AFTER_SECONDS = 2.0
"""A consumer that fetched nothing for this long polls the broker at its idle pace."""


class ConsumerLoop:
    """Feeds one subscription's messages, in order per partition, to its `ProcessedOnce`."""

    def __init__(self, subscription: Subscription, consumer: ProcessedOnce,
                 settings: Settings) -> None:
        self.subscription = subscription
        self.consumer = consumer
        self.settings = settings
        self.topics = list(subscription.topics)
        self.layout: dict[str, Incarnation] = {}
        """The topics as last described and assigned; messages are labelled with their ids."""

    async def run(self) -> None:
        """Consume until cancelled; any failure starts a new client, which resumes as on start."""
        backoff = 0.5
        while True:
            kafka = self._client()
            self.layout = {}
            try:
                await kafka.start()
                await self._consume(kafka)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the consumer must outlive broker outages
                log.warning("consumer.restarting", consumer=self.subscription.name,
                            error=repr(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await kafka.stop()

    def _client(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id=f"casetrack-{self.subscription.name}",
            group_id=None,  # positions live in Postgres, with the effects
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=30000,
            fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms,
        )

    async def _consume(self, kafka: AIOKafkaConsumer) -> None:
        if not await self.follow_layout(kafka):
            raise ConnectionError("the topics could not be described")  # retried by run()
        checked_at = last_message_at = time.monotonic()
        while True:
            if not kafka.assignment():  # no topic exists yet; getmany would wait for ever
                await asyncio.sleep(LAYOUT_CHECK_SECONDS)
                await self.follow_layout(kafka)
                continue
            fetched = await kafka.getmany(timeout_ms=FETCH_TIMEOUT_MS,
                                          max_records=self.subscription.batch)
            messages = [self._message(r) for records in fetched.values() for r in records]
            if messages:
                last_message_at = time.monotonic()
            idle = time.monotonic() - last_message_at >= IDLE_AFTER_SECONDS
            self._pace(kafka, idle)
            every = IDLE_LAYOUT_CHECK_SECONDS if idle else LAYOUT_CHECK_SECONDS
            if time.monotonic() - checked_at >= every:
                checked_at = time.monotonic()
                if await self.follow_layout(kafka):
                    continue  # reassigned: what was fetched is read again from the positions
            if not messages:
                continue
            if self.subscription.batch > 1:
                await self.consumer.process_batch(messages)
            else:
                for message in messages:
                    await self.consumer.process(message)

    def _pace(self, kafka: AIOKafkaConsumer, idle: bool) -> None:
        """Fetch with the short wait while messages flow, the idle one at rest."""
        wait = (self.settings.kafka_idle_fetch_wait_ms if idle
                else self.settings.kafka_fetch_max_wait_ms)
        # aiokafka reads the wait when it builds each fetch request and has no public setter;
        # tests/integration/runtime/test_consumer_pace.py fails if that attribute goes away.
        fetcher = kafka._fetcher
        if hasattr(fetcher, "_fetch_max_wait_ms"):
            fetcher._fetch_max_wait_ms = max(wait, self.settings.kafka_fetch_max_wait_ms)

    def _message(self, record: ConsumerRecord[bytes, bytes]) -> Message:
        known = self.layout.get(record.topic)
        return Message(record.topic, record.partition, record.offset, record.key, record.value,
                       record.headers, known.topic_id if known else None)

    async def follow_layout(self, kafka: AIOKafkaConsumer) -> bool:
        """Take the topics' current layout if it changed: assign every partition, seek each to
        its stored position in its incarnation. Whether it changed (False if unknown now)."""
        try:
            current = await incarnations(self.settings.kafka_bootstrap_servers, self.topics)
        except Exception as exc:  # the broker is away: look again at the next check
            log.info("consumer.layout_unknown", consumer=self.subscription.name,
                     error=repr(exc))
            return False
        if current == self.layout:
            return False
        if any(i.partitions == 0 for i in current.values()):
            # A broker restarted without its data: create the contract's topics (and dead-letter
            # topics) with their partition counts before anyone's send to them is lost.
            with contextlib.suppress(Exception):
                if await ensure_topics(self.settings.kafka_bootstrap_servers):
                    return await self.follow_layout(kafka)
        partitions = [(t, p) for t, i in current.items() for p in range(i.partitions)]
        positions = await stored_positions(
            self.consumer.pool, self.consumer.schema, self.consumer.name,
            {t: i.topic_id for t, i in current.items()}, partitions)
        # assign() drops what was fetched for the old layout; labels follow the new one.
        kafka.assign([TopicPartition(t, p) for t, p in partitions])
        for (topic, partition), offset in positions.items():
            kafka.seek(TopicPartition(topic, partition), offset)
        log.info("consumer.layout_changed", consumer=self.subscription.name,
                 previous={t: (i.topic_id, i.partitions) for t, i in self.layout.items()},
                 current={t: (i.topic_id, i.partitions) for t, i in current.items()},
                 positions={f"{t}:{p}": o for (t, p), o in positions.items()})
        self.layout = current
        return True
