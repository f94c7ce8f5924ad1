"""The case page's verification badge: the chains, the owners' copies, and signed checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.console.upstream import ApiRefused, Upstream

AUDITORS = frozenset({"admin", "monitor", "supervisor", "analyst"})


@dataclass(frozen=True)
class Badge:
    """What is proven about a subject's history; None where it could not be asked."""

    chain: bool | None
    owners: bool | None
    checkpoint: bool | None

    @property
    def state(self) -> str:
        """`broken` if anything failed, `verified` if the chain and owners hold, else `partial`."""
        if False in (self.chain, self.owners, self.checkpoint):
            return "broken"
        return "verified" if self.chain and self.owners else "partial"


async def owners_verify(upstream: Upstream, token: str, role: str, kind: str, subject_id: str
                        ) -> bool | None:
    """reporting's re-verification against every owner's copy (auditor roles only)."""
    if role not in AUDITORS:
        return None
    try:
        body: dict[str, Any] = await upstream.get("reporting", f"/v1/{kind}s/{subject_id}/verify",
                                                  token)
    except ApiRefused as exc:
        if exc.status in (403, 404):
            return None
        raise
    return bool(body["verified"])


async def checkpoint_inclusion(upstream: Upstream, token: str, kind: str, subject_id: str
                               ) -> bool | None:
    """Whether every event is included in a signed checkpoint: None until that exists.

    The seam for issue 15 (signed Merkle checkpoints): once reporting serves a subject's bundle
    with inclusion proofs, ask it here and return whether every proof verifies.
    """
    return None
