"""How much each measurement does: the full run, or the quick smoke run (QUICK=1, under 5 minutes)."""

from __future__ import annotations

import json
from dataclasses import dataclass

SAMPLE_BODY: dict[str, object] = {
    "title": "Bribe demanded for land plot registration",
    "description": "The applicant was asked for an unofficial payment to speed up the registration "
                   "of a land plot; the official named a price and a meeting place.",
    "region": "KZ-75", "sector": "land", "source": "hotline", "district": "Bostandyk",
}
"""The POST /v1/cases body both the intake and the simplest write endpoint receive."""


def sample_body_bytes() -> bytes:
    """The sample body as sent on the wire."""
    return json.dumps(SAMPLE_BODY, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Plan:
    """Counts and durations of one run; the defaults are the full run's."""

    quick: bool = False
    concurrency: tuple[int, ...] = (1, 8, 32, 64)
    """Closed-loop client counts, for the simplest endpoint and intake alike."""
    http_seconds: float = 20
    http_warmup: float = 3
    """Seconds of load before the measured part starts."""
    insert_seconds: float = 10
    copy_rows: int = 200_000
    broker_messages: int = 100_000
    e2e_rate: float = 200
    e2e_seconds: float = 60
    backlog_events: int = 100_000
    rest_seconds: float = 30
    """The at-rest phase: CPU of everything while nothing happens."""
    """Events appended while intake and the workers are stopped (relay, apply, rebuild)."""

    @classmethod
    def choose(cls, quick: bool) -> Plan:
        """The quick plan (smoke run, under 5 minutes) or the full one."""
        if quick:
            return cls(quick=True, concurrency=(8, 32), http_seconds=5, http_warmup=1,
                       insert_seconds=3, copy_rows=50_000, broker_messages=20_000,
                       e2e_seconds=10, backlog_events=5_000, rest_seconds=10)
        return cls()
