"""Run intake's reactor: python -m services.intake.worker."""

from services.intake.consumers import SUBSCRIPTIONS
from services.runtime.worker import build_worker_app, run_worker


def main() -> None:
    """Start the worker that applies assignment and review events to intake's streams."""
    run_worker(build_worker_app("intake", SUBSCRIPTIONS))


if __name__ == "__main__":
    main()
