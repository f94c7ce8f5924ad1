"""assignment's own knobs, read once from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AssignmentSettings(BaseSettings):
    """Clock and scanner settings of the assignment service."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    clock_offset_days: int = Field(0, alias="CASETRACK_CLOCK_OFFSET_DAYS")
    """Moves 'today' for deadline scans (tests and drills only; 0 in production)."""
    scan_seconds: float = Field(5.0, alias="ASSIGNMENT_SCAN_SECONDS")
    """How often the escalation scanner looks at due dates."""
    scan_budget_seconds: float = Field(0.5, alias="ASSIGNMENT_SCAN_BUDGET_SECONDS")
    """The most one scan pass may take (holding assignment's write lock); the next resumes."""


@lru_cache(maxsize=1)
def get_assignment_settings() -> AssignmentSettings:
    """The process-wide assignment settings."""
    return AssignmentSettings()
