"""The bench's arithmetic: percentiles, ratios to same-run baselines, target verdicts, profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.profiling import summarize
from bench.report import ratios, table, targets
from bench.samples import COLUMNS, INSERT_SQL, fresh_row, row, sealed
from bench.stats import latency_summary, percentile
from bench.tlog_cost import cost_ratio, summary

pytestmark = pytest.mark.unit


def results(intake_rps: float = 300.0, simple_rps: float = 1000.0, p99: float = 40.0,
            rebuild: float | None = 25_000.0) -> dict[str, Any]:
    """A run's results as the bench records them, with chosen figures."""
    run: dict[str, Any] = {
        "baselines": {"simple_endpoint": {"32": {"rps": simple_rps, "p99_ms": 20.0}},
                      "insert_1": {"tx_per_s": 1500.0}, "insert_16": {"tx_per_s": 5000.0},
                      "copy": {"rows_per_s": 50_000.0}, "broker": {"produce_per_s": 40_000.0}},
        "system": {"intake": {"32": {"rps": intake_rps, "p50_ms": 10.0, "p95_ms": 20.0,
                                     "p99_ms": p99}},
                   "relay": {"events_per_s": 10_000.0},
                   "rebuild": {"events_per_s": rebuild} if rebuild else {"available": False},
                   "end_to_end": {"target_rate": 200, "rps": 199.0, "p99_ms": 30.0,
                                  "end_to_end": {"p99_ms": 120.0}},
                   "rss_rest_mb": {"intake": 80.0}, "rss_peak_mb": {"intake": 250.0}},
    }
    run["ratios"] = ratios(run)
    run["targets"] = targets(run)
    return run


def test_percentile_is_the_nearest_rank() -> None:
    """p50 of 1..100 is 50, p99 is 99, and no values give no percentile."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 99) is None
    assert latency_summary([0.001, 0.002])["max_ms"] == 2.0


def test_ratios_divide_system_figures_by_same_run_baselines() -> None:
    """Each ratio is the system's figure over the baseline measured in the same run."""
    found = results()["ratios"]
    assert found["intake_per_simple_endpoint"] == {"32": 0.3}
    assert found["intake_per_raw_insert_tx"]["peak_intake_vs_16_connections"] == 0.06
    assert found["relay_per_raw_produce"] == 0.25
    assert found["rebuild_per_raw_copy"] == 0.5


def test_a_missed_target_says_by_how_much() -> None:
    """Throughput at 30% of the baseline misses the 50% goal by 40%; RSS over 150 MB is missed."""
    verdicts = {t["target"]: t for t in results()["targets"]}
    ratio = verdicts["intake throughput / simplest endpoint at 32 clients >= 0.5"]
    assert ratio["met"] is False and ratio["missed_by_percent"] == 40.0
    p99 = verdicts["intake p99 / simplest endpoint p99 at 32 clients <= 2"]
    assert p99["value"] == 2.0 and p99["met"] is True
    assert verdicts["end-to-end p99 at 200/s <= 250 ms"]["met"] is True
    assert round(verdicts["intake peak RSS < 150 MB"]["missed_by_percent"], 1) == 66.7


def test_a_figure_not_measured_is_reported_as_unknown_never_as_met() -> None:
    """Without the rebuild command there is no rebuild figure, and its target is neither met nor missed."""
    run = results(rebuild=None)
    verdict = next(t for t in run["targets"] if t["target"].startswith("rebuild"))
    assert verdict["met"] is None and verdict["value"] is None
    assert run["ratios"]["rebuild_per_raw_copy"] is None
    assert "n/a" in table(run)


def test_profile_summary_leaves_idle_waits_out(tmp_path: Path) -> None:
    """Samples ending in a selector wait are idle; busy shares are of the remaining samples."""
    folded = tmp_path / "profile.txt"
    folded.write_text(
        "main (services/intake/__main__.py:5);EpollSelector.select (selectors.py:468) 6\n"
        "main (services/intake/__main__.py:5);append (services/runtime/eventstore.py:9);"
        "write (asyncio/selector_events.py:1057) 3\n"
        "main (services/intake/__main__.py:5);seal (events/envelope.py:104) 1\n")
    summary = summarize(folded)
    assert summary["busy_samples"] == 4
    assert summary["top_self"][0] == {"frame": "write (asyncio/selector_events.py)",
                                      "percent_of_busy": 75.0}
    ours = {f["frame"]: f["percent_of_busy"] for f in summary["top_inclusive_ours"]}
    assert ours["append (runtime/eventstore.py)"] == 75.0


def test_baseline_rows_have_the_events_table_shape() -> None:
    """A raw baseline row fills every events column, and a fresh row changes only the unique ids."""
    template = row(sealed())
    fresh = fresh_row(template)
    assert len(template) == len(COLUMNS) == INSERT_SQL.count("$")
    changed = {COLUMNS[i] for i, (a, b) in enumerate(zip(template, fresh, strict=True)) if a != b}
    assert changed == {"stream_id", "event_id"}


def test_the_keepers_cost_is_the_throughput_lost_against_intake_without_it() -> None:
    with_keeper = summary([{"rps": 90.0, "p99_ms": 30.0}, {"rps": 100.0, "p99_ms": 40.0}])
    without = summary([{"rps": 100.0, "p99_ms": 20.0}, {"rps": 100.0, "p99_ms": 20.0}])
    assert (with_keeper["rps"], with_keeper["p99_ms"]) == (95.0, 35.0)
    assert cost_ratio(with_keeper["rps"], without["rps"]) == 0.05
    assert cost_ratio(100.0, 0.0) is None


def test_a_keeper_costing_more_than_five_percent_misses_its_target() -> None:
    run = results()
    run["system"]["tlog_cost"] = {"8": {"with_keeper": {"rps": 90.0}, "without_keeper": {"rps": 100.0},
                                        "cost": 0.1},
                                  "32": {"with_keeper": {"rps": 99.0}, "without_keeper": {"rps": 100.0},
                                         "cost": 0.01}}
    run["ratios"] = ratios(run)
    verdicts = {t["target"]: t for t in targets(run)}
    assert verdicts["log keeper's cost to intake's throughput at 8 clients <= 5%"]["met"] is False
    assert verdicts["log keeper's cost to intake's throughput at 32 clients <= 5%"]["met"] is True
    assert "intake with the log keeper, 8 clients" in table(run)
