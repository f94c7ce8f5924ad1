"""Kafka clients configured once for the whole system, and the message headers of the contract."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from services.runtime.settings import Settings


def create_producer(settings: Settings, client_id: str) -> AIOKafkaProducer:
    """An acks=all producer; idempotence stays a setting (the local broker refuses it)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        linger_ms=2,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
    )


def header_value(headers: object, name: str) -> str | None:
    """A header's value as text from any of the shapes the clients hand out."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    for key, value in items:  # type: ignore[attr-defined]
        if key == name:
            return value.decode() if isinstance(value, bytes | bytearray) else str(value)
    return None
