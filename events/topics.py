"""Kafka topic names, partition counts and message header names of the event contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events.envelope import EventEnvelope

INTAKE_TOPIC = "casetrack.intake.v1"
ASSIGNMENT_TOPIC = "casetrack.assignment.v1"
REVIEW_TOPIC = "casetrack.review.v1"
ANALYTICS_TOPIC = "casetrack.analytics.v1"
"""PII-free, pseudonymous stream published by reporting for analysts and downstream systems."""

TOPIC_PARTITIONS: dict[str, int] = {
    INTAKE_TOPIC: 6,
    ASSIGNMENT_TOPIC: 6,
    REVIEW_TOPIC: 6,
    ANALYTICS_TOPIC: 6,
}
"""Partition count of each topic; topics are created with it before anything uses them."""

DLQ_PARTITIONS = 1
"""Every dead-letter topic has one partition: it is low volume and read in arrival order."""

STREAM_TOPICS: dict[str, str] = {
    "case": INTAKE_TOPIC,
    "directive": INTAKE_TOPIC,
    "survey_wave": INTAKE_TOPIC,
    "assignment": ASSIGNMENT_TOPIC,
    "office": ASSIGNMENT_TOPIC,
    "officer": ASSIGNMENT_TOPIC,
    "review": REVIEW_TOPIC,
    "monitoring_group": REVIEW_TOPIC,
    "reception": INTAKE_TOPIC,
}
"""The topic each stream type is published to: its owning service's topic."""

HEADER_EVENT_ID = "event_id"
HEADER_EVENT_TYPE = "event_type"
HEADER_SCHEMA_VERSION = "schema_version"
HEADER_CORRELATION_ID = "correlation_id"
HEADER_CAUSATION_ID = "causation_id"

HEADER_DLQ_ORIGIN_TOPIC = "dlq_origin_topic"
HEADER_DLQ_ORIGIN_PARTITION = "dlq_origin_partition"
HEADER_DLQ_ORIGIN_OFFSET = "dlq_origin_offset"
HEADER_DLQ_ERROR = "dlq_error"
HEADER_DLQ_CONSUMER = "dlq_consumer"


def dlq_topic(consumer: str) -> str:
    """The dead-letter topic of one consumer (``DLQ_PARTITIONS`` partition)."""
    return f"{consumer}.dlq"


def topic_for_stream(stream_type: str) -> str:
    """The topic a stream type is published to; unknown stream types are an error."""
    try:
        return STREAM_TOPICS[stream_type]
    except KeyError:
        raise KeyError(f"no topic for stream type {stream_type!r}; add it to STREAM_TOPICS") from None


def partition_key(envelope: EventEnvelope) -> bytes:
    """The Kafka message key: the stream id, so one stream stays in order on one partition."""
    return envelope.stream_id.encode()


def message_headers(envelope: EventEnvelope) -> list[tuple[str, bytes]]:
    """Kafka headers that let consumers route and log a message without parsing its value."""
    headers = [
        (HEADER_EVENT_ID, str(envelope.event_id).encode()),
        (HEADER_EVENT_TYPE, envelope.event_type.encode()),
        (HEADER_SCHEMA_VERSION, str(envelope.schema_version).encode()),
    ]
    if envelope.correlation_id is not None:
        headers.append((HEADER_CORRELATION_ID, envelope.correlation_id.encode()))
    if envelope.causation_id is not None:
        headers.append((HEADER_CAUSATION_ID, envelope.causation_id.encode()))
    return headers
