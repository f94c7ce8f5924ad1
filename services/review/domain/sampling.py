"""Which resolved cases are reviewed: high and critical always, the others by a keyed sample."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from events import RiskLevel

ALWAYS_REVIEWED = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})
_SCALE = 2**64


def sample_point(key: bytes, case_id: str) -> float:
    """A point in [0, 1) fixed by the key and the case id: HMAC-SHA256, first 64 bits."""
    digest = hmac.new(key, case_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


@dataclass(frozen=True)
class SamplingPolicy:
    """The sampling rate and key; the same case gets the same answer on every replay."""

    rate: float
    key: bytes

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"sampling rate must be within [0, 1], got {self.rate}")
        if not self.key:
            raise ValueError("sampling key must not be empty")

    def sampled(self, case_id: str) -> bool:
        """Whether a lower-risk case falls into the sample."""
        return sample_point(self.key, case_id) < self.rate

    def must_review(self, case_id: str, risk: RiskLevel | None) -> bool:
        """Whether a resolved case is reviewed: always for high/critical, else by the sample."""
        return risk in ALWAYS_REVIEWED or self.sampled(case_id)
