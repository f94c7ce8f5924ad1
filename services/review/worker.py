"""Run review's opener: python -m services.review.worker."""

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC
from services.review.opener import OPENER, handler
from services.review.settings import opening_policy
from services.runtime.consumer import Subscription
from services.runtime.settings import Settings, get_settings
from services.runtime.worker import build_worker_app, run_worker


def subscriptions(settings: Settings) -> list[Subscription]:
    """The opener, under the opening policy its settings make."""
    return [Subscription(OPENER, (INTAKE_TOPIC, ASSIGNMENT_TOPIC),
                         handler(opening_policy(settings)))]


def main() -> None:
    """Start the worker that opens review tasks from intake and assignment events."""
    run_worker(build_worker_app("review", subscriptions(get_settings())))


if __name__ == "__main__":
    main()
