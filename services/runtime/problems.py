"""RFC 9457 problem+json: one shape for every error a service answers."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.runtime.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound
from services.runtime.routing import allowed_methods

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 1
# Postgres restarting or unreachable, a pool closed under a request, a sibling service down: the
# request may succeed when retried, and a write that failed here was not acknowledged.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError, asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError, ConnectionError, TimeoutError, OSError,
    httpx.TransportError,
)


def unavailable(exc: BaseException | None) -> bool:
    """Whether an error (or what caused it) means a dependency is down, not a bug."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _UNAVAILABLE):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class Problem(Exception):
    """An error that maps directly to a problem+json response."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The JSON body of the problem."""
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    """Render a Problem."""
    instance = request.url.path if request is not None else None
    return JSONResponse(
        problem.body(instance), status_code=problem.status, headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


STATUS_OF_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404), (Conflict, 409), (Forbidden, 403), (Invalid, 422), (Gone, 410),
)
"""The HTTP status of each kind of refusal; any other DomainError answers 422."""


def domain_problem(error: DomainError) -> Problem:
    """The problem+json of a refusal: its kind's status, its title, detail, field and facts."""
    status = next((code for kind, code in STATUS_OF_KIND if isinstance(error, kind)), 422)
    extra = dict(error.facts)
    if error.field is not None:
        extra["field"] = error.field
    return Problem(status, error.title, error.detail, **extra)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    """Map refusals, validation errors, HTTP errors, Problems and crashes to problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_refusal(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(domain_problem(exc), request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": _field_path(e.get("loc", ())), "message": e.get("msg", ""),
             "type": e.get("type", "")}
            for e in exc.errors()
        ]
        malformed = any(e["type"] == "json_invalid" for e in errors)
        named = sorted({e["field"] for e in errors})
        single = {"field": named[0]} if len(named) == 1 else {}
        problem = Problem(
            400 if malformed else 422,
            "Malformed JSON" if malformed else "Invalid request",
            "the body is not valid JSON" if malformed else f"invalid fields: {', '.join(named)}",
            errors=errors, **single,
        )
        return problem_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        titles = {404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large"}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of every route on the path, not just one's
            headers["Allow"] = ", ".join(allowed_methods(request.scope))
        problem = Problem(exc.status_code, titles.get(exc.status_code, "HTTP error"),
                          str(exc.detail) if exc.detail else None, headers=headers)
        return problem_response(problem, request)

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        if unavailable(exc):
            return problem_response(Problem(
                503, "Service Unavailable", "a store or service this answer needs is "
                "unavailable; retry (with the same Idempotency-Key for a write)",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)}), request)
        return problem_response(Problem(500, "Internal Server Error"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_refusal)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
