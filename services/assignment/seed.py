"""Load the demo roster through the API: python -m services.assignment.seed [--url URL].

Idempotent: offices and officers that already exist are left alone, so re-running creates
nothing new. Uses a dev admin token signed with CASETRACK_JWT_SECRET.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

import httpx

from services.runtime.auth import issue_token
from services.runtime.settings import get_settings


def demo_roster() -> dict[str, Any]:
    """The demo roster shipped in services/assignment/data/demo_roster.json."""
    text = resources.files("services.assignment").joinpath("data", "demo_roster.json")
    loaded: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return loaded


def _patiently(send: Callable[..., httpx.Response], url: str, **kwargs: Any) -> httpx.Response:
    """Send, and again after the wait a 429 names (the service's rate limit)."""
    response = send(url, **kwargs)
    while response.status_code == 429:
        time.sleep(float(response.headers.get("retry-after", "1")))
        response = send(url, **kwargs)
    return response


def seed(client: httpx.Client, roster: dict[str, Any]) -> tuple[int, int]:
    """Create what is missing; returns (created, already there)."""
    created = existing = 0
    for kind, items in (("offices", roster["offices"]), ("officers", roster["officers"])):
        for item in items:
            if _patiently(client.get, f"/v1/{kind}/{item['id']}").status_code == 200:
                existing += 1
                continue
            reply = _patiently(client.post, f"/v1/{kind}", json=item,
                               headers={"Idempotency-Key": f"seed-{kind}-{item['id']}"})
            if reply.status_code not in (200, 201):
                raise SystemExit(f"{kind} {item['id']}: {reply.status_code} {reply.text}")
            created += 1
    return created, existing


def main() -> None:
    """Seed the running assignment service."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=settings.url_of("assignment"))
    args = parser.parse_args()
    token = issue_token("dev-seed", "admin", ["*"], secret=settings.jwt_secret)
    with httpx.Client(base_url=args.url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        created, existing = seed(client, demo_roster())
    print(f"demo roster: {created} created, {existing} already there", file=sys.stderr)


if __name__ == "__main__":
    main()
