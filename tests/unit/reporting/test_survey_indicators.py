"""Survey indicators: shares, suppression under 5 responses (and its complements), comparison."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from services.reporting.survey_indicators import (
    Key,
    WaveFigures,
    figures,
    indicators,
    relations,
    suppressed,
)

pytestmark = pytest.mark.unit


def cell(region: str, institution: str, sector: str, experienced: int, witnessed: int,
         none: int) -> dict[str, Any]:
    return {"region": region, "institution_type": institution, "sector": sector,
            "experienced": experienced, "witnessed": witnessed, "none": none}


def test_shares_are_of_the_figures_responses() -> None:
    wave = WaveFigures.of([cell("KZ-75", "university", "police", 2, 3, 5)])
    assert wave.published(("cell", "KZ-75", "university", "police")) == {
        "suppressed": False, "n": 10, "share_experienced": 0.2, "share_witnessed": 0.3}


def test_a_cell_under_five_responses_is_withheld_whole() -> None:
    wave = WaveFigures.of([cell("KZ-75", "university", "police", 1, 1, 2),
                           cell("KZ-75", "university", "land", 5, 5, 5),
                           cell("KZ-75", "university", "health", 5, 5, 6)])
    assert wave.published(("cell", "KZ-75", "university", "police")) == {
        "suppressed": True, "n": None, "share_experienced": None, "share_witnessed": None}


def test_a_lone_suppressed_cell_takes_a_complement_so_no_margin_gives_it_away() -> None:
    counts = figures([cell("KZ-75", "university", "police", 1, 1, 2),
                      cell("KZ-75", "university", "land", 5, 5, 5),
                      cell("KZ-75", "university", "health", 5, 5, 6)])
    hidden = suppressed(counts)
    assert ("cell", "KZ-75", "university", "police") in hidden
    assert ("cell", "KZ-75", "university", "land") in hidden  # the smallest other cell
    assert ("cell", "KZ-75", "university", "health") not in hidden


def no_relation_has_a_lone_hidden_figure(counts: dict[Key, Any], hidden: set[Key]) -> bool:
    return all(sum(k in hidden for k in group) != 1 for group in relations(counts))


def test_on_random_waves_every_small_figure_is_hidden_and_none_stands_alone() -> None:
    shuffle = random.Random(17)
    regions, institutions, sectors = ["KZ-75", "KZ-71", "KZ-62"], ["university", "college"], [
        "police", "land", "health"]
    for _ in range(200):
        cells = [cell(r, i, s, shuffle.randint(0, 4), shuffle.randint(0, 4), shuffle.randint(0, 6))
                 for r, i, s in itertools.product(regions, institutions, sectors)
                 if shuffle.random() < 0.8]
        cells = [c for c in cells if c["experienced"] + c["witnessed"] + c["none"] > 0]
        counts = figures(cells)
        hidden = suppressed(counts)
        assert {k for k, c in counts.items() if c.n < 5} <= hidden
        assert no_relation_has_a_lone_hidden_figure(counts, hidden)


def test_a_published_margin_minus_its_published_cells_never_equals_one_hidden_cell() -> None:
    wave = WaveFigures.of([cell("KZ-75", "college", "police", 1, 0, 1),
                           cell("KZ-75", "college", "land", 3, 3, 3),
                           cell("KZ-71", "college", "police", 3, 3, 3),
                           cell("KZ-71", "college", "land", 3, 3, 3)])
    body = indicators(wave, None)
    for margin in body["by_region"] + body["by_sector"] + body["by_institution_type"]:
        if margin["suppressed"]:
            continue
        hidden_inside = [c for c in body["cells"] if c["suppressed"] and all(
            margin[d] in (None, c[d]) for d in ("region", "institution_type", "sector"))]
        assert len(hidden_inside) != 1, margin


def test_the_comparison_gives_the_previous_share_and_the_change() -> None:
    before = WaveFigures.of([cell("KZ-75", "university", "police", 1, 1, 8)])
    now = WaveFigures.of([cell("KZ-75", "university", "police", 3, 1, 6)])
    body = indicators(now, before)
    assert body["total"]["previous"]["share_experienced"] == 0.1
    assert body["total"]["delta_experienced"] == 0.2
    assert body["total"]["delta_witnessed"] == 0.0


def test_no_change_is_given_against_a_withheld_figure_either_way() -> None:
    small = WaveFigures.of([cell("KZ-75", "university", "police", 1, 1, 1)])
    large = WaveFigures.of([cell("KZ-75", "university", "police", 3, 1, 6)])
    assert indicators(large, small)["total"]["delta_experienced"] is None
    assert indicators(small, large)["total"]["delta_experienced"] is None
    assert indicators(large, None)["total"]["previous"] is None


def test_a_region_scope_keeps_its_regions_figures_and_no_national_one() -> None:
    wave = WaveFigures.of([cell("KZ-75", "university", "police", 3, 3, 3),
                           cell("KZ-71", "university", "police", 3, 3, 3)])
    body = indicators(wave, None, frozenset({"KZ-75"}))
    assert body["total"] is None and body["by_sector"] == [] and body["by_institution_type"] == []
    assert {c["region"] for c in body["cells"] + body["by_region"]} == {"KZ-75"}


def test_suppression_is_the_same_whatever_the_order_of_the_cells() -> None:
    cells = [cell("KZ-75", "college", "police", 1, 0, 1), cell("KZ-75", "college", "land", 3, 3, 3),
             cell("KZ-71", "college", "police", 3, 3, 3), cell("KZ-71", "university", "land", 2, 0, 0)]
    assert suppressed(figures(cells)) == suppressed(figures(list(reversed(cells))))
