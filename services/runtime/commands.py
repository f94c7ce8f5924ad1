"""The HTTP side of a write: idempotency keys, If-Match, and how conflicts answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse

from services.runtime.auth import Principal
from services.runtime.eventstore import CommandContext
from services.runtime.idempotency import (
    AlreadyAnswered,
    IdempotencyClaim,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    request_fingerprint,
)
from services.runtime.pipeline import StaleVersion
from services.runtime.problems import Problem
from services.runtime.results import Written, http_status

WriteResult = Written
MAX_KEY_LENGTH = 200


def command_context(request: Request, principal: Principal, region: str | None = None
                    ) -> CommandContext:
    """Who is acting and in which request: recorded on every event the command appends."""
    return CommandContext(actor=principal.actor(region),
                          correlation_id=request.state.correlation_id,
                          causation_id=request.state.request_id)


def etag(version: int) -> str:
    """The ETag of a stream at a version."""
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match header names, or None when absent or `*`."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise Problem(400, "Bad If-Match", "If-Match must be a version ETag such as \"3\"",
                      field="If-Match")
    return int(raw)


def conflict_problem(exc: StaleVersion) -> Problem:
    """412 for a stale If-Match, 409 for a stale expected_version or a lost race."""
    return Problem(
        412 if exc.precondition else 409,
        "Precondition Failed" if exc.precondition else "Conflict",
        f"the stream is at version {exc.current}, not {exc.expected}",
        current_version=exc.current,
        headers={"ETag": etag(exc.current)},
    )


class CommandResponse(JSONResponse):
    """A JSON answer rendered with orjson (a command's body is already JSON-ready)."""

    def render(self, content: Any) -> bytes:
        """The body as compact UTF-8 JSON."""
        return orjson.dumps(content)


def response_for(status: int, body: dict[str, Any], location: str | None = None) -> JSONResponse:
    """A JSON response with the ETag (and Location) its body implies."""
    headers: dict[str, str] = {}
    if isinstance(body.get("version"), int):
        headers["ETag"] = etag(body["version"])
    if location:
        headers["Location"] = location
    return CommandResponse(body, status_code=status, headers=headers)


async def run_write(
    request: Request,
    principal: Principal,
    write: Callable[[IdempotencyClaim | None], Awaitable[WriteResult]],
    *,
    location: Callable[[dict[str, Any]], str] | None = None,
) -> JSONResponse:
    """Run a write once per Idempotency-Key; replay the first response for a repeat."""
    key = request.headers.get("idempotency-key")
    claim_: IdempotencyClaim | None = None
    if key is not None:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise Problem(400, "Bad Idempotency-Key", "1 to 200 characters",
                          field="Idempotency-Key")
        fingerprint = request_fingerprint(request.method, request.url.path, await request.body())
        claim_ = IdempotencyClaim(principal.sub, key, fingerprint)
    try:
        written = await write(claim_)
    except AlreadyAnswered as answered:
        stored = answered.response
        reply = response_for(stored.status, stored.body,
                             location(stored.body) if location else None)
        reply.headers["Idempotent-Replayed"] = "true"
        return reply
    except IdempotencyKeyReused:
        raise Problem(422, "Idempotency-Key reused", "this key was used with a different request",
                      field="Idempotency-Key") from None
    except IdempotencyKeyInFlight:
        raise Problem(409, "Request in progress",
                      "a request with this Idempotency-Key is still running",
                      field="Idempotency-Key") from None
    except StaleVersion as exc:
        raise conflict_problem(exc) from None
    return response_for(http_status(written), written.view,
                        location(written.view) if location else None)
