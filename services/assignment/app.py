"""The assignment service's app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from events import ASSIGNMENT_TOPIC
from services.assignment.api import router
from services.assignment.consumers import PLANNER, SCHEMA, default_clocks
from services.assignment.domain.rules import default_rules
from services.assignment.planner import Planner
from services.assignment.scanner import ScannerThread
from services.assignment.settings import get_assignment_settings
from services.runtime.context import ServiceRuntime
from services.runtime.db import database_url_for
from services.runtime.http import create_service_app
from services.runtime.settings import Settings
from services.runtime.tlog.api import router as log_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """assignment: roster, rule-based and manual assignment, deadlines and escalations."""
    return create_service_app(SCHEMA, routers=[router, log_router], topic=ASSIGNMENT_TOPIC,
                              consumers=[PLANNER], description=__doc__ or "",
                              settings=settings, parts=[open_planner, run_scanner])


@asynccontextmanager
async def open_planner(runtime: ServiceRuntime) -> AsyncIterator[Planner]:
    """The planner on the service's event store, with the default rules and clocks."""
    yield Planner(runtime.event_store, default_rules(), default_clocks())


@asynccontextmanager
async def run_scanner(runtime: ServiceRuntime) -> AsyncIterator[ScannerThread]:
    """The deadline scanner on its own thread while the service runs."""
    knobs = get_assignment_settings()
    scanner = ScannerThread(
        database_url_for(SCHEMA, runtime.settings.database_url), runtime.part(Planner),
        knobs.scan_seconds, knobs.clock_offset_days, knobs.scan_budget_seconds, runtime.clock)
    scanner.start()
    try:
        yield scanner
    finally:
        await asyncio.to_thread(scanner.stop)
