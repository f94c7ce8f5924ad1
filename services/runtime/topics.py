"""Create the contract's topics with their partition counts before anything uses them."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from events import TOPIC_PARTITIONS, dlq_topic

DLQ_PARTITIONS = 1
NO_TOPIC_ID = "00000000-0000-0000-0000-000000000000"  # what brokers without topic ids answer
CONSUMERS: tuple[str, ...] = (
    "intake-reactor",
    "assignment-planner",
    "review-opener",
    "reporting-projector",
)
"""Every consumer of the system; each has its dead-letter topic."""


def contract_topics() -> dict[str, int]:
    """Every topic the system uses, with its partition count."""
    topics = dict(TOPIC_PARTITIONS)
    topics.update({dlq_topic(c): DLQ_PARTITIONS for c in CONSUMERS})
    return topics


def _admin(bootstrap: str) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id="casetrack-admin",
                            request_timeout_ms=10000)


def _ensure(bootstrap: str, topics: Mapping[str, int]) -> list[str]:
    admin = _admin(bootstrap)
    try:
        existing = set(admin.list_topics())
        created = []
        for name, partitions in topics.items():
            if name in existing:
                continue
            try:
                admin.create_topics([NewTopic(name, partitions, 1)])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()


@dataclass(frozen=True)
class Incarnation:
    """A topic as the broker has it now: its id (None: missing or unknown) and partition count."""

    topic_id: str | None
    partitions: int

    @property
    def key(self) -> str:
        """How the incarnation is remembered: "<topic id>/<partitions>"."""
        return f"{self.topic_id or '-'}/{self.partitions}"


class TopicMissing(RuntimeError):
    """A topic the broker does not describe, even after asking to create it."""


def partition_for(key: bytes, partitions: int) -> int:
    """The key's partition among `partitions` (Kafka's default, murmur2) partitioner."""
    return int((murmur2(key) & 0x7FFFFFFF) % partitions)


_DESCRIBERS: dict[str, KafkaAdminClient] = {}
_DESCRIBING = threading.Lock()


def _describe(bootstrap: str, topics: Sequence[str]) -> list[dict[str, Any]]:
    """Describe topics through one admin client per broker, kept open between calls.

    Consumers and relays describe their topics every second; a client per call (connect,
    negotiate, close) cost the broker and each process more than the describe itself.
    """
    with _DESCRIBING:
        admin = _DESCRIBERS.get(bootstrap)
        if admin is None:
            admin = _DESCRIBERS[bootstrap] = _admin(bootstrap)
        try:
            described: list[dict[str, Any]] = admin.describe_topics(list(topics))
        except Exception:
            _DESCRIBERS.pop(bootstrap, None)  # the next call connects afresh
            with contextlib.suppress(Exception):
                admin.close()
            raise
        return described


def close_describers() -> None:
    """Close the kept admin clients (at shutdown)."""
    with _DESCRIBING:
        for admin in _DESCRIBERS.values():
            with contextlib.suppress(Exception):
                admin.close()
        _DESCRIBERS.clear()


def _incarnations(bootstrap: str, topics: Sequence[str]) -> dict[str, Incarnation]:
    described = _describe(bootstrap, topics)
    found = dict.fromkeys(topics, Incarnation(None, 0))
    for topic in described:
        if topic.get("error_code") == 0 and topic["name"] in found:
            known = topic.get("topic_id") not in (None, NO_TOPIC_ID)
            found[topic["name"]] = Incarnation(str(topic["topic_id"]) if known else None,
                                               len(topic.get("partitions") or ()))
    return found


async def ensure_topics(bootstrap: str, topics: Mapping[str, int] | None = None) -> list[str]:
    """Create what is missing; returns the names created."""
    return await asyncio.to_thread(_ensure, bootstrap, topics or contract_topics())


async def topic_id(bootstrap: str, topic: str) -> str | None:
    """The broker's id of a topic's current incarnation, or None if it does not exist."""
    return (await topic_ids(bootstrap, [topic]))[topic]


async def topic_ids(bootstrap: str, topics: Sequence[str]) -> dict[str, str | None]:
    """Each topic's current id (KIP-516), None if missing."""
    return {t: i.topic_id for t, i in (await incarnations(bootstrap, topics)).items()}


async def incarnations(bootstrap: str, topics: Sequence[str]) -> dict[str, Incarnation]:
    """Each topic's current incarnation, asked without auto-creating anything.

    A topic deleted and created again, or forgotten by a broker that keeps no data, comes back
    with a new id; a durable broker's restart keeps it.
    """
    return await asyncio.to_thread(_incarnations, bootstrap, topics)


async def present_incarnation(bootstrap: str, topic: str, partitions: int) -> Incarnation:
    """The topic as the broker describes it, created with `partitions` first if it is missing.

    Publish only into what this returns: a broker restarted without its data acknowledges sends
    to topics and partitions it does not describe, and loses them.
    """
    (found,) = (await incarnations(bootstrap, [topic])).values()
    if found.partitions == 0:
        await ensure_topics(bootstrap, {topic: partitions})
        (found,) = (await incarnations(bootstrap, [topic])).values()
        if found.partitions == 0:
            raise TopicMissing(f"{topic} does not exist yet")
    return found


async def agree_on_partitions(producer: AIOKafkaProducer, topic: str, found: Incarnation) -> None:
    """Refresh the producer's metadata; raise TopicMissing unless it has the described count.

    The restarted local broker has been seen describing one count to one client and another to
    the next: a send to a partition the topic is not described with is acknowledged and lost,
    and one the producer does not know fails. Publish only when both agree.
    """
    await producer.partitions_for(topic)  # makes the producer follow the topic's metadata
    await producer.client.force_metadata_update()
    known = producer.client.cluster.partitions_for_topic(topic) or set()
    if len(known) != found.partitions:
        raise TopicMissing(f"{topic}: described with {found.partitions} partitions, "
                           f"the producer knows {len(known)}")
