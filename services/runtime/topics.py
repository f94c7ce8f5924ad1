"""Create the contract's topics with their partition counts before anything uses them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from events import TOPIC_PARTITIONS, dlq_topic

DLQ_PARTITIONS = 1
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


def _topic_id(bootstrap: str, topic: str) -> str | None:
    admin = _admin(bootstrap)
    try:
        if topic not in set(admin.list_topics()):
            return None
        described = admin.describe_topics([topic])
        return str(described[0].get("topic_id")) if described else None
    finally:
        admin.close()


async def ensure_topics(bootstrap: str, topics: Mapping[str, int] | None = None) -> list[str]:
    """Create what is missing; returns the names created."""
    return await asyncio.to_thread(_ensure, bootstrap, topics or contract_topics())


async def topic_id(bootstrap: str, topic: str) -> str | None:
    """The broker's id of a topic's current incarnation, or None if it does not exist."""
    return await asyncio.to_thread(_topic_id, bootstrap, topic)
