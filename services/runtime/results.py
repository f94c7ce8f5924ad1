"""What a command handler returns: the domain's answer, never an HTTP status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Written:
    """A command that took effect: the subject as it reads now, and whether the command made it."""

    view: dict[str, Any]
    created: bool = False


def http_status(written: Written) -> int:
    """201 for a subject the command created, 200 for one it changed (the one place this is said)."""
    return 201 if written.created else 200
