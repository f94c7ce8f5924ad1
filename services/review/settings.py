"""review's own configuration: the sampling rate and key, and how long a review may take."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from events.calendar import kazakhstan_calendar
from services.review.domain.opening import OpeningPolicy
from services.review.domain.sampling import SamplingPolicy
from services.runtime.settings import Settings


class ReviewSettings(BaseSettings):
    """`CASETRACK_REVIEW_*`; the sample key falls back to the pseudonym key."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    sample_rate: float = Field(0.2, ge=0.0, le=1.0, alias="CASETRACK_REVIEW_SAMPLE_RATE")
    sample_key: str | None = Field(None, min_length=16, alias="CASETRACK_REVIEW_SAMPLE_KEY")
    due_working_days: int = Field(10, ge=1, le=60, alias="CASETRACK_REVIEW_DUE_WORKING_DAYS")


def opening_policy(settings: Settings) -> OpeningPolicy:
    """The opening policy: review's own settings, the sample key falling back to the pseudonym key."""
    review = ReviewSettings()
    key = review.sample_key or settings.pseudonym_key
    return OpeningPolicy(
        sampling=SamplingPolicy(rate=review.sample_rate, key=key.encode()),
        calendar=kazakhstan_calendar(),
        due_working_days=review.due_working_days,
    )
