"""Payloads of the case stream (owned by intake)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events.envelope import HEX_SHA256_PATTERN
from events.registry import EventPayload, payload_type
from events.vocabulary import IntakeSource, Region, Sector

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
District = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class ReporterReference(BaseModel):
    """Pointer to a reporter's contact in intake's vault, never the contact itself.

    ``commitment`` is a salted SHA-256 of the vault ciphertext: the hash chain covers it, so
    crypto-shredding the vault entry leaves every event hash verifiable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    vault_ref: Annotated[str, Field(min_length=1, max_length=200)]
    commitment: Annotated[str, Field(pattern=HEX_SHA256_PATTERN)]


@payload_type("case.registered", 1)
class CaseRegistered(EventPayload):
    """A report of corruption risk was registered as a case.

    No field is PII: the reporter's identity and contact live only in intake's vault, and the
    event carries a ``ReporterReference`` to them. Anonymous reports carry no reporter at all.
    """

    title: Title
    description: Description
    region: Region
    sector: Sector
    source: IntakeSource
    district: District | None
    anonymous: bool
    reporter: ReporterReference | None

    @model_validator(mode="after")
    def _anonymous_reports_name_no_reporter(self) -> Self:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report cannot carry a reporter reference")
        return self
