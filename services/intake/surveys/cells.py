"""A wave's counts per cell, from its valid rows (pure): all that leaves the survey store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from events import SurveyCell
from services.intake.surveys.rows import Response


def count_cells(responses: Iterable[Response]) -> tuple[SurveyCell, ...]:
    """Responses per (region, institution type, sector), by answer, in a stable order."""
    counts: Counter[tuple[str, str, str, str]] = Counter(
        (region, institution, sector, answer) for _, region, institution, sector, answer, _ in responses)
    keys = sorted({(r, i, s) for r, i, s, _ in counts})
    return tuple(
        SurveyCell.model_validate({
            "region": r, "institution_type": i, "sector": s,
            "experienced": counts[(r, i, s, "experienced")],
            "witnessed": counts[(r, i, s, "witnessed")], "none": counts[(r, i, s, "none")]})
        for r, i, s in keys)
