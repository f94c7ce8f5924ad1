"""Per-request context at the edge (pure ASGI): ids, one log line, metrics, body size and type,
security headers and OPTIONS."""

from __future__ import annotations

import json
import time
from typing import Any

import structlog
import uuid_utils
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.runtime.logs import get_logger
from services.runtime.problems import PROBLEM_JSON
from services.runtime.routing import allowed_methods
from services.runtime.tracing import caller_trace_id, request_span
from services.runtime.tracing import enabled as tracing_enabled

log = get_logger("casetrack.http")

REQUESTS = Counter("casetrack_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "casetrack_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
MAX_BODY_BYTES = 256 * 1024
QUIET_PATHS = {"/livez", "/readyz", "/metrics"}
BODY_METHODS = {"POST", "PUT", "PATCH"}
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff")]
NO_STORE = [(b"cache-control", b"no-store")]
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
READ_HEADERS = frozenset({b"x-request-id", b"x-correlation-id", b"traceparent", b"authorization",
                          b"content-length", b"content-type"})
"""The request headers the edge reads (only these are decoded)."""


class RequestContext:
    """Binds request and correlation ids, logs one line per request, counts and times it; refuses
    bodies over the limit (413, declared or chunked) and not JSON (415) before any route runs.

    `accepts_forms`: HTML form posts are bodies too (the console's pages post forms).
    `uploads`: paths whose POST body is a file the route streams itself, with its own bound
    and media types (a survey wave), so the edge neither buffers nor refuses it.
    """

    def __init__(self, app: ASGIApp, accepts_forms: bool = False,
                 uploads: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.accepts_forms = accepts_forms
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1")
                   for k, v in scope["headers"] if k in READ_HEADERS}
        request_id = headers.get("x-request-id") or uuid_utils.uuid4().hex
        correlation_id = (headers.get("x-correlation-id") or caller_trace_id(headers)
                          or request_id)  # a new id is a trace id too: logs name the trace
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"]["correlation_id"] = correlation_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        started = time.perf_counter()
        status = 500
        extra = [(b"x-request-id", request_id.encode()),
                 (b"x-correlation-id", correlation_id.encode()), *SECURITY_HEADERS]
        if "authorization" in headers or scope["path"].startswith("/v1/"):
            extra += NO_STORE

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            upload = scope["method"] == "POST" and scope["path"] in self.uploads
            refusal = None if upload else _refusal(scope, headers)
            if refusal is None and scope["method"] in BODY_METHODS and not upload:
                body, refusal = await _read_body(receive)
                if refusal is None:
                    refusal = _unsupported_type(headers, body, self.accepts_forms)
                receive = _replay(body, receive)
            if refusal is not None:
                await _answer(send_with_ids, *refusal)
            elif not tracing_enabled():
                await self.app(scope, receive, send_with_ids)
            else:
                with request_span(scope["method"], headers, correlation_id) as span:
                    await self.app(scope, receive, send_with_ids)
                    if span is not None:
                        span.update_name(f"{scope['method']} {_route_template(scope)}")
                        span.set_attribute("http.response.status_code", status)
        finally:
            elapsed = time.perf_counter() - started
            _observe(scope["method"], _route_template(scope), status, elapsed)
            if scope["path"] not in QUIET_PATHS:
                log.info("http.request", method=scope["method"], path=scope["path"],
                         status=status, duration_ms=round(elapsed * 1000, 2))


Refusal = tuple[int, str, str, list[tuple[bytes, bytes]]]
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _observe(method: str, route: str, status: int, elapsed: float) -> None:
    """Count and time a request; each label set's series is looked up once (`labels` locks and
    checks its arguments on every call)."""
    series = _children.get((method, route, status))
    if series is None:
        series = _children[(method, route, status)] = (
            REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
    series[0].inc()
    series[1].observe(elapsed)


def _refusal(scope: Scope, headers: dict[str, str]) -> Refusal | None:
    """What the edge answers without reading the body: 413 by Content-Length, or OPTIONS."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return 413, "Payload Too Large", f"the body exceeds {MAX_BODY_BYTES} bytes", []
    if scope["method"] == "OPTIONS":
        allowed = allowed_methods(scope)
        if allowed:
            return 204, "", "", [(b"allow", ", ".join(allowed).encode())]
        return 404, "Not Found", "no such resource", []
    return None


async def _read_body(receive: Receive) -> tuple[bytes, Refusal | None]:
    """The whole body, however it is sent (chunked too), or 413 once it passes the limit."""
    chunks, seen, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > MAX_BODY_BYTES:
            return b"", (413, "Payload Too Large", f"the body exceeds {MAX_BODY_BYTES} bytes", [])
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), None


def _unsupported_type(headers: dict[str, str], body: bytes, forms: bool) -> Refusal | None:
    """415 unless a body is JSON (application/json or application/*+json), or a form if asked."""
    if not body:
        return None
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/")
                                       and media.endswith("+json")):
        return None
    if forms and media in FORM_TYPES:
        return None
    return (415, "Unsupported Media Type", "send the body as application/json",
            [(b"accept", b"application/json")])


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits for the disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


async def _answer(send: Send, status: int, title: str, detail: str,
                  headers: list[tuple[bytes, bytes]]) -> None:
    """A problem+json answer (or an empty one for 204) straight from the edge."""
    body = b"" if status == 204 else json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    start = [(b"content-length", str(len(body)).encode()), *headers]
    if body:
        start.append((b"content-type", PROBLEM_JSON.encode()))
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
