"""Bar charts as geometry for inline SVG: no script, no image files, readable without colour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROW_HEIGHT = 24
LABEL_WIDTH = 200
BAR_AREA = 300
VALUE_GAP = 6


@dataclass(frozen=True)
class Bar:
    """One bar: the key it stands for (translated in the template), its value and geometry."""

    key: str
    value: float
    text: str
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart."""

    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA

    @property
    def width(self) -> int:
        """The whole drawing's width, with room for the value after the longest bar."""
        return self.label_width + self.bar_area + 60

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw."""
        return not self.bars


def bar_chart(values: Iterable[tuple[str, float | None]], unit: str = "") -> Chart:
    """Bars scaled to the largest value; None values (no data) are left out."""
    known = [(key, float(value)) for key, value in values if value is not None]
    top = max((value for _, value in known), default=0.0)
    bars = []
    for row, (key, value) in enumerate(known):
        width = round(BAR_AREA * value / top) if top > 0 else 0
        text = f"{value:g}{unit}"
        bars.append(Bar(key, value, text, row * ROW_HEIGHT, max(width, 1 if value else 0)))
    return Chart(tuple(bars), max(len(bars), 1) * ROW_HEIGHT)
