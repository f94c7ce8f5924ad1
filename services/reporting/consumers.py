"""reporting's consumers: every topic into the read models."""

from __future__ import annotations

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC, REVIEW_TOPIC
from services.reporting.projections import project, project_batch
from services.runtime.consumer import Subscription

PROJECTOR = "reporting-projector"

SUBSCRIPTIONS = [
    Subscription(PROJECTOR, (INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC), project,
                 apply_batch=project_batch),
]
