"""The HTTP edge every service shares: body size and type, headers, OPTIONS, rate limits, docs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY
from pydantic import BaseModel

from services.runtime.auth import CurrentPrincipal, issue_token
from services.runtime.http import create_service_app
from services.runtime.middleware import MAX_BODY_BYTES
from services.runtime.settings import DEV_JWT_SECRET, Settings

pytestmark = pytest.mark.integration


class Note(BaseModel):
    """A body to post."""

    text: str


router = APIRouter(prefix="/v1/notes")


@router.get("/{note_id}")
async def read_note(note_id: str, principal: CurrentPrincipal) -> dict[str, str]:
    """Read."""
    return {"id": note_id}


@router.patch("/{note_id}")
async def change_note(note_id: str, body: Note, principal: CurrentPrincipal) -> dict[str, str]:
    """Change."""
    return {"id": note_id, "text": body.text}


@router.post("")
async def add_note(body: Note, principal: CurrentPrincipal) -> dict[str, str]:
    """Write."""
    return {"text": body.text}


@contextlib.asynccontextmanager
async def _client(database_url: str, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    cfg = Settings(CASETRACK_ENV="dev", DATABASE_URL=database_url, **settings)  # type: ignore[arg-type]
    app = create_service_app("intake", routers=[router], settings=cfg)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
            yield client


@pytest.fixture
async def client(migrated_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app with the shared edge and its default limits."""
    async with _client(migrated_database_url) as client:
        yield client


AUTH = {"Authorization": f"Bearer {issue_token('op-1', 'operator', ['KZ-75'], secret=DEV_JWT_SECRET)}"}


async def test_a_chunked_body_over_the_limit_is_refused_with_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5 * 1024):
            yield b" " * 1024

    response = await client.post("/v1/notes", content=chunks(),
                           headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", ""])
async def test_a_body_that_is_not_json_is_refused_with_415(client: httpx.AsyncClient, content_type: str
                                                     ) -> None:
    response = await client.post("/v1/notes", content=b'{"text": "x"}',
                           headers={**AUTH, "Content-Type": content_type})
    assert response.status_code == 415
    assert response.json()["title"] == "Unsupported Media Type"


async def test_authenticated_answers_are_not_sniffed_or_stored(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/notes", json={"text": "x"}, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    refused = await client.post("/v1/notes", json={"text": "x"})
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


async def test_options_and_405_list_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    options = await client.options("/v1/notes/n-1")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, OPTIONS, PATCH"
    refused = await client.delete("/v1/notes/n-1", headers=AUTH)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, OPTIONS, PATCH"


async def test_a_principal_past_its_write_budget_gets_429_with_retry_after(
    migrated_database_url: str,
) -> None:
    limits = {"write": (0.1, 2.0), "read": (1000.0, 1000.0)}
    async with _client(migrated_database_url, CASETRACK_RATE_LIMITS=limits) as client:
        codes = [(await client.post("/v1/notes", json={"text": "x"}, headers=AUTH)).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        refused = await client.post("/v1/notes", json={"text": "x"}, headers=AUTH)
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert (await client.get("/v1/notes/n-1", headers=AUTH)).status_code == 200  # reads still go
        other = issue_token("op-2", "operator", ["KZ-75"], secret=DEV_JWT_SECRET)
        assert (await client.post("/v1/notes", json={"text": "x"},
                           headers={"Authorization": f"Bearer {other}"})).status_code == 200


async def test_unauthenticated_callers_spend_their_address_budget(migrated_database_url: str) -> None:
    limits = {"unauthenticated": (0.1, 2.0)}
    async with _client(migrated_database_url, CASETRACK_RATE_LIMITS=limits) as client:
        codes = [(await client.get("/v1/notes/n-1")).status_code for _ in range(3)]
        assert codes == [401, 401, 429]


async def test_docs_and_metrics_can_be_put_behind_authentication(migrated_database_url: str) -> None:
    async with _client(migrated_database_url, CASETRACK_PROTECT_DOCS=True,
                       CASETRACK_PROTECT_METRICS=True) as client:
        assert (await client.get("/openapi.json")).status_code == 401
        assert (await client.get("/docs")).status_code == 401
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/openapi.json", headers=AUTH)).status_code == 200
        assert (await client.get("/metrics", headers=AUTH)).status_code == 403  # an operator is no admin
        admin = issue_token("adm", "admin", ["*"], secret=DEV_JWT_SECRET)
        assert (await client.get("/metrics", headers={"Authorization": f"Bearer {admin}"}
                          )).status_code == 200
    async with _client(migrated_database_url) as client:
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200


def _requests_counted(method: str, route: str, status: str) -> float:
    return REGISTRY.get_sample_value("casetrack_http_requests_total",
                                     {"method": method, "route": route, "status": status}) or 0.0


def _requests_timed(method: str, route: str) -> float:
    return REGISTRY.get_sample_value("casetrack_http_request_seconds_count",
                                     {"method": method, "route": route}) or 0.0


async def test_every_request_is_counted_and_timed_once_under_its_route_and_status(
    client: httpx.AsyncClient,
) -> None:
    route = "/v1/notes/{note_id}"
    before = (_requests_counted("GET", route, "200"), _requests_counted("GET", route, "401"),
              _requests_timed("GET", route))
    for note_id in ("a", "b", "c"):
        assert (await client.get(f"/v1/notes/{note_id}", headers=AUTH)).status_code == 200
    assert (await client.get("/v1/notes/d")).status_code == 401
    after = (_requests_counted("GET", route, "200"), _requests_counted("GET", route, "401"),
             _requests_timed("GET", route))
    assert [a - b for a, b in zip(after, before, strict=True)] == [3.0, 1.0, 4.0]


async def test_a_request_answers_with_its_ids_or_new_ones(client: httpx.AsyncClient) -> None:
    """The caller's ids come back; without them a new 32-hex id names both the request and the
    correlation; a W3C traceparent's trace id is the correlation id."""
    mine = await client.get("/v1/notes/a", headers={**AUTH, "X-Request-Id": "req-1",
                                                       "X-Correlation-Id": "corr-1"})
    assert (mine.headers["x-request-id"], mine.headers["x-correlation-id"]) == ("req-1", "corr-1")
    new = await client.get("/v1/notes/a", headers=AUTH)
    assert re.fullmatch(r"[0-9a-f]{32}", new.headers["x-request-id"])
    assert new.headers["x-correlation-id"] == new.headers["x-request-id"]
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traced = await client.get("/v1/notes/a", headers={
        **AUTH, "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    assert traced.headers["x-correlation-id"] == trace_id
    assert traced.headers["x-request-id"] != new.headers["x-request-id"]
