"""An honest OpenAPI document: every status an operation can answer, errors as problem+json.

The edge answers the same way for every operation of a class (authenticated, with a path id, a
write, a versioned write), so the statuses are documented by class here, once, rather than route
by route; a route adds only what is its own (410 for an erased contact, text/csv for an export).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.runtime.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "field": {"type": "string", "description": "the field at fault, when there is one"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"},
            "type": {"type": "string"}}}},
    },
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying",
                               "schema": {"type": "string"}}}
DESCRIPTIONS = {
    400: "malformed JSON", 401: "no valid bearer token", 403: "the caller's role may not do this",
    404: "no such object in the caller's regions", 409: "illegal transition or stale version",
    412: "If-Match does not name the current version", 413: "the body exceeds the size limit",
    415: "the body is not JSON", 422: "a field is invalid (named in the problem)",
    429: "the caller's rate limit is spent", 503: "a store or service it needs is unavailable",
}
WRITES = {"post", "put", "patch", "delete"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses the edge and the command pipeline can answer for an operation."""
    if not path.startswith("/v1/"):
        return set()
    params = operation.get("parameters", [])
    found = {401, 403, 422, 429, 503}
    if any(p["in"] == "path" for p in params):
        found.add(404)
    if method in WRITES:
        found |= {400, 404, 409, 413, 415}
        if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in params):
            found.add(412)
    return found


def _as_problem(status: int, response: dict[str, Any]) -> dict[str, Any]:
    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    response.setdefault("description", DESCRIPTIONS.get(status, "error"))
    if status in (429, 503):
        response.setdefault("headers", {}).update(RETRY_AFTER)
    return response


def honest(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every operation's statuses and problem+json errors filled in."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for status in _statuses(path, method, operation):
                responses.setdefault(str(status), {})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400 and not (
                        path in ("/readyz",) and code == "503"):
                    _as_problem(int(code), response)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install_honest_openapi(app: FastAPI) -> None:
    """Make the app's OpenAPI document the honest one (generated once, on first use)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = honest(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
