"""Does a long stream cost more? Notes on a case with 500 events against notes on a new case.

Two cases are registered and triaged; one is given 500 progress notes first. Then the same
closed-loop load of notes runs against each in turn. The command pipeline reads a cached state
plus the events after it, so the ratio should stay near 1 (target: the long stream within 20 %).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bench.httpload import LoadConfig, run_load

LONG_STREAM_EVENTS = 500
NOTE = json.dumps({"note": "Interviewed the applicant; documents requested.",
                   "evidence_refs": ["doc-1"]})


def _case(client: httpx.Client, intake_url: str, body: str) -> str:
    """A registered and triaged case (notes are allowed from then on)."""
    made = client.post(f"{intake_url}/v1/cases", content=body)
    made.raise_for_status()
    case_id = str(made.json()["id"])
    client.post(f"{intake_url}/v1/cases/{case_id}/triage",
                json={"risk_level": "low", "category": "bench"}).raise_for_status()
    return case_id


def long_stream(intake_url: str, bearer: str, body: str, seconds: float, warmup: float,
                concurrency: int = 8) -> dict[str, Any]:
    """Notes/s and latency on a short and on a 500-event stream, and their ratio."""
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    with httpx.Client(headers=headers, timeout=30) as client:
        short, long = _case(client, intake_url, body), _case(client, intake_url, body)
        for _ in range(LONG_STREAM_EVENTS - 2):
            client.post(f"{intake_url}/v1/cases/{long}/notes", content=NOTE).raise_for_status()
    results: dict[str, Any] = {}
    for label, case_id in (("new_stream", short), ("long_stream", long)):
        results[label] = run_load(LoadConfig(
            url=f"{intake_url}/v1/cases/{case_id}/notes", body=NOTE, seconds=seconds,
            warmup=warmup, concurrency=concurrency, token=bearer))
    new_rps, long_rps = results["new_stream"]["rps"], results["long_stream"]["rps"]
    results["events_before"] = LONG_STREAM_EVENTS
    results["long_per_new"] = round(long_rps / new_rps, 3) if new_rps else None
    return results
