"""One subscription's consumer on aiokafka, which decides itself what and where it reads.

The broker's memory of a consumer is not trusted: a broker without durable storage forgets topics,
records, groups and committed offsets when it restarts, and the topics come back with new ids
(sometimes with another partition count for a while). So the loop reads every partition of its
topics, as the broker describes them now (no consumer group: nothing to rejoin, nothing that can
leave a partition unassigned), each from the position stored with the consumer's effects for the
topic's current incarnation, which is the start for an incarnation never seen. It describes the
topics every second (every 5 s while idle); when an id or a partition count changes, it takes the
new layout and seeks again. Redelivery is a no-op (processed marks), so reading too much is
harmless; the only thing that must never happen is reading too little.

Replicas of one consumer share the partitions through a leased membership in Postgres
(`membership.py`): each reads its share, and takes a departed replica's partitions from their
stored positions once that replica's lease runs out. While views differ for a moment a partition
may be read twice (a no-op) or wait a second; never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from events import DLQ_PARTITIONS, dlq_topic
from services.runtime.consumer import Message, ProcessedOnce, Subscription
from services.runtime.logs import get_logger
from services.runtime.membership import Membership, share
from services.runtime.metrics import (
    CONSUMER_APPLY_SECONDS,
    CONSUMER_LAG_SECONDS,
    CONSUMER_PARTITIONS,
)
from services.runtime.positions import Partition, stored_positions
from services.runtime.settings import Settings
from services.runtime.topics import (
    Incarnation,
    ensure_topics,
    incarnations,
    present_incarnation,
)
from services.runtime.tracing import apply_spans

log = get_logger(__name__)

LAYOUT_CHECK_SECONDS = 1.0
IDLE_LAYOUT_CHECK_SECONDS = 5.0
"""How often an idle consumer describes its topics (a broker that restarted meanwhile is found
at the latest when messages flow again: they bring the check back to every second)."""
MEMBERSHIP_RENEW_SECONDS = (1.0, 2.5)
"""How often a replica renews its lease (LEASE_SECONDS) and looks at who else is alive: busy, and
idle (still twice a lease, so a live idle replica never expires)."""
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
        self._membership: Membership | None = None
        self.place: tuple[int, int] = (0, 1)
        """This replica's place among the consumer's live members, and how many there are."""
        self.assigned: list[Partition] = []

    @property
    def membership(self) -> Membership:
        """This replica's leased place among the consumer's members (made on first use)."""
        if self._membership is None:
            self._membership = Membership(self.consumer.pool, self.consumer.schema,
                                          self.subscription.name)
        return self._membership

    async def run(self) -> None:
        """Consume until cancelled, then hand this replica's partitions over at once."""
        try:
            await self._run()
        finally:
            with contextlib.suppress(Exception):
                await self.membership.leave()

    async def _run(self) -> None:
        """Any failure starts a new client, which resumes as on start."""
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
        checked_at = renewed_at = last_message_at = time.monotonic()
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
                checked_at = renewed_at = time.monotonic()
                if await self.follow_layout(kafka):
                    continue  # reassigned: what was fetched is read again from the positions
            elif time.monotonic() - renewed_at >= MEMBERSHIP_RENEW_SECONDS[idle]:
                renewed_at = time.monotonic()  # a lease outlives an idle layout check: renew apart
                if await self.follow_membership(kafka):
                    continue
            if not messages:
                for topic, partition in self.assigned:  # caught up with what the broker has
                    CONSUMER_LAG_SECONDS.labels(self.subscription.name, topic, str(partition)).set(0)
                continue
            with CONSUMER_APPLY_SECONDS.labels(self.subscription.name).time(), \
                    apply_spans(self.subscription.name, messages):
                if self.subscription.batch > 1:
                    await self.consumer.process_batch(messages)
                else:
                    for message in messages:
                        await self.consumer.process(message)
            self._observe_lag(fetched)

    def _observe_lag(self, fetched: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
                     ) -> None:
        now_ms = time.time() * 1000
        for tp, records in fetched.items():
            if records:
                age = max(now_ms - records[-1].timestamp, 0.0) / 1000
                CONSUMER_LAG_SECONDS.labels(self.subscription.name, tp.topic, str(tp.partition)
                                            ).set(age)

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

    async def follow_membership(self, kafka: AIOKafkaConsumer) -> bool:
        """Renew this replica's lease; take its new share if the live members changed (on the
        layout already known). Whether it changed."""
        previous = self.place
        with contextlib.suppress(Exception):  # the database is away: keep the share we have
            self.place = await self.membership.renew()
        if self.place == previous or not self.layout:
            return False
        return await self._assign(kafka, self.layout)

    async def follow_layout(self, kafka: AIOKafkaConsumer) -> bool:
        """Take the topics' current layout and this replica's share of it if either changed:
        assign the share, seek each partition to its stored position in its incarnation.
        Whether it changed (False if unknown now)."""
        try:
            current = await incarnations(self.settings.kafka_bootstrap_servers, self.topics)
        except Exception as exc:  # the broker is away: look again at the next check
            log.info("consumer.layout_unknown", consumer=self.subscription.name,
                     error=repr(exc))
            return False
        previous_place = self.place
        with contextlib.suppress(Exception):  # the database is away: keep the share we have
            self.place = await self.membership.renew()
        if current == self.layout and self.place == previous_place:
            return False
        if current != self.layout and not await self._dead_letters_ready():
            return False
        return await self._assign(kafka, current)

    async def _dead_letters_ready(self) -> bool:
        """Whether this consumer's dead-letter topic exists with its partition count, made now if
        it is missing.

        A broker restarted without its data forgot it too, and a letter sent before anyone makes
        it again would auto-create it with the broker's default count. So no message of a new
        layout is read before the topic its letters go to is there.
        """
        try:
            await present_incarnation(self.settings.kafka_bootstrap_servers,
                                      dlq_topic(self.subscription.name), DLQ_PARTITIONS)
        except Exception as exc:  # the broker is away: look again at the next check
            log.info("consumer.dead_letter_topic_unknown", consumer=self.subscription.name,
                     error=repr(exc))
            return False
        return True

    async def _assign(self, kafka: AIOKafkaConsumer, current: dict[str, Incarnation]) -> bool:
        """Read this replica's share of `current` from the stored positions; True once done."""
        if any(i.partitions == 0 for i in current.values()):
            # A broker restarted without its data: create the contract's topics (and dead-letter
            # topics) with their partition counts before anyone's send to them is lost.
            with contextlib.suppress(Exception):
                if await ensure_topics(self.settings.kafka_bootstrap_servers):
                    return await self.follow_layout(kafka)
        partitions = share([(t, p) for t, i in current.items() for p in range(i.partitions)],
                           *self.place)
        positions = await stored_positions(
            self.consumer.pool, self.consumer.schema, self.consumer.name,
            {t: i.topic_id for t, i in current.items()}, partitions)
        # assign() drops what was fetched for the old layout; labels follow the new one.
        kafka.assign([TopicPartition(t, p) for t, p in partitions])
        for (topic, partition), offset in positions.items():
            kafka.seek(TopicPartition(topic, partition), offset)
        for topic, partition in set(self.assigned) - set(partitions):  # now another's to report
            with contextlib.suppress(KeyError):
                CONSUMER_LAG_SECONDS.remove(self.subscription.name, topic, str(partition))
        self.assigned = partitions
        CONSUMER_PARTITIONS.labels(self.subscription.name).set(len(partitions))
        with contextlib.suppress(Exception):
            await self.membership.holds(partitions)
        log.info("consumer.layout_changed", consumer=self.subscription.name,
                 member=self.membership.member, place=self.place,
                 previous={t: (i.topic_id, i.partitions) for t, i in self.layout.items()},
                 current={t: (i.topic_id, i.partitions) for t, i in current.items()},
                 positions={f"{t}:{p}": o for (t, p), o in positions.items()})
        self.layout = current
        return True
