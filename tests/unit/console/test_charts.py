"""Bar charts scale to the largest value and leave out what has no data."""

from __future__ import annotations

import pytest

from services.console.charts import BAR_AREA, ROW_HEIGHT, bar_chart

pytestmark = pytest.mark.unit


def test_bars_scale_to_the_largest_value_and_stack_by_row() -> None:
    chart = bar_chart([("closed", 10), ("reopened", 5), ("withdrawn", 0)])
    assert [(b.key, b.width, b.y, b.text) for b in chart.bars] == [
        ("closed", BAR_AREA, 0, "10"), ("reopened", BAR_AREA // 2, ROW_HEIGHT, "5"),
        ("withdrawn", 0, 2 * ROW_HEIGHT, "0")]
    assert chart.height == 3 * ROW_HEIGHT


def test_values_without_data_are_left_out_and_an_empty_chart_says_so() -> None:
    assert [b.key for b in bar_chart([("2026-01", None), ("2026-02", 3.5)]).bars] == ["2026-02"]
    assert bar_chart([("2026-01", None)]).empty
    assert bar_chart([("a", 0), ("b", 0)]).bars[0].width == 0
