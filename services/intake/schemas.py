"""Request and response models of intake's HTTP API (separate from the events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events import IntakeSource, Region, Sector

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ReporterContact(BaseModel):
    """Who reported and how to reach them: PII, kept only in the vault."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True,
                                            pattern=r"^\+?[0-9 ()-]{5,30}$")] | None = None
    email: Annotated[Text, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: Annotated[Text, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _names_some_contact(self) -> Self:
        if not any((self.name, self.phone, self.email, self.address)):
            raise ValueError("a reporter contact needs at least one of name, phone, email, address")
        return self


class RegisterCaseRequest(BaseModel):
    """POST /v1/cases."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(max_length=200)]
    description: Annotated[Text, Field(max_length=10_000)]
    region: Region
    sector: Sector
    source: IntakeSource
    district: Annotated[Text, Field(max_length=120)] | None = None
    anonymous: bool = False
    reporter: ReporterContact | None = None

    @model_validator(mode="after")
    def _anonymous_has_no_reporter(self) -> Self:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report cannot name a reporter")
        return self


class CaseView(BaseModel):
    """A case as intake holds it now (or as of a moment)."""

    id: str
    version: int
    status: str
    title: str
    description: str
    region: Region
    sector: Sector
    source: IntakeSource
    district: str | None
    anonymous: bool
    has_reporter: bool
    registered_at: datetime
    registered_by: str | None
    updated_at: datetime
