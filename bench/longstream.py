"""Does a long stream cost more? Triage of a case with 500 events against triage of a new case.

Two cases are registered; one is triaged 500 times first. Then the same closed-loop load of
triage commands runs against each in turn. The command pipeline reads a cached state plus the
events after it, so the ratio should stay near 1 (target: the long stream within 20 %). Triage
is the command because its answer does not grow with the stream (a case's answer lists every
progress note, so a note-heavy case costs more to *answer*, which is not what this measures).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bench.httpload import LoadConfig, run_load

LONG_STREAM_EVENTS = 500
TRIAGE = json.dumps({"risk_level": "low", "category": "land registration"})


def _case(client: httpx.Client, intake_url: str, body: str) -> str:
    """A registered case."""
    made = client.post(f"{intake_url}/v1/cases", content=body)
    made.raise_for_status()
    return str(made.json()["id"])


def long_stream(intake_url: str, bearer: str, body: str, seconds: float, warmup: float,
                concurrency: int = 8) -> dict[str, Any]:
    """Triage commands/s and latency on a new and on a 500-event stream, and their ratio."""
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    with httpx.Client(headers=headers, timeout=30) as client:
        short, long = _case(client, intake_url, body), _case(client, intake_url, body)
        for _ in range(LONG_STREAM_EVENTS - 1):
            client.post(f"{intake_url}/v1/cases/{long}/triage", content=TRIAGE).raise_for_status()
    results: dict[str, Any] = {}
    for label, case_id in (("new_stream", short), ("long_stream", long)):
        results[label] = run_load(LoadConfig(
            url=f"{intake_url}/v1/cases/{case_id}/triage", body=TRIAGE, seconds=seconds,
            warmup=warmup, concurrency=concurrency, token=bearer))
    new_rps, long_rps = results["new_stream"]["rps"], results["long_stream"]["rps"]
    results["events_before"] = LONG_STREAM_EVENTS
    results["long_per_new"] = round(long_rps / new_rps, 3) if new_rps else None
    return results
