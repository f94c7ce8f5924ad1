"""One subscription's consumer on aiokafka: a group member that decides itself where it reads.

The broker's memory of a consumer is not trusted: a broker without durable storage forgets topics,
records and committed offsets when it restarts, and the topics come back with new ids. So each
partition is read from the position stored with the consumer's effects for the topic's current
incarnation (its start when the incarnation is new), on every assignment, and a topic that gets a
new id while the consumer runs is rewound to its start. Redelivery is a no-op (processed marks), so
reading too much is harmless; the only thing that must never happen is reading too little.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord

from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.logs import get_logger
from services.runtime.positions import stored_positions
from services.runtime.settings import Settings
from services.runtime.topics import topic_ids

log = get_logger(__name__)

INCARNATION_CHECK_SECONDS = 1.0
FETCH_TIMEOUT_MS = 500
METADATA_MAX_AGE_MS = 5000  # notice a topic re-created with another partition count soon


class ConsumerLoop:
    """Feeds one subscription's messages, in order per partition, to its `ProcessedOnce`."""

    def __init__(self, subscription: Subscription, consumer: ProcessedOnce,
                 settings: Settings) -> None:
        self.subscription = subscription
        self.consumer = consumer
        self.settings = settings
        self.topics = list(subscription.topics)
        self.incarnations: dict[str, str | None] = {}
        """The topic id each topic had when last looked at; messages are labelled with it."""

    async def run(self) -> None:
        """Consume until cancelled; any failure starts a new client, which resumes as on start."""
        backoff = 0.5
        while True:
            kafka = self._client()
            try:
                await kafka.start()
                kafka.subscribe(self.topics, listener=_Resume(self, kafka))
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
        session_ms = self.settings.kafka_session_timeout_ms
        return AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=f"casetrack-{self.subscription.name}",
            client_id=f"casetrack-{self.subscription.name}",
            enable_auto_commit=False,  # positions live in Postgres, with the effects
            auto_offset_reset="earliest",
            session_timeout_ms=session_ms,
            heartbeat_interval_ms=max(100, min(1000, session_ms // 3)),
            request_timeout_ms=max(30000, session_ms + 5000),
            fetch_max_wait_ms=self.settings.kafka_fetch_max_wait_ms,
            metadata_max_age_ms=METADATA_MAX_AGE_MS,
        )

    async def _consume(self, kafka: AIOKafkaConsumer) -> None:
        checked_at = time.monotonic()
        while True:
            fetched = await kafka.getmany(timeout_ms=FETCH_TIMEOUT_MS,
                                          max_records=self.subscription.batch)
            # Labelled before any await: a rebalance may learn a new incarnation meanwhile.
            messages = [self._message(r) for records in fetched.values() for r in records]
            if time.monotonic() - checked_at >= INCARNATION_CHECK_SECONDS:
                current = await self.check_incarnations(kafka)
                checked_at = time.monotonic()
                if current is not None:
                    messages = [m for m in messages if m.topic_id == current.get(m.topic)]
            if not messages:
                continue
            if self.subscription.batch > 1:
                await self.consumer.process_batch(messages)
            else:
                for message in messages:
                    await self.consumer.process(message)

    def _message(self, record: ConsumerRecord[bytes, bytes]) -> Message:
        return Message(record.topic, record.partition, record.offset, record.key, record.value,
                       record.headers, self.incarnations.get(record.topic))

    async def check_incarnations(self, kafka: AIOKafkaConsumer) -> dict[str, str | None] | None:
        """Rewind the partitions of every topic whose id changed; the ids now (None: unknown)."""
        try:
            current = await topic_ids(self.settings.kafka_bootstrap_servers, self.topics)
        except Exception as exc:  # the broker is away: look again at the next check
            log.info("consumer.incarnation_unknown", consumer=self.subscription.name,
                     error=repr(exc))
            return None
        changed = {t for t in self.topics if current[t] != self.incarnations.get(t)}
        if changed:
            log.warning("consumer.topic_incarnation_changed", consumer=self.subscription.name,
                        topics=sorted(changed),
                        previous={t: self.incarnations.get(t) for t in changed},
                        current={t: current[t] for t in changed})
            self.incarnations.update(current)
            for tp in kafka.assignment():
                if tp.topic in changed:
                    kafka.seek(tp, 0)
        return current

    async def resume(self, kafka: AIOKafkaConsumer, assigned: Sequence[TopicPartition]) -> None:
        """Seek each assigned partition to the stored position of its topic's incarnation."""
        while True:
            try:
                current = await topic_ids(self.settings.kafka_bootstrap_servers, self.topics)
                break
            except Exception as exc:  # nothing is read before positions are known
                log.info("consumer.incarnation_unknown", consumer=self.subscription.name,
                         error=repr(exc))
                await asyncio.sleep(0.5)
        self.incarnations.update(current)
        positions = await stored_positions(
            self.consumer.pool, self.consumer.schema, self.consumer.name, current,
            [(tp.topic, tp.partition) for tp in assigned])
        for tp in assigned:
            kafka.seek(tp, positions[(tp.topic, tp.partition)])
        log.info("consumer.resumed", consumer=self.subscription.name,
                 positions={f"{t}:{p}": o for (t, p), o in positions.items()},
                 incarnations=current)


class _Resume(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    """On each assignment, read from where the effects say, not from where the broker says."""

    def __init__(self, loop: ConsumerLoop, kafka: AIOKafkaConsumer) -> None:
        self.loop = loop
        self.kafka = kafka

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        """Nothing to hand over: positions are saved with every applied batch."""

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        """Seek to the stored positions before the first fetch."""
        await self.loop.resume(self.kafka, assigned)
