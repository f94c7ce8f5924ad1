"""Payloads of the survey_wave stream (owned by intake; stream id = wave id).

A wave's responses and their free text stay in intake's survey store; the log and every topic
carry only counts per cell (region, institution type, sector), never a row or a comment.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events.fields import Short
from events.registry import EventPayload, payload_type
from events.vocabulary import Region, Sector

WaveName = Short
Count = Annotated[int, Field(ge=0, le=10_000_000)]


class InstitutionType(StrEnum):
    """Where the surveyed students study (or work)."""

    UNIVERSITY = "university"
    COLLEGE = "college"
    SCHOOL = "school"
    OTHER = "other"


class SurveyAnswer(StrEnum):
    """What a respondent says of the sector asked about."""

    EXPERIENCED = "experienced"  # faced corruption themselves
    WITNESSED = "witnessed"  # saw it happen to others
    NONE = "none"


class SurveyCell(BaseModel):
    """How many responses of one wave fell into one (region, institution type, sector)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: Region
    institution_type: InstitutionType
    sector: Sector
    experienced: Count
    witnessed: Count
    none: Count


@payload_type("survey_wave.imported", 1)
class SurveyWaveImported(EventPayload):
    """A wave of anonymous responses was imported: its counts per cell, nothing row-level."""

    name: WaveName
    period_start: date
    period_end: date
    file_format: Annotated[str, StringConstraints(pattern=r"^(csv|xlsx)$")]
    responses: Count
    cells: Annotated[tuple[SurveyCell, ...], Field(max_length=10_000)]

    @model_validator(mode="after")
    def _consistent(self) -> SurveyWaveImported:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if sum(c.experienced + c.witnessed + c.none for c in self.cells) != self.responses:
            raise ValueError("responses is not the sum of the cells")
        return self
