"""`python -m bench.console_pages`: each console page's size and serving time over a seeded stack.

Starts its own stack (bench.stack: Postgres, broker, every service including the console on free
ports), registers cases through intake (some resolved at high risk, so reviews open), then asks
each page `--requests` times in a row with one signed-in client and reports bytes, p50 and p95.
The issue's targets: at most 100 KB and 50 ms p95 per page, locally.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.stack import local_stack
from tests.e2e.console.browser import csrf_token_of
from tests.support.system import RunningSystem, auth, token
from tests.support.waiting import eventually

REGION = "KZ-75"
RESULTS = Path(__file__).parent / "results"


async def seed(system: RunningSystem, cases: int) -> dict[str, str]:
    """Cases (every third resolved at high risk), one directive and a monitor in the group."""
    admin, operator = auth("admin", ["*"], "bench-admin"), auth("operator", [REGION], "bench-op")
    async with httpx.AsyncClient(timeout=30) as client:
        groups = f"{system.urls['review']}/v1/monitoring-groups"
        formed = await client.post(groups, headers=admin, json={"name": "Almaty", "region": REGION})
        await client.post(f"{groups}/{formed.json()['id']}/members", headers=admin,
                          json={"monitor_id": "bench-monitor", "name": "Bench monitor"})
        ids = []
        for n in range(cases):
            created = await client.post(f"{system.intake_url}/v1/cases", headers=operator, json={
                "title": f"Bench case {n}", "description": "Measured.", "region": REGION,
                "sector": ["land", "health", "police"][n % 3], "source": "hotline"})
            ids.append(created.json()["id"])
            if n % 3 == 0:
                for action, body in (("triage", {"risk_level": "high", "category": "bribery"}),
                                     ("notes", {"note": "checked"}),
                                     ("resolve", {"outcome": "confirmed", "summary": "Done.",
                                                  "measures_taken": ["dismissal"]})):
                    await _until_done(client, f"{system.intake_url}/v1/cases/{ids[-1]}/{action}",
                                      operator, body)
        await client.post(f"{system.intake_url}/v1/directives", headers=auth(
            "supervisor", [REGION], "bench-sup"), json={
            "title": "Publish the queue", "text": "Online.", "issuing_authority": "Agency",
            "addressee_body": "Akimat", "region": REGION,
            "due_date": (date.today() + timedelta(days=30)).isoformat()})

        async def review() -> str | None:
            page = (await client.get(f"{system.urls['review']}/v1/reviews", headers=admin)).json()
            cases_seen = (await client.get(f"{system.reporting_url}/v1/cases", headers=admin)
                          ).json()["total"]
            return page["items"][0]["id"] if page["items"] and cases_seen >= cases else None

        review_id = await eventually(review, within=120, what="reviews and the register")
    return {"case": ids[0], "review": review_id}


async def _until_done(client: httpx.AsyncClient, url: str, headers: dict[str, str],
                      body: dict[str, Any]) -> None:
    async def attempt() -> bool:
        return (await client.post(url, json=body, headers=headers)).status_code == 200
    await eventually(attempt, what=url)


def timed(client: httpx.Client, url: str, requests: int) -> dict[str, float]:
    """Bytes, p50, p95 and max milliseconds of one URL asked `requests` times in a row."""
    timings, size = [], 0
    for n in range(requests + 10):
        started = time.perf_counter()
        answer = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        size = len(answer.content)
        if n >= 10:  # the first ten warm connections and caches
            timings.append(elapsed)
    cuts = statistics.quantiles(timings, n=100)
    return {"bytes": size, "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1),
            "max_ms": round(max(timings), 1)}


def measure(base: str, pages: dict[str, str], apis: dict[str, str], requests: int
            ) -> dict[str, dict[str, float]]:
    """Each console page, then the API call under it alone (the baseline of the same run)."""
    monitor = token("monitor", [REGION], "bench-monitor")
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.get("/login")
        client.post("/login", data={"token": monitor, "csrf_token": csrf_token_of(login.text),
                                    "next": "/"})
        results = {name: timed(client, path, requests) for name, path in pages.items()}
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {monitor}"}) as client:
        results.update({f"api: {name}": timed(client, url, requests) for name, url in apis.items()})
    return results


def main() -> None:
    """Run, print a table, keep the numbers in bench/results/console-<time>.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    with local_stack() as stack:
        seeded = asyncio.run(seed(stack.system, args.cases))
        now = datetime.now(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%dT%H:%M")
        pages = {"login": "/login", "review queue": f"/reviews?region={REGION}",
                 "review": f"/reviews/{seeded['review']}", "case": f"/cases/{seeded['case']}",
                 "case as of": f"/cases/{seeded['case']}?as_of={now}",
                 "case verified": f"/cases/{seeded['case']}?verify=true",
                 "cases register": f"/cases?region={REGION}", "directives register": "/directives",
                 "results": f"/results?region={REGION}", "my work": "/my-work"}
        urls = stack.system.urls
        apis = {"reporting cases": f"{urls['reporting']}/v1/cases?region={REGION}&limit=25",
                "reporting history": f"{urls['reporting']}/v1/cases/{seeded['case']}/history",
                "intake case": f"{urls['intake']}/v1/cases/{seeded['case']}",
                "review queue": f"{urls['review']}/v1/reviews?region={REGION}&status=open&limit=25",
                "reporting summary": f"{urls['reporting']}/v1/reports/summary?region={REGION}"
                                     f"&from={date.today().year}-01-01&to={date.today()}"}
        results = measure(urls["console"], pages, apis, args.requests)
    print(f"{'page':<24}{'bytes':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, row in results.items():
        print(f"{name:<24}{row['bytes']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']:>9}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"console-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"requests": args.requests, "cases": args.cases, "pages": results},
                              indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
