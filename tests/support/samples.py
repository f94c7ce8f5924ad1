"""Sample domain payloads for tests."""

from __future__ import annotations

import asyncio
from typing import Any

from events import CaseRegistered, IntakeSource, Region, Sector
from services.intake.domain.case import CASE
from services.runtime.eventstore import CommandContext
from services.runtime.pipeline import UnitOfWork
from services.runtime.results import Written


def case_registered(title: str = "Bribe for a land plot", region: str = "KZ-75") -> CaseRegistered:
    """A valid case.registered payload."""
    return CaseRegistered(
        title=title, description="An official asked for money to register a land plot.",
        region=Region(region), sector=Sector.LAND, source=IntakeSource.HOTLINE,
        district="Bostandyk", anonymous=True, reporter=None,
    )


def register(stream: str, context: CommandContext, gate: asyncio.Event | None = None) -> Any:
    """Pipeline work that registers a case on a new stream (waiting for `gate`, if given, before
    it ends)."""

    async def work(unit: UnitOfWork) -> Written:
        unit.new(CASE, stream)
        state = unit.append(stream, [case_registered()], context)
        if gate is not None:
            await gate.wait()
        return Written({"id": stream, "version": state.version}, created=True)

    return work
