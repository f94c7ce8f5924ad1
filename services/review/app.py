"""The review service's app."""

from __future__ import annotations

from fastapi import FastAPI

from events import REVIEW_TOPIC
from services.review.api import groups_router, reviews_router
from services.review.opener import OPENER
from services.runtime.http import create_service_app
from services.runtime.settings import Settings
from services.runtime.tlog.api import router as log_router

SERVICE = "review"


def create_app(settings: Settings | None = None) -> FastAPI:
    """review: monitoring groups, review tasks and verdicts; publishes casetrack.review.v1."""
    return create_service_app(SERVICE, routers=[reviews_router, groups_router, log_router],
                              topic=REVIEW_TOPIC, consumers=[OPENER],
                              description=__doc__ or "", settings=settings)
