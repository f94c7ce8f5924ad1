"""The intake service's app."""

from __future__ import annotations

from fastapi import FastAPI

from events import INTAKE_TOPIC
from services.intake.api import router
from services.intake.vault import Vault
from services.runtime.http import ServiceRuntime, create_service_app
from services.runtime.settings import Settings

SERVICE = "intake"


def create_app(settings: Settings | None = None) -> FastAPI:
    """intake: registers cases and publishes its log to casetrack.intake.v1."""
    app = create_service_app(SERVICE, routers=[router], topic=INTAKE_TOPIC,
                             description=__doc__ or "", settings=settings,
                             on_start=_open_vault)
    return app


async def _open_vault(runtime: ServiceRuntime) -> None:
    runtime.extras["vault"] = Vault(runtime.settings.vault_key, SERVICE)
