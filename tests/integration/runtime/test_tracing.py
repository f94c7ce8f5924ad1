"""One trace from the HTTP request through the append and the relay's publish to a consumer's
apply, linked through the Kafka message's headers; the correlation id is the trace id."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from events import INTAKE_TOPIC, EventEnvelope
from services.intake.app import create_app
from services.runtime import tracing
from services.runtime.auth import issue_token
from services.runtime.consumer import ProcessedOnce, Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.db import Conn, create_pool
from services.runtime.settings import Settings, get_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SECRET = "tracing-integration-secret-0123456789abcdef"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span recorded in this process while the test runs; tracing off again after."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.install(None)
        provider.shutdown()


@pytest.fixture
async def intake(migrated_database_url: str, kafka_bootstrap: str, spans: InMemorySpanExporter
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(CASETRACK_ENV="dev", DATABASE_URL=migrated_database_url,
                        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap, CASETRACK_JWT_SECRET=SECRET,
                        CASETRACK_RELAY_POLL_SECONDS="0.05")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (app.router.lifespan_context(app),
                httpx.AsyncClient(transport=transport, base_url="http://intake") as http):
        yield http


def _named(exporter: InMemorySpanExporter, name: str, trace_id: int) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans()
            if s.name == name and s.context is not None and s.context.trace_id == trace_id]


async def test_a_request_its_append_publish_and_a_consumers_apply_share_one_trace(
    intake: httpx.AsyncClient, spans: InMemorySpanExporter, migrated_database_url: str,
    kafka_bootstrap: str,
) -> None:
    token = issue_token("op-1", "operator", ["KZ-75"], secret=SECRET)
    reply = await intake.post("/v1/cases", headers={"Authorization": f"Bearer {token}"}, json={
        "title": f"Traced bribe {uuid.uuid4().hex[:6]}", "description": "Asked for money.",
        "region": "KZ-75", "sector": "land", "source": "hotline"})
    assert reply.status_code == 201, reply.text
    correlation = reply.headers["x-correlation-id"]
    trace_id = int(correlation, 16)  # the correlation id every log line carries is the trace id

    (request,) = _named(spans, "POST /v1/cases", trace_id)
    (append,) = _named(spans, "casetrack.append", trace_id)
    assert append.parent is not None and request.context is not None
    assert append.parent.span_id == request.context.span_id, "the append is part of the request"

    async def published() -> list[ReadableSpan] | None:
        return _named(spans, "casetrack.relay.publish", trace_id) or None

    (publish,) = await eventually(published, what="the relay's publish span in the trace")
    assert publish.attributes is not None
    assert publish.attributes["casetrack.event_type"] == "case.registered"

    name = f"test-tracing-{uuid.uuid4().hex[:8]}"
    applied: list[str] = []

    async def record(conn: Conn, envelope: EventEnvelope, topic: str) -> None:
        applied.append(envelope.correlation_id or "")

    pool = await create_pool(migrated_database_url, "intake", max_size=2)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    await producer.start()
    settings = get_settings().model_copy(update={"kafka_bootstrap_servers": kafka_bootstrap})
    loop = ConsumerLoop(Subscription(name, (INTAKE_TOPIC,), record, batch=100),
                        ProcessedOnce(name, "intake", pool, record, producer), settings)
    task = asyncio.create_task(loop.run())
    try:
        async def consumed() -> list[ReadableSpan] | None:
            return _named(spans, "casetrack.consumer.apply", trace_id) or None

        (apply,) = await eventually(consumed, what="the consumer's apply span in the trace")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()
        await pool.close()
    assert publish.context is not None and apply.parent is not None
    assert apply.parent.span_id == publish.context.span_id, \
        "the apply span's parent is the publish span named in the message's headers"
    assert correlation in applied, "the event carried the request's correlation id"


def test_tracing_is_off_unless_an_endpoint_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    tracing.configure_tracing("intake")
    assert not tracing.enabled()
    with tracing.publish_spans("t", []) as traced:
        assert traced.spans == []
    assert tracing.correlation_root("not-a-trace-id") is None
