"""The intake service's app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from events import INTAKE_TOPIC
from services.intake.cases_api import router as cases_router
from services.intake.central_bodies_api import router as central_bodies_router
from services.intake.clocks_api import router as clocks_router
from services.intake.consumers import REACTOR
from services.intake.directives_api import router as directives_router
from services.intake.receptions_api import router as receptions_router
from services.intake.surveys.api import WAVES_PATH
from services.intake.surveys.api import router as surveys_router
from services.intake.vault import Vault
from services.runtime.context import ServiceRuntime
from services.runtime.http import create_service_app
from services.runtime.settings import Settings
from services.runtime.tlog.api import router as log_router

SERVICE = "intake"


def create_app(settings: Settings | None = None) -> FastAPI:
    """intake: owns cases, directives, citizen receptions and survey waves; publishes its log to
    casetrack.intake.v1."""
    return create_service_app(SERVICE, routers=[cases_router, clocks_router, directives_router,
                                                central_bodies_router, receptions_router, surveys_router,
                                                log_router],
                              topic=INTAKE_TOPIC, consumers=[REACTOR],
                              description=__doc__ or "", settings=settings,
                              parts=[open_vault], uploads=[WAVES_PATH])


@asynccontextmanager
async def open_vault(runtime: ServiceRuntime) -> AsyncIterator[Vault]:
    """The reporter vault, keyed by the configured vault key."""
    yield Vault(runtime.settings.vault_key, SERVICE)
