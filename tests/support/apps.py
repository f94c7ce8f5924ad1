"""A service's app run in process against the test servers, and a client on it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from services.runtime.settings import Settings


@contextlib.asynccontextmanager
async def running_app(create_app: Callable[[Settings], FastAPI], database_url: str,
                      bootstrap: str, secret: str, **settings: Any) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running (pool, relay, its parts) on the test servers."""
    app = create_app(Settings(CASETRACK_ENV="dev", DATABASE_URL=database_url,
                              KAFKA_BOOTSTRAP_SERVERS=bootstrap, CASETRACK_JWT_SECRET=secret,
                              **settings))
    async with app.router.lifespan_context(app):
        yield app


@contextlib.asynccontextmanager
async def client_of(app: FastAPI, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=f"http://{host}") as client:
        yield client
