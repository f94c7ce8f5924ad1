"""The reporting service's app."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.bundle_api import router as bundle_router
from services.reporting.consumers import PROJECTOR
from services.reporting.period_api import router as period_router
from services.reporting.reception_api import router as reception_router
from services.reporting.surveys_api import router as surveys_router
from services.runtime.http import create_service_app
from services.runtime.settings import Settings

SERVICE = "reporting"


def create_app(settings: Settings | None = None) -> FastAPI:
    """reporting: read models over every topic."""
    return create_service_app(SERVICE, routers=[router, bundle_router, reception_router,
                                                surveys_router, period_router],
                              consumers=[PROJECTOR], description=__doc__ or "",
                              settings=settings)
