"""CPU load for reliability tests: busy processes that start and stop with a `with` block."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

BURN = "while True: pass"


@contextlib.contextmanager
def cpu_load(processes: int = 2) -> Iterator[None]:
    """Keep `processes` cores busy for the duration of the block, then stop what was started."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(processes)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait(10)
