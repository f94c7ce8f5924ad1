"""Sample domain payloads for tests."""

from __future__ import annotations

from events import CaseRegistered, IntakeSource, Region, Sector


def case_registered(title: str = "Bribe for a land plot", region: str = "KZ-75") -> CaseRegistered:
    """A valid case.registered payload."""
    return CaseRegistered(
        title=title, description="An official asked for money to register a land plot.",
        region=Region(region), sector=Sector.LAND, source=IntakeSource.HOTLINE,
        district="Bostandyk", anonymous=True, reporter=None,
    )
