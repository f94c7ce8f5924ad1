"""Create the contract's topics with their partition counts before anything uses them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def _incarnations(bootstrap: str, topics: Sequence[str]) -> dict[str, Incarnation]:
    admin = _admin(bootstrap)
    try:
        described = admin.describe_topics(list(topics))
    finally:
        admin.close()
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
