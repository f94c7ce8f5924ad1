"""Traces across hops (OpenTelemetry): HTTP request -> append -> relay publish -> consumer apply.

Off by default: with no OTLP endpoint configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) nothing is recorded and the hot paths skip the work.

One trace per correlation id. A request's correlation id (its `X-Correlation-Id`, the trace id of
a W3C `traceparent` it sent, or a new 32-hex id) *is* its trace id, so every log line's
`correlation_id` names the trace. The relay publishes later, from the log, with no request at
hand: it rebuilds the trace from the event's correlation id (both the request's span and the
publish spans hang under the same synthetic root span derived from it) and puts the publish
span's `traceparent` in the Kafka message's headers; a consumer's apply span is that span's
child. Reactions carry the correlation id on, so a whole saga is one trace.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from services.runtime.kafka import header_value

TRACEPARENT = "traceparent"
HEX_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_propagator = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


def configure_tracing(service: str) -> None:
    """Export spans over OTLP/HTTP when an endpoint is configured; else leave tracing off."""
    if _provider is not None or not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
                                     or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME", f"casetrack-{service}")}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    install(provider)


def install(provider: TracerProvider | None) -> None:
    """Record spans with `provider` (None: tracing off again); tests install an in-memory one."""
    global _provider
    _provider = provider


def enabled() -> bool:
    """Whether spans are recorded in this process."""
    return _provider is not None


def tracer() -> trace.Tracer:
    """casetrack's tracer: the configured provider's, else a no-op one."""
    return _provider.get_tracer("casetrack") if _provider is not None else trace.NoOpTracer()


def trace_id_of(correlation_id: str | None) -> int | None:
    """The trace id a correlation id stands for (32 lowercase hex digits, not all zero)."""
    if correlation_id is None or not HEX_TRACE_ID.match(correlation_id):
        return None
    return int(correlation_id, 16) or None


def correlation_root(correlation_id: str | None) -> Context | None:
    """A context whose parent is the correlation's synthetic root span; None if the id is not a
    trace id (then spans start a trace of their own)."""
    trace_id = trace_id_of(correlation_id)
    if trace_id is None:
        return None
    assert correlation_id is not None
    span_id = int.from_bytes(hashlib.sha256(correlation_id.encode()).digest()[:8], "big") or 1
    root = SpanContext(trace_id=trace_id, span_id=span_id, is_remote=True,
                       trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(root))


def request_parent(headers: dict[str, str], correlation_id: str) -> Context | None:
    """The parent of a request's span: the caller's traceparent, else the correlation's root."""
    if TRACEPARENT in headers:
        extracted = _propagator.extract({TRACEPARENT: headers[TRACEPARENT]})
        if trace.get_current_span(extracted).get_span_context().is_valid:
            return extracted
    return correlation_root(correlation_id)


def caller_trace_id(headers: dict[str, str]) -> str | None:
    """The trace id of a valid W3C traceparent the caller sent, as 32 hex digits."""
    if TRACEPARENT not in headers:
        return None
    context = trace.get_current_span(_propagator.extract({TRACEPARENT: headers[TRACEPARENT]})
                                     ).get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


@contextlib.contextmanager
def request_span(method: str, headers: dict[str, str], correlation_id: str
                 ) -> Iterator[Span | None]:
    """The current span of one HTTP request (None when tracing is off); its ids go in the logs."""
    if not enabled():
        yield None
        return
    with tracer().start_as_current_span(f"{method}", context=request_parent(headers, correlation_id),
                                        kind=SpanKind.SERVER) as span:
        context = span.get_span_context()
        structlog.contextvars.bind_contextvars(trace_id=format(context.trace_id, "032x"),
                                               span_id=format(context.span_id, "016x"))
        yield span


def traceparent_headers(span: Span) -> list[tuple[str, bytes]]:
    """The Kafka header that makes `span` the parent of whatever reads the message."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    return [(k, v.encode()) for k, v in carrier.items()]


class PublishSpans:
    """One span per event of a relay batch, ended when the broker acknowledged the batch."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = list(spans)

    def headers(self, index: int) -> list[tuple[str, bytes]]:
        """Extra headers for the batch's index-th message ([] when tracing is off)."""
        return traceparent_headers(self.spans[index]) if self.spans else []


@contextlib.contextmanager
def publish_spans(topic: str, events: Sequence[Any]) -> Iterator[PublishSpans]:
    """Spans for publishing `events` (envelopes), each in its correlation's trace."""
    if not enabled():
        yield PublishSpans([])
        return
    spans = [tracer().start_span(
        "casetrack.relay.publish", context=correlation_root(e.correlation_id), kind=SpanKind.PRODUCER,
        attributes={"messaging.destination.name": topic, "casetrack.event_id": str(e.event_id),
                    "casetrack.event_type": e.event_type, "casetrack.stream_id": e.stream_id})
        for e in events]
    try:
        yield PublishSpans(spans)
    finally:
        for span in spans:
            span.end()


@contextlib.contextmanager
def apply_spans(consumer: str, messages: Sequence[Any]) -> Iterator[None]:
    """A span per consumed message, child of the publish span named in its headers."""
    if not enabled():
        yield
        return
    spans = []
    for m in messages:
        parent_header = header_value(m.headers, TRACEPARENT)
        parent = (_propagator.extract({TRACEPARENT: parent_header}) if parent_header
                  else correlation_root(header_value(m.headers, "correlation_id")))
        spans.append(tracer().start_span(
            "casetrack.consumer.apply", context=parent, kind=SpanKind.CONSUMER,
            attributes={"casetrack.consumer": consumer, "messaging.destination.name": m.topic,
                        "messaging.kafka.partition": m.partition,
                        "messaging.kafka.offset": m.offset}))
    try:
        yield
    finally:
        for span in spans:
            span.end()
