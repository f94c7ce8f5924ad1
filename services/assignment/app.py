"""The assignment service's app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from events import ASSIGNMENT_TOPIC
from services.assignment.api import router
from services.assignment.consumers import PLANNER, SCHEMA, default_clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.assignment.scanner import ScannerThread
from services.assignment.settings import get_assignment_settings
from services.runtime.db import database_url_for
from services.runtime.http import ServiceRuntime, create_service_app
from services.runtime.settings import Settings
from services.runtime.tlog.api import router as log_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """assignment: roster, rule-based and manual assignment, deadlines and escalations."""
    app = create_service_app(SCHEMA, routers=[router, log_router], topic=ASSIGNMENT_TOPIC,
                             consumers=[PLANNER], description=__doc__ or "",
                             settings=settings, on_start=_open_planner)
    served = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with served(app_):
            runtime: ServiceRuntime = app_.state.runtime
            knobs = get_assignment_settings()
            scanner = ScannerThread(
                database_url_for(SCHEMA, runtime.settings.database_url),
                runtime.extras["planner"], knobs.scan_seconds, knobs.clock_offset_days,
                knobs.scan_budget_seconds, runtime.clock)
            scanner.start()
            try:
                yield
            finally:
                await asyncio.to_thread(scanner.stop)

    app.router.lifespan_context = lifespan
    return app


async def _open_planner(runtime: ServiceRuntime) -> None:
    runtime.extras["planner"] = Planner(runtime.event_store, default_rules(), default_clocks())
