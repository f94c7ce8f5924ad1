"""A wave's risk indicators from its counts per cell (pure): shares, suppression, comparison.

Published figures: every cell (region, institution type, sector), the margins by region, by
institution type and by sector, and the wave's total, each with n, the share who experienced
corruption and the share who witnessed it. A figure of fewer than MIN_RESPONSES responses is
suppressed (primary). Because every margin is the sum of its cells and the total the sum of
each margin, a lone suppressed figure could be recomputed by subtraction; so in every such
relation a suppressed figure never stands alone: the smallest published figure of the relation
(a cell before a margin, a margin before the total) is withheld too (complementary), until no
relation has exactly one. Suppression is computed once over the whole wave, so every view of
it (filtered or not, API or period report) withholds the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MIN_RESPONSES = 5
LEVELS = ("cell", "region", "institution_type", "sector", "total")
_RANK = {"cell": 0, "region": 1, "institution_type": 1, "sector": 1, "total": 2}

Key = tuple[str, str, str, str]
"""(level, region, institution type, sector); '' where the level sums over that dimension."""


@dataclass(frozen=True)
class Counts:
    """Responses of a figure: all of them, and those that experienced or witnessed."""

    n: int = 0
    experienced: int = 0
    witnessed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.n + other.n, self.experienced + other.experienced,
                      self.witnessed + other.witnessed)


def figures(cells: Iterable[Mapping[str, Any]]) -> dict[Key, Counts]:
    """Every published figure of a wave: its cells, the three margins and the total."""
    found: dict[Key, Counts] = {}
    for cell in cells:
        r, i, s = str(cell["region"]), str(cell["institution_type"]), str(cell["sector"])
        experienced, witnessed = int(cell["experienced"]), int(cell["witnessed"])
        counts = Counts(experienced + witnessed + int(cell["none"]), experienced, witnessed)
        for key in (("cell", r, i, s), ("region", r, "", ""), ("institution_type", "", i, ""),
                    ("sector", "", "", s), ("total", "", "", "")):
            found[key] = found.get(key, Counts()) + counts
    return found


def relations(keys: Iterable[Key]) -> list[list[Key]]:
    """The sums a reader could subtract along: each margin with its cells, the total with
    each margin's figures."""
    groups: dict[tuple[str, str], list[Key]] = {}
    for key in sorted(keys):
        level, r, i, s = key
        if level == "cell":
            for margin in (("region", r, "", ""), ("institution_type", "", i, ""),
                           ("sector", "", "", s)):
                groups.setdefault((margin[0], "|".join(margin)), [margin]).append(key)
        elif level != "total":
            groups.setdefault(("total", level), [("total", "", "", "")]).append(key)
    return [groups[name] for name in sorted(groups)]


def suppressed(found: Mapping[Key, Counts], minimum: int = MIN_RESPONSES) -> set[Key]:
    """The figures withheld: those under `minimum` responses, and their complements."""
    hidden = {key for key, counts in found.items() if counts.n < minimum}
    groups = relations(found)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(1 for key in group if key in hidden) != 1:
                continue
            shown = [key for key in group if key not in hidden]
            if shown:
                hidden.add(min(shown, key=lambda k: (_RANK[k[0]], found[k].n, k)))
                changed = True
    return hidden


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4)


def _published(counts: Counts | None, hidden: bool) -> dict[str, Any] | None:
    if counts is None:
        return None
    if hidden:
        return {"suppressed": True, "n": None, "share_experienced": None, "share_witnessed": None}
    return {"suppressed": False, "n": counts.n,
            "share_experienced": _share(counts.experienced, counts.n),
            "share_witnessed": _share(counts.witnessed, counts.n)}


def _delta(now: dict[str, Any] | None, before: dict[str, Any] | None, share: str) -> float | None:
    if now is None or before is None or now["suppressed"] or before["suppressed"]:
        return None  # a delta against a withheld figure would give the figure away
    return round(float(now[share]) - float(before[share]), 4)


@dataclass(frozen=True)
class WaveFigures:
    """A wave's figures and which of them are withheld."""

    counts: dict[Key, Counts]
    hidden: set[Key]

    @classmethod
    def of(cls, cells: Iterable[Mapping[str, Any]]) -> WaveFigures:
        """The figures of a wave's cells, suppression applied over the whole wave."""
        counts = figures(cells)
        return cls(counts, suppressed(counts))

    def published(self, key: Key) -> dict[str, Any] | None:
        """One figure as published (None if the wave has no response there)."""
        return _published(self.counts.get(key), key in self.hidden)


def indicator(key: Key, now: WaveFigures, before: WaveFigures | None) -> dict[str, Any]:
    """One published figure with the previous wave's and the change in each share."""
    _, r, i, s = key
    current = now.published(key)
    previous = before.published(key) if before is not None else None
    assert current is not None
    return {"region": r or None, "institution_type": i or None, "sector": s or None,
            **current, "previous": previous,
            "delta_experienced": _delta(current, previous, "share_experienced"),
            "delta_witnessed": _delta(current, previous, "share_witnessed")}


def indicators(now: WaveFigures, before: WaveFigures | None,
               regions: frozenset[str] | None = None) -> dict[str, Any]:
    """A wave's indicators by cell, region, institution type and sector, and its total;
    `regions` set: only those regions' cells and margins (and no national figure)."""
    def level(name: str) -> list[dict[str, Any]]:
        return [indicator(key, now, before) for key in sorted(now.counts)
                if key[0] == name and (regions is None or (key[1] and key[1] in regions))]

    national = regions is None
    return {
        "threshold": MIN_RESPONSES,
        "total": indicator(("total", "", "", ""), now, before)
        if national and now.counts else None,
        "by_region": level("region"),
        "by_institution_type": level("institution_type") if national else [],
        "by_sector": level("sector") if national else [],
        "cells": level("cell"),
    }
