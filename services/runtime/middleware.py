"""Per-request context: ids, one log line, metrics and a body size limit (pure ASGI)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.runtime.logs import get_logger
from services.runtime.problems import PROBLEM_JSON

log = get_logger("casetrack.http")

REQUESTS = Counter("casetrack_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "casetrack_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MAX_BODY_BYTES = 256 * 1024
QUIET_PATHS = {"/livez", "/readyz", "/metrics"}


class RequestContext:
    """Binds request and correlation ids, logs one line per request, counts and times it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or uuid.uuid4().hex
        correlation_id = headers.get("x-correlation-id") or request_id
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"]["correlation_id"] = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _too_large(send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(b"x-request-id", request_id.encode()),
                         (b"x-correlation-id", correlation_id.encode())]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, _limited(receive), send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            if scope["path"] not in QUIET_PATHS:
                log.info("http.request", method=scope["method"], path=scope["path"],
                         status=status, duration_ms=round(elapsed * 1000, 2))


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def _limited(receive: Receive) -> Receive:
    """Refuse bodies larger than the limit even when no Content-Length was sent."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise BodyTooLarge
        return message

    return wrapped


class BodyTooLarge(Exception):
    """The request body passed the size limit."""


async def _too_large(send: Send) -> None:
    body = (b'{"type":"about:blank","title":"Payload Too Large","status":413,'
            b'"detail":"the body exceeds %d bytes"}' % MAX_BODY_BYTES)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
