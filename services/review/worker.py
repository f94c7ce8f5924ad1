"""Run review's opener: python -m services.review.worker."""

from events import ASSIGNMENT_TOPIC, INTAKE_TOPIC
from services.review.opener import OPENER, handle
from services.runtime.consumer import Subscription
from services.runtime.worker import build_worker_app, run_worker

SUBSCRIPTIONS = [Subscription(OPENER, (INTAKE_TOPIC, ASSIGNMENT_TOPIC), handle)]


def main() -> None:
    """Start the worker that opens review tasks from intake and assignment events."""
    run_worker(build_worker_app("review", SUBSCRIPTIONS))


if __name__ == "__main__":
    main()
