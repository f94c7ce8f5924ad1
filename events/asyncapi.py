"""Builds the AsyncAPI 3.0 description of the topics, messages and headers (pure; no I/O)."""

from __future__ import annotations

from typing import Any

from events.registry import EventRegistry
from events.topics import (
    ANALYTICS_TOPIC,
    ASSIGNMENT_TOPIC,
    DLQ_PARTITIONS,
    HEADER_CAUSATION_ID,
    HEADER_CORRELATION_ID,
    HEADER_DLQ_CONSUMER,
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA_VERSION,
    INTAKE_TOPIC,
    REVIEW_TOPIC,
    TOPIC_PARTITIONS,
    topic_for_stream,
)

KAFKA_BINDING_VERSION = "0.5.0"
ENVELOPE_REF = "schemas/envelope.json"
ANALYTICS_FACT_REF = "analytics_fact.v1.schema.json"
"""The analytics topic's record: a PII-free, pseudonymous fact, not an envelope (hand-written:
reporting derives it from envelopes, so no payload model generates it)."""

CHANNELS: dict[str, tuple[str, str]] = {
    "intake": (INTAKE_TOPIC, "Case and directive events, published by intake."),
    "assignment": (ASSIGNMENT_TOPIC, "Assignment events, published by assignment."),
    "review": (REVIEW_TOPIC, "Review events, published by review."),
    "analytics": (ANALYTICS_TOPIC, "PII-free, pseudonymous envelopes published by reporting."),
}


def schema_file(event_type: str, version: int) -> str:
    """Path of a payload's JSON Schema, relative to the ``events`` package."""
    return f"schemas/{event_type}.v{version}.json"


def build_asyncapi(registry: EventRegistry) -> dict[str, Any]:
    """The AsyncAPI 3.0 document for every topic and every registered event type and version."""
    messages = {_message_id(t, v): _event_message(registry, t, v) for t, v in registry.types()}
    messages["analyticsFact"] = _analytics_message()
    by_topic: dict[str, list[str]] = {ANALYTICS_TOPIC: ["analyticsFact"]}
    for event_type, version in registry.types():
        topic = topic_for_stream(event_type.split(".")[0])  # a type's prefix is its stream type
        by_topic.setdefault(topic, []).append(_message_id(event_type, version))
    channels = {
        name: _channel(topic, description, by_topic.get(topic, []))
        for name, (topic, description) in CHANNELS.items()
    }
    channels["deadLetter"] = _dead_letter_channel()
    messages["deadLetter"] = _dead_letter_message()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "casetrack events",
            "version": "1.0.0",
            "description": "Topics, messages and headers of casetrack's shared event contract. "
            "Every message value is a canonical-JSON EventEnvelope; its key is the stream_id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": {
            f"publish_{name}": {"action": "send", "channel": {"$ref": f"#/channels/{name}"}}
            for name in channels
        },
        "components": {"messages": messages, "schemas": _header_schemas()},
    }


def _message_id(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def _channel(topic: str, description: str, message_ids: list[str]) -> dict[str, Any]:
    binding = {"topic": topic, "partitions": TOPIC_PARTITIONS[topic]}
    return {
        "address": topic,
        "description": description,
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in message_ids},
        "bindings": {"kafka": {**binding, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _key_binding() -> dict[str, Any]:
    key = {"type": "string", "description": "Partition key: the envelope's stream_id."}
    return {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING_VERSION}}


def _event_message(registry: EventRegistry, event_type: str, version: int) -> dict[str, Any]:
    model = registry.model_for(event_type, version)
    summary = (model.__doc__ or event_type).strip().splitlines()[0]
    narrowing = {
        "type": "object",
        "properties": {
            "event_type": {"const": event_type},
            "schema_version": {"const": version},
            "payload": {"$ref": schema_file(event_type, version)},
        },
    }
    return {
        "name": event_type,
        "title": f"{model.__name__} v{version}",
        "summary": summary,
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/EventHeaders"},
        "correlationId": {"location": f"$message.header#/{HEADER_CORRELATION_ID}"},
        "payload": {"allOf": [{"$ref": ENVELOPE_REF}, narrowing]},
        "bindings": _key_binding(),
        "x-pii-fields": sorted(registry.pii_fields(event_type, version)),
    }


def _analytics_message() -> dict[str, Any]:
    return {
        "name": "casetrack.analytics.fact",
        "summary": "One PII-free, pseudonymous fact per case or directive event, published by "
        "reporting.",
        "description": "The key is the subject's pseudonym (HMAC-SHA256), never its id. Headers: "
        "event_id (the fact's dedupe key, the source event's id), event_type (the source "
        "event's type) and schema_version (the fact's own schema version, not the source "
        "event's).",
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/EventHeaders"},
        "payload": {"$ref": ANALYTICS_FACT_REF},
        "bindings": {"kafka": {"key": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                       "description": "the subject's pseudonym"},
                               "bindingVersion": "0.5.0"}},
    }


def _dead_letter_channel() -> dict[str, Any]:
    return {
        "address": "{consumer}.dlq",
        "description": f"Per-consumer dead letters, {DLQ_PARTITIONS} partition each: messages "
        "that could not be decoded or validated, with their origin in headers.",
        "parameters": {"consumer": {"description": "Name of the consumer that gave up."}},
        "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
        "bindings": {"kafka": {"partitions": DLQ_PARTITIONS, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _dead_letter_message() -> dict[str, Any]:
    return {
        "summary": "The original message bytes, unchanged, with the reason it was set aside.",
        "contentType": "application/octet-stream",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"type": "string", "contentEncoding": "binary"},
    }


def _string_headers(names: dict[str, str], required: list[str]) -> dict[str, Any]:
    props = {name: {"type": "string", "description": text} for name, text in names.items()}
    return {"type": "object", "properties": props, "required": required}


def _header_schemas() -> dict[str, Any]:
    event = {
        HEADER_EVENT_ID: "The envelope's event_id (UUIDv7).",
        HEADER_EVENT_TYPE: "The envelope's event_type.",
        HEADER_SCHEMA_VERSION: "The envelope's schema_version, in decimal.",
        HEADER_CORRELATION_ID: "Correlation id of the originating request, when known.",
        HEADER_CAUSATION_ID: "Id of the message or command that caused this event, when known.",
    }
    dead = {
        HEADER_DLQ_ORIGIN_TOPIC: "Topic the message was read from.",
        HEADER_DLQ_ORIGIN_PARTITION: "Partition it was read from, in decimal.",
        HEADER_DLQ_ORIGIN_OFFSET: "Offset it was read at, in decimal.",
        HEADER_DLQ_ERROR: "Why the consumer could not process it.",
        HEADER_DLQ_CONSUMER: "Name of the consumer that set it aside.",
    }
    return {
        "EventHeaders": _string_headers(event, list(event)[:3]),
        "DeadLetterHeaders": _string_headers({**event, **dead}, list(dead)),
    }
