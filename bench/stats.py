"""Percentiles and rates, the same way for every figure."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds."""
    return {
        f"{name}_ms": (round(v * 1000, 2) if (v := percentile(seconds, q)) is not None else None)
        for name, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
    }


def rate(count: float, seconds: float) -> float:
    """count per second, rounded for the report."""
    return round(count / seconds, 1) if seconds > 0 else 0.0
