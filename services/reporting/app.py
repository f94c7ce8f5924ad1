"""The reporting service's app."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.consumers import PROJECTOR
from services.runtime.consumer import consumer_stalled
from services.runtime.http import ServiceRuntime, create_service_app
from services.runtime.settings import Settings

SERVICE = "reporting"


async def _projector_ready(runtime: ServiceRuntime) -> str | None:
    return await consumer_stalled(runtime.pool, SERVICE, PROJECTOR,
                                  runtime.settings.consumer_stall_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """reporting: read models over every topic."""
    return create_service_app(SERVICE, routers=[router], readiness=[_projector_ready],
                              description=__doc__ or "", settings=settings)
