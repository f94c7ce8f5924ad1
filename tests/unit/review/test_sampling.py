"""Sampling: deterministic per case id, close to the configured rate, high/critical always."""

from __future__ import annotations

import uuid

import pytest

from events import RiskLevel
from services.review.domain.sampling import SamplingPolicy, sample_point

pytestmark = pytest.mark.unit

KEY = b"test-sample-key-0123456789abcdef"
IDS = [str(uuid.UUID(int=n * 7919 + 12345, version=4)) for n in range(20_000)]


def test_the_same_case_gets_the_same_answer_on_every_replay() -> None:
    first = [SamplingPolicy(0.2, KEY).sampled(case_id) for case_id in IDS[:2000]]
    again = [SamplingPolicy(0.2, KEY).sampled(case_id) for case_id in reversed(IDS[:2000])]
    assert first == list(reversed(again))


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_the_sampled_share_is_close_to_the_configured_rate_over_many_ids(rate: float) -> None:
    share = sum(SamplingPolicy(rate, KEY).sampled(case_id) for case_id in IDS) / len(IDS)
    assert abs(share - rate) < 0.015  # binomial sd at n=20,000 is at most 0.0036


def test_sample_points_are_spread_uniformly_over_the_unit_interval() -> None:
    buckets = [0] * 10
    for case_id in IDS:
        buckets[int(sample_point(KEY, case_id) * 10)] += 1
    assert all(abs(count - len(IDS) / 10) < len(IDS) / 10 * 0.1 for count in buckets)


@pytest.mark.parametrize("risk", [RiskLevel.HIGH, RiskLevel.CRITICAL])
def test_high_and_critical_cases_are_always_reviewed_even_at_rate_zero(risk: RiskLevel) -> None:
    policy = SamplingPolicy(0.0, KEY)
    assert all(policy.must_review(case_id, risk) for case_id in IDS[:1000])


@pytest.mark.parametrize("risk", [RiskLevel.LOW, RiskLevel.MEDIUM, None])
def test_lower_risk_cases_follow_the_sample(risk: RiskLevel | None) -> None:
    policy = SamplingPolicy(0.2, KEY)
    assert [policy.must_review(c, risk) for c in IDS[:1000]] == [policy.sampled(c)
                                                               for c in IDS[:1000]]
    assert not any(SamplingPolicy(0.0, KEY).must_review(c, risk) for c in IDS[:1000])
    assert all(SamplingPolicy(1.0, KEY).must_review(c, risk) for c in IDS[:1000])


def test_another_key_draws_another_sample() -> None:
    ours = {c for c in IDS[:5000] if SamplingPolicy(0.2, KEY).sampled(c)}
    theirs = {c for c in IDS[:5000] if SamplingPolicy(0.2, b"another-key-0123456789").sampled(c)}
    assert ours != theirs


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        SamplingPolicy(rate, KEY)
