"""A soak: mixed commands at a steady rate for minutes; p99, errors and RSS, first minute vs last.

`make bench SOAK=1` (SOAK_SECONDS=600, SOAK_RATE=100 by default). Registrations, triage, notes,
reads of a case and of reporting's register, open loop: a slow answer does not slow the offered
rate. Drift = (last minute - first minute) / first minute; the target is under 10 % for p99 and
for every process's RSS, with no errors.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from typing import Any

import httpx
import psutil

from bench.stack import MB, Stack
from services.runtime.auth import issue_token
from tests.support.system import JWT_SECRET

CASE = {"title": "Soak case", "description": "Registered by the soak.", "region": "KZ-75",
        "sector": "land", "source": "hotline"}


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0.0


def _rss(stack: Stack) -> dict[str, float]:
    sizes = {}
    for name, proc in stack.system.processes.items():
        if proc.process is not None and proc.process.poll() is None:
            sizes[name] = psutil.Process(proc.process.pid).memory_info().rss / MB
    return sizes


async def soak(stack: Stack, seconds: float, rate: float) -> dict[str, Any]:
    """Offer `rate` mixed commands per second for `seconds`; measure each minute."""
    headers = {"Authorization": f"Bearer {issue_token('soak', 'admin', ['*'], secret=JWT_SECRET)}"}
    intake, reporting = stack.system.urls["intake"], stack.system.urls["reporting"]
    cases: deque[str] = deque(maxlen=2000)
    minutes: list[dict[str, Any]] = []
    latencies: list[float] = []
    errors: dict[str, int] = {}
    gate = asyncio.Semaphore(256)

    async def command(http: httpx.AsyncClient, n: int) -> None:
        async with gate:
            kind = n % 5 if cases else 0
            started = time.perf_counter()
            try:
                if kind == 0:
                    r = await http.post(f"{intake}/v1/cases", json=CASE, headers=headers)
                    if r.status_code == 201:
                        cases.append(r.json()["id"])
                elif kind == 1:
                    r = await http.post(f"{intake}/v1/cases/{cases[-1]}/triage", headers=headers,
                                        json={"risk_level": "low", "category": "soak"})
                elif kind == 2:
                    r = await http.post(f"{intake}/v1/cases/{cases[0]}/notes", headers=headers,
                                        json={"note": f"note {n}"})
                elif kind == 3:
                    r = await http.get(f"{intake}/v1/cases/{cases[-1]}", headers=headers)
                else:
                    r = await http.get(f"{reporting}/v1/cases", params={"limit": 20},
                                       headers=headers)
                status = str(r.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            latencies.append((time.perf_counter() - started) * 1000)
            if not status.startswith("2") and status != "409":  # 409: triaged twice, by design
                errors[status] = errors.get(status, 0) + 1

    # Idle connections are dropped before uvicorn's 5 s keep-alive closes them: else a request sent
    # as the server closes its connection fails with a ReadError that no server did anything to earn.
    limits = httpx.Limits(max_connections=256, keepalive_expiry=2.0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        start, n, tasks = time.monotonic(), 0, set()
        next_minute = start + 60
        while time.monotonic() - start < seconds:
            task = asyncio.create_task(command(http, n))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
            if time.monotonic() >= next_minute:
                minutes.append({"p99_ms": round(_p99(latencies), 1), "requests": len(latencies),
                                "rss_mb": _rss(stack)})
                latencies, next_minute = [], next_minute + 60
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        await asyncio.gather(*tasks)
    if latencies:
        minutes.append({"p99_ms": round(_p99(latencies), 1), "requests": len(latencies),
                        "rss_mb": _rss(stack)})
    first, last = minutes[0], minutes[-1]
    drift = {"p99": round((last["p99_ms"] - first["p99_ms"]) / max(first["p99_ms"], 1e-9), 3)}
    for name, mb in last["rss_mb"].items():
        if name in first["rss_mb"]:
            drift[f"rss {name}"] = round((mb - first["rss_mb"][name]) / first["rss_mb"][name], 3)
    return {"seconds": seconds, "rate": rate, "minutes": minutes, "errors": errors,
            "drift": drift, "within_target": not errors and all(d < 0.10 for d in drift.values())}


def run_soak(stack: Stack) -> dict[str, Any]:
    """The soak with the configured length and rate."""
    return asyncio.run(soak(stack, float(os.environ.get("SOAK_SECONDS", "600")),
                            float(os.environ.get("SOAK_RATE", "100"))))
