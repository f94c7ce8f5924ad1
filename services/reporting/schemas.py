"""Response models of reporting's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class CaseRow(BaseModel):
    """One case in the register."""

    id: str
    region: str
    sector: str
    source: str
    status: str
    title: str
    district: str | None
    anonymous: bool
    registered_at: datetime
    registered_by: str | None
    version: int
    updated_at: datetime


class CasePage(BaseModel):
    """A page of the case register."""

    items: list[CaseRow]
    total: int
    limit: int
    offset: int


class HistoryEvent(BaseModel):
    """One event in a subject's cross-service timeline."""

    event_id: str
    stream_id: str
    stream_type: str
    topic: str
    version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, Any]
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    hash_ok: bool
    chain_verified: bool


class History(BaseModel):
    """A subject's whole history, and whether every chain in it verifies."""

    subject_id: str
    chain_verified: bool
    events: list[HistoryEvent]
