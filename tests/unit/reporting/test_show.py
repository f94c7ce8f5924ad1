"""The demo summary printer: its default period and its rendering."""

from __future__ import annotations

from datetime import date

import pytest

from services.reporting import kpis, show
from tests.unit.reporting.test_kpis import CASES, DIRECTIVES, FIRST_FOUR_MONTHS, REVIEWS, TODAY

pytestmark = pytest.mark.unit


def test_the_default_period_is_the_last_four_months_including_this_one() -> None:
    assert show.last_four_months(date(2026, 11, 30)) == (date(2026, 8, 1), date(2026, 11, 30))
    assert show.last_four_months(date(2026, 2, 10)) == (date(2025, 11, 1), date(2026, 2, 28))


def test_the_rendering_shows_totals_regions_months_and_addressees() -> None:
    body = {"region": "KZ-75", **kpis.summary(CASES, REVIEWS, DIRECTIVES, FIRST_FOUR_MONTHS,
                                              TODAY)}
    text = show.render(body)
    assert "2026-01-01 .. 2026-04-30" in text and "registered    4" in text
    assert "KZ-11" in text and "2026-03" in text and "directives  Akimat" in text
