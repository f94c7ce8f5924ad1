"""Samplers that run beside a measurement in a thread of the bench process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def running(target: Callable[[threading.Event], None]) -> Iterator[None]:
    """Run `target(stop)` in a daemon thread for the block; then set `stop` and join it."""
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
