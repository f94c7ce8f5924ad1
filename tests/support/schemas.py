"""Throwaway schemas: read-model tables and rebuild shadows a test makes for itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass
class ThrowawaySchemas:
    """The schemas a test made; the integration `conn` fixture drops them after the test."""

    names: list[str] = field(default_factory=list)

    def new(self, prefix: str) -> str:
        """A fresh schema name beginning with the prefix, dropped after the test."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.names.append(name)
        return name
