"""reporting's consumers: every topic into the read models."""

from __future__ import annotations

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REVIEW_TOPIC
from services.reporting.projections import live_projector
from services.runtime.consumer import Subscription
from services.runtime.settings import Settings

PROJECTOR = "reporting-projector"


def subscriptions(settings: Settings) -> list[Subscription]:
    """The projector of the live read models, queueing analytics under the pseudonym key."""
    projector = live_projector(settings.pseudonym_key)
    return [Subscription(PROJECTOR, (INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC),
                         projector.project, apply_batch=projector.project_batch)]
