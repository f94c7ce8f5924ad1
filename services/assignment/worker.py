"""Run assignment's planner: python -m services.assignment.worker."""

from services.assignment.consumers import SUBSCRIPTIONS
from services.runtime.worker import build_worker_app, run_worker


def main() -> None:
    """Start the worker that assigns intake's cases and directives."""
    run_worker(build_worker_app("assignment", SUBSCRIPTIONS))


if __name__ == "__main__":
    main()
