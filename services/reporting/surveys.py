"""Survey waves as reporting keeps them (their `survey_wave.imported` facts in the history) and
their indicators: a wave's figures next to the previous wave's, suppressed (survey_indicators).

Nothing is projected into a table of its own: a wave's one fact holds its counts per cell, so
the history (rebuilt like every read model) is the whole read model and a rebuild equals it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.reporting.facts import Fact
from services.reporting.projections import SCHEMA
from services.reporting.survey_indicators import WaveFigures, indicators
from services.runtime.db import Conn

WAVE_IMPORTED = "survey_wave.imported"


@dataclass(frozen=True)
class Wave:
    """One imported wave: its id, name, period and counts per cell."""

    id: str
    name: str
    period_start: date
    period_end: date
    imported_at: str
    cells: list[dict[str, Any]]

    def order(self) -> tuple[date, date, str, str]:
        """Waves follow one another by period (then name and id, for ties)."""
        return self.period_start, self.period_end, self.name, self.id

    def summary(self) -> dict[str, Any]:
        """The wave's name, period and total responses (withheld under the threshold)."""
        total = WaveFigures.of(self.cells).published(("total", "", "", ""))
        return {"id": self.id, "name": self.name, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "imported_at": self.imported_at,
                "responses": total["n"] if total else 0}


async def waves(conn: Conn, schema: str = SCHEMA) -> list[Wave]:
    """Every wave reporting holds, in wave order (first wave first)."""
    rows = await conn.fetch(
        f"SELECT * FROM {schema}.history WHERE stream_type = 'survey_wave' AND event_type = $1",
        WAVE_IMPORTED)
    found = []
    for row in rows:
        fact = Fact.from_row(row)
        data = fact.data
        found.append(Wave(fact.stream_id, str(data["name"]),
                          date.fromisoformat(str(data["period_start"])),
                          date.fromisoformat(str(data["period_end"])),
                          fact.occurred_at.isoformat(), list(data["cells"])))
    return sorted(found, key=Wave.order)


def wave_indicators(ordered: list[Wave], wave_id: str, regions: frozenset[str] | None
                    ) -> dict[str, Any] | None:
    """One wave's indicators against the wave before it; None if there is no such wave."""
    index = next((n for n, w in enumerate(ordered) if w.id == wave_id), None)
    if index is None:
        return None
    wave = ordered[index]
    previous = ordered[index - 1] if index > 0 else None
    return {"wave": wave.summary(), "previous_wave": previous.summary() if previous else None,
            **indicators(WaveFigures.of(wave.cells),
                         WaveFigures.of(previous.cells) if previous else None, regions)}


async def surveys_for_period(conn: Conn, start: date, end: date, region: str | None, *,
                             schema: str = SCHEMA) -> dict[str, Any]:
    """The period report's survey section: every wave whose period overlaps [start, end], with
    its indicators (one region's if given), suppressed, against the wave before it."""
    ordered = await waves(conn, schema)
    scope = frozenset({region}) if region else None
    return {"waves": [wave_indicators(ordered, w.id, scope) for w in ordered
                      if w.period_start <= end and w.period_end >= start]}
