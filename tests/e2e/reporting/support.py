"""Helpers for reporting's e2e tests: writing through intake, waiting for the read side."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually


def case_body(region: str = "KZ-75", **overrides: Any) -> dict[str, Any]:
    """A registration with a unique title."""
    return {"title": f"Land plot bribe {uuid.uuid4().hex[:8]}",
            "description": "An official asked for money to register a plot.",
            "region": region, "sector": "land", "source": "hotline",
            "district": "Bostandyk", **overrides}


def directive_body(region: str = "KZ-75") -> dict[str, Any]:
    """A directive issued with a unique addressee."""
    return {"title": "Publish allocation lists", "text": "Publish them monthly.",
            "issuing_authority": "Agency", "addressee_body": f"Akimat {uuid.uuid4().hex[:6]}",
            "region": region, "due_date": "2026-12-31"}


async def post(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST as an admin and return the created resource."""
    response = await client.post(url, json=body, headers=auth())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created




async def projected(client: httpx.AsyncClient, system: RunningSystem, kind: str,
                    subject_id: str) -> dict[str, Any]:
    """The subject's history once reporting has it."""
    async def probe() -> dict[str, Any] | None:
        response = await client.get(f"{system.reporting_url}/v1/{kind}/{subject_id}/history",
                                    headers=auth())
        return response.json() if response.status_code == 200 else None

    found: dict[str, Any] = await eventually(probe)
    return found


async def at_rest(client: httpx.AsyncClient, system: RunningSystem, kind: str, subject_id: str,
                  quiet: float = 2.0, within: float = 60.0) -> None:
    """Wait until every service is done reacting to a subject: its history (the events of every
    service about it) has not changed for `quiet` seconds."""
    seen, since = -1, time.monotonic()
    deadline = since + within
    while time.monotonic() < deadline:
        history = await projected(client, system, kind, subject_id)
        count = len(history["events"])
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{kind} {subject_id} kept changing")
