"""Rate limits per principal (per client address when unauthenticated) and route class.

Token buckets held in each replica's memory, each replica enforcing its share of the configured
budget (`CASETRACK_RATE_LIMITS` divided by `CASETRACK_REPLICAS`). Shared state in Postgres would
make every request, reads included, pay a round trip and a row update on a hot key; with the
balancer spreading a principal's requests over the replicas the shares add up to the budget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from services.runtime.problems import Problem

Clock = Callable[[], float]
UNAUTHENTICATED = "unauthenticated"
MAX_KEYS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass(frozen=True)
class Limit:
    """A sustained rate (requests per second) and a burst."""

    rate: float
    burst: float


class RateLimiter:
    """Token buckets keyed by (route class, caller)."""

    def __init__(self, limits: dict[str, Limit], clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def retry_after(self, route_class: str, caller: str) -> float:
        """Take one request from the caller's bucket: 0 if allowed, else seconds to wait."""
        limit = self.limits.get(route_class)
        if limit is None:
            return 0.0
        now = self.clock()
        key = (route_class, caller)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(limit.burst, now)
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.at) * limit.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / limit.rate

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes no answer."""
        for key, bucket in list(self._buckets.items()):
            limit = self.limits[key[0]]
            if bucket.tokens + (now - bucket.at) * limit.rate >= limit.burst:
                del self._buckets[key]

    def check(self, route_class: str, caller: str) -> None:
        """Refuse with 429 and Retry-After when the caller's bucket is empty."""
        wait = self.retry_after(route_class, caller)
        if wait > 0:
            raise Problem(429, "Too Many Requests",
                          f"the {route_class} rate limit is spent; retry after the delay",
                          headers={"Retry-After": str(max(1, math.ceil(wait)))})


def route_class(request: Request) -> str:
    """The class of a request for rate limits: export, write or read."""
    if request.scope["path"].startswith("/v1/exports/"):  # not request.url: it builds a URL
        return "export"
    return "read" if request.method in ("GET", "HEAD") else "write"


def limiter_of(request: Request) -> RateLimiter | None:
    """The app's limiter, if it has one."""
    limiter = getattr(request.app.state, "rate_limiter", None)
    return limiter if isinstance(limiter, RateLimiter) else None


def client_address(request: Request) -> str:
    """The peer address of an unauthenticated caller."""
    return request.client.host if request.client else "unknown"


def limits_from(configured: dict[str, tuple[float, float]], replicas: int) -> dict[str, Limit]:
    """Each replica's share of the configured budget."""
    share = max(1, replicas)
    return {name: Limit(rate / share, max(1.0, burst / share))
            for name, (rate, burst) in configured.items()}
