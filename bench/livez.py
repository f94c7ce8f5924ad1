"""`python -m bench.livez`: every `/livez` while hostile input arrives and stored data is at its bounds.

Issue 14's target: "no request, stored or live, makes any `/livez` slower than 50 ms". Starts its
own stack (bench.stack: every service on free ports), then stores the worst data the edge still
accepts: directives due at the far end of the date horizon (assignment's escalation scan follows
every open one) and one case with a 500-event stream (triaged again and again). A sampler in its
own process asks each service's `/livez` every 20 ms, first with the system quiet, then while
clients send, paced at `--rate` a second, every hostile probe the hostile-input test generates
from the OpenAPI documents (a NUL in each text, 10^20 in each number, the year 9999 in each
date), plus 5 MB bodies sent chunked and bodies that are not JSON. Paced, so a request that
stalls a service shows as a slow `/livez` rather than a saturated machine. Prints p50, p99 and
max per service and phase; saves bench/results/livez-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import statistics
import time
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from bench.stack import local_stack
from tests.e2e.test_hostile_input import PROBES, _request
from tests.support.system import RunningSystem, auth

RESULTS = Path(__file__).parent / "results"
REGION = "KZ-75"
TARGET_MS = 50.0


def _sample(urls: dict[str, str], seconds: float, every: float, out: Connection) -> None:
    """In its own process: each service's /livez every `every` s; milliseconds per service."""
    timings: dict[str, list[float]] = {name: [] for name in urls}
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline:
            for name, url in urls.items():
                started = time.perf_counter()
                client.get(f"{url}/livez").raise_for_status()
                timings[name].append((time.perf_counter() - started) * 1000)
            time.sleep(every)
    out.send(timings)
    out.close()


def sampled(urls: dict[str, str], seconds: float, every: float = 0.02
            ) -> tuple[multiprocessing.Process, Connection]:
    """Start the sampler process; read its timings from the returned end when it ends."""
    mine, theirs = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_sample, args=(urls, seconds, every, theirs))
    process.start()
    return process, mine


def summary(timings: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """p50, p99 and max milliseconds of each service's samples."""
    rows = {}
    for name, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        rows[name] = {"samples": len(values), "p50_ms": round(cuts[49], 1),
                      "p99_ms": round(cuts[98], 1), "max_ms": round(max(values), 1)}
    return rows


async def store_worst_data(system: RunningSystem, directives: int, events: int) -> None:
    """Directives due at the horizon's far end and one case with a long stream."""
    supervisor = auth("supervisor", [REGION], "bench-sup")
    operator = auth("operator", [REGION], "bench-op")
    far = (date.today() + timedelta(days=5 * 365 - 2)).isoformat()
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(directives):
            answer = await client.post(f"{system.intake_url}/v1/directives", headers=supervisor, json={
                "title": f"Far directive {n}", "text": "Due at the horizon.",
                "issuing_authority": "Agency", "addressee_body": "Akimat", "region": REGION,
                "due_date": far})
            assert answer.status_code == 201, answer.text
        case = await client.post(f"{system.intake_url}/v1/cases", headers=operator, json={
            "title": "Long case", "description": "Many notes.", "region": REGION,
            "sector": "land", "source": "hotline"})
        assert case.status_code == 201, case.text
        url = f"{system.intake_url}/v1/cases/{case.json()['id']}/triage"
        for _ in range(events):
            answer = await client.post(url, headers=operator,
                                       json={"risk_level": "low", "category": "bribery"})
            assert answer.status_code == 200, answer.text


async def hostile(system: RunningSystem, seconds: float, clients: int, rate: float
                  ) -> dict[str, int]:
    """Every generated probe, round and round, from `clients` clients offering `rate` requests
    a second in all (paced, so a stall shows as a slow /livez, not as a saturated machine)."""
    answers: dict[str, int] = {}
    probes = itertools.cycle(PROBES)
    big = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    deadline = time.monotonic() + seconds

    async def chunks() -> Any:
        for start in range(0, len(big), 65536):
            yield big[start:start + 65536]

    async def client_loop(n: int) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            started = time.monotonic()
            for turn in itertools.count():
                due = started + turn * clients / rate
                if due > deadline:
                    return
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if turn % 50 == n:
                    answer = await client.post(f"{system.intake_url}/v1/cases", content=chunks(),
                                               headers={**auth(), "Content-Type": "application/json"})
                elif turn % 50 == n + 1:
                    answer = await client.post(f"{system.intake_url}/v1/cases", content=b"title=x",
                                               headers={**auth(), "Content-Type": "text/plain"})
                else:
                    answer = await client.send(_request(system, next(probes)))
                answers[str(answer.status_code)] = answers.get(str(answer.status_code), 0) + 1

    await asyncio.gather(*(client_loop(n) for n in range(clients)))
    return answers


def main() -> None:
    """Run, print a table, keep the numbers in bench/results/livez-<time>.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=50, help="hostile requests per second")
    parser.add_argument("--directives", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args()
    with local_stack() as stack:
        system = stack.system
        urls = {name: url for name, url in system.urls.items()}
        asyncio.run(store_worst_data(system, args.directives, args.events))
        process, timings = sampled(urls, args.seconds)
        quiet = summary(timings.recv())
        process.join()
        process, timings = sampled(urls, args.seconds)
        answers = asyncio.run(hostile(system, args.seconds, args.clients, args.rate))
        loaded = summary(timings.recv())
        process.join()
    print(f"hostile answers by status: {dict(sorted(answers.items()))}")
    print(f"{'service':<12}{'quiet p50':>10}{'p99':>8}{'max':>8}{'hostile p50':>13}{'p99':>8}"
          f"{'max':>8}  p99 <= {TARGET_MS:.0f} ms")
    for name in quiet:
        q, h = quiet[name], loaded[name]
        verdict = "MET" if h["p99_ms"] <= TARGET_MS else "MISSED"
        print(f"{name:<12}{q['p50_ms']:>10}{q['p99_ms']:>8}{q['max_ms']:>8}{h['p50_ms']:>13}"
              f"{h['p99_ms']:>8}{h['max_ms']:>8}  {verdict}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"livez-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"args": vars(args), "answers": answers, "quiet": quiet,
                               "hostile": loaded}, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
