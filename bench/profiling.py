"""Where a service spends its CPU under load: py-spy samples, folded into the top costs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

TOP = 15
IDLE = ("EpollSelector.select ", "Condition.wait ", "select ", "Event.wait ")
"""Leaf frames where a thread waits rather than works."""
OURS = re.compile(r"\((services|events|bench)/")
"""Frames of casetrack's own code (py-spy prints paths relative to the working directory)."""
RECORD_ARGS = ("record", "--rate", "200", "--format", "raw", "--nonblocking")


def py_spy() -> str | None:
    """The py-spy executable beside this interpreter or on PATH, if installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Begin sampling `pid` for `seconds` into a collapsed-stacks file; None without py-spy."""
    exe = py_spy()
    if exe is None:
        return None
    return subprocess.Popen([exe, *RECORD_ARGS, "--pid", str(pid), "--duration", str(int(seconds)),
                             "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarize(folded: Path) -> dict[str, Any]:
    """Busy samples (idle waits left out): top frames by own time, and our code's inclusive time."""
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = idle = 0
    for line in folded.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        if any(frames[-1].startswith(w) for w in IDLE):
            idle += n
            continue
        own[_short(frames[-1])] += n
        for frame in {_short(f) for f in frames if OURS.search(f)}:
            ours[frame] += n
    busy = total - idle
    if not busy:
        return {"samples": total, "busy_samples": 0}

    def top(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"frame": f, "percent_of_busy": round(n / busy * 100, 1)}
                for f, n in counter.most_common(TOP)]

    return {"samples": total, "busy_samples": busy, "top_self": top(own),
            "top_inclusive_ours": top(ours)}


def _short(frame: str) -> str:
    """`func (path/to/module.py:12)` -> `func (to/module.py)`, so lines of one function add up."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(path).parts
    tail = "/".join(parts[-2:]) if parts else path
    return f"{name} ({tail})"
