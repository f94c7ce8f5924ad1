"""Load while a fault happens: case registrations from several clients, and what each got."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.support.system import RunningSystem, auth

CASE = {"title": "Fault drill", "description": "A registration sent while something fails.",
        "region": "KZ-35", "sector": "health", "source": "hotline"}


@dataclass
class Load:
    """Registrations sent until stopped; the ids acknowledged with 201, and every other answer."""

    system: RunningSystem
    clients: int = 4
    acknowledged: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    refusals: list[httpx.Response] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _client(self, http: httpx.AsyncClient) -> None:
        while not self._stop.is_set():
            key = uuid.uuid4().hex
            try:
                r = await http.post(f"{self.system.intake_url}/v1/cases", json=CASE,
                                    headers={**auth(), "Idempotency-Key": key})
            except httpx.HTTPError as exc:
                self.answers[type(exc).__name__] += 1
                await asyncio.sleep(0.05)
                continue
            self.answers[str(r.status_code)] += 1
            if r.status_code == 201:
                self.acknowledged.append(r.json()["id"])
            else:
                self.refusals.append(r)
                await asyncio.sleep(0.05)

    async def run_while(self, fault: asyncio.Future[None] | asyncio.Task[None]) -> None:
        """Send load before, during and after the fault, until it is over."""
        async with httpx.AsyncClient(timeout=30) as http:
            clients = [asyncio.create_task(self._client(http)) for _ in range(self.clients)]
            try:
                await fault
                await asyncio.sleep(1.0)
            finally:
                self._stop.set()
                await asyncio.gather(*clients)
