"""The services' APIs as the console calls them: always with the signed-in person's token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from services.runtime.settings import Settings

SERVICES = ("intake", "review", "reporting", "assignment")


class ApiRefused(Exception):
    """An API answered 4xx/5xx: its problem+json, kept to show the person why."""

    def __init__(self, status: int, title: str, detail: str, field: str | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.field = status, title, detail, field


class SignInExpired(Exception):
    """An API answered 401: the token is no longer good; sign in again."""


@dataclass
class Upstream:
    """One HTTP client for the owning services' APIs, opened in the console's lifespan."""

    client: httpx.AsyncClient
    urls: dict[str, str]

    @classmethod
    def open(cls, settings: Settings, timeout: float) -> Upstream:
        """A client for every service the console talks to, URLs from settings."""
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        return cls(httpx.AsyncClient(timeout=timeout, limits=limits),
                   {name: settings.url_of(name) for name in SERVICES})

    async def close(self) -> None:
        """Close the connections."""
        await self.client.aclose()

    async def get(self, service: str, path: str, token: str,
                  params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON resource, or raise why not."""
        response = await self.client.get(self.urls[service] + path, headers=_auth(token),
                                         params=_clean(params))
        return _body(response)

    async def post(self, service: str, path: str, token: str, body: Mapping[str, Any],
                   idempotency_key: str | None = None) -> Any:
        """POST a command as JSON, or raise why it was refused."""
        headers = _auth(token)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = await self.client.post(self.urls[service] + path, headers=headers,
                                          json=dict(body))
        return _body(response)

    async def stream(self, service: str, path: str, token: str,
                     params: Mapping[str, Any] | None = None) -> AsyncIterator[bytes]:
        """Stream a body through (CSV exports); raises before the first byte if refused."""
        request = self.client.build_request("GET", self.urls[service] + path,
                                            headers=_auth(token), params=_clean(params))
        response = await self.client.send(request, stream=True)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            _body(response)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in response.aiter_raw():
                    yield chunk
            finally:
                await response.aclose()

        return chunks()

    async def alive(self, service: str) -> bool:
        """Whether a service answers /livez."""
        try:
            return (await self.client.get(self.urls[service] + "/livez")).status_code == 200
        except httpx.HTTPError:
            return False


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v not in (None, "")}


def _body(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise SignInExpired
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        raise ApiRefused(response.status_code, str(problem.get("title", response.reason_phrase)),
                         str(problem.get("detail", "")), problem.get("field"))
    return response.json()
