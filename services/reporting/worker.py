"""Run reporting's projector: python -m services.reporting.worker."""

from services.reporting.consumers import SUBSCRIPTIONS
from services.runtime.worker import build_worker_app, run_worker


def main() -> None:
    """Start the faust worker that feeds reporting's read models."""
    run_worker(build_worker_app("reporting", SUBSCRIPTIONS))


if __name__ == "__main__":
    main()
