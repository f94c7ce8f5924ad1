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


@dataclass(frozen=True)
class OwnersCheck:
    """What reporting's re-verification against the owners found; None where not asked."""

    owners: bool | None = None
    checkpoint: bool | None = None


async def owners_verify(upstream: Upstream, token: str, role: str, kind: str, subject_id: str
                        ) -> OwnersCheck:
    """reporting's re-verification against every owner's copy and signed checkpoints (auditor
    roles only): one call, since reporting proves each event against the owners' logs there."""
    if role not in AUDITORS:
        return OwnersCheck()
    try:
        body: dict[str, Any] = await upstream.get("reporting", f"/v1/{kind}s/{subject_id}/verify",
                                                  token)
    except ApiRefused as exc:
        if exc.status in (403, 404):
            return OwnersCheck()
        raise
    return OwnersCheck(bool(body["verified"]), checkpoint_inclusion(body["streams"]))


def checkpoint_inclusion(streams: list[dict[str, Any]]) -> bool | None:
    """Every stream's events proved in a signed checkpoint: False if one failed, None if some
    are not in a checkpoint yet."""
    marks = [s.get("in_checkpoint") for s in streams]
    if False in marks:
        return False
    return True if marks and all(m is True for m in marks) else None
