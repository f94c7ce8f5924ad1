"""Token buckets: a burst, then the sustained rate, then 429 with how long to wait."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from services.runtime.problems import Problem
from services.runtime.ratelimit import Limit, RateLimiter, limits_from, route_class

pytestmark = pytest.mark.unit


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_gets_its_burst_then_waits_for_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"write": Limit(rate=2.0, burst=3.0)}, clock)
    assert [limiter.retry_after("write", "op-1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.retry_after("write", "op-1") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.retry_after("write", "op-1") == 0.0


def test_callers_and_route_classes_have_their_own_buckets() -> None:
    limiter = RateLimiter({"write": Limit(1.0, 1.0), "read": Limit(1.0, 1.0)}, FakeClock())
    assert limiter.retry_after("write", "op-1") == 0.0
    assert limiter.retry_after("write", "op-1") > 0
    assert limiter.retry_after("write", "op-2") == 0.0
    assert limiter.retry_after("read", "op-1") == 0.0
    assert limiter.retry_after("export", "op-1") == 0.0  # a class without a limit is not limited


def test_a_spent_budget_is_refused_with_429_and_a_whole_number_of_seconds_to_wait() -> None:
    limiter = RateLimiter({"read": Limit(0.25, 1.0)}, FakeClock())
    limiter.check("read", "op-1")
    with pytest.raises(Problem) as refused:
        limiter.check("read", "op-1")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "4"


def test_each_replica_enforces_its_share_of_the_budget() -> None:
    assert limits_from({"read": (100.0, 200.0)}, replicas=4) == {"read": Limit(25.0, 50.0)}


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/v1/exports/cases.csv", "export"), ("POST", "/v1/exports/cases", "export"),
    ("GET", "/v1/cases/c-1", "read"), ("HEAD", "/v1/cases", "read"),
    ("POST", "/v1/cases", "write"), ("PATCH", "/v1/cases/c-1", "write"),
])
def test_a_request_is_limited_by_its_route_class(method: str, path: str, expected: str) -> None:
    """Exports have their own budget, whatever the method; reads and writes theirs."""
    request = Request({"type": "http", "method": method, "path": path, "headers": [],
                       "query_string": b""})
    assert route_class(request) == expected
