"""The service processes of the local stack: start, wait until ready, restart on death, stop."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.local import repo_root

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
MAX_BACKOFF = 30.0
STABLE_AFTER = 60.0  # a child up this long has its restart backoff reset
_PR_SET_PDEATHSIG = 1
START_MARKER = "--- starting "  # first line written to a log file before each start


@dataclass(frozen=True)
class ProcessSpec:
    """One process of the stack: its name, command line and readiness URL (None: no HTTP)."""

    name: str
    argv: list[str]
    ready_url: str | None
    env: Mapping[str, str] = field(default_factory=dict)
    """What this process's environment adds to the stack's (a replica's ports)."""


REPLICA_PORT_STEP = 10
"""Replica r of a service's API listens on its port + 10*r (intake: 8001, 8011, ...)."""
WORKER_METRICS_OFFSET = 100
"""A worker's /metrics port: its service's port + 100 (+ 10*r), e.g. intake-worker on 8101."""


def default_specs(env: Mapping[str, str] | None = None) -> list[ProcessSpec]:
    """The process table of `make run`: every service's API and worker, CASETRACK_REPLICAS of
    each (default 1); ports from <SERVICE>_PORT."""
    from services.runtime.catalog import service_processes
    from services.runtime.settings import SERVICE_PORTS

    env = os.environ if env is None else env
    replicas = max(int(env.get("CASETRACK_REPLICAS", "1") or 1), 1)
    specs = []
    for replica in range(replicas):
        for proc in service_processes():
            base = int(env.get(f"{proc.service.upper()}_PORT", str(SERVICE_PORTS[proc.service])))
            port = base + REPLICA_PORT_STEP * replica
            name = proc.name if replica == 0 else f"{proc.name}-{replica + 1}"
            argv = [sys.executable, "-m", proc.module]
            if proc.api:
                specs.append(ProcessSpec(name, argv, f"http://127.0.0.1:{port}/readyz",
                                         {f"{proc.service.upper()}_PORT": str(port)}))
            else:
                specs.append(ProcessSpec(name, argv, None, {
                    "CASETRACK_METRICS_PORT": str(port + WORKER_METRICS_OFFSET)}))
    return specs


def base_url(spec: ProcessSpec) -> str | None:
    """The service's base URL, derived from its readiness URL."""
    if spec.ready_url is None:
        return None
    return spec.ready_url.rsplit("/", 1)[0]


def taken_ready_ports(specs: list[ProcessSpec]) -> list[str]:
    """Ready URLs whose port already accepts connections: another server would answer for us."""
    taken = []
    for spec in specs:
        if spec.ready_url is None:
            continue
        url = httpx.URL(spec.ready_url)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((url.host, url.port or 80)) == 0:
                taken.append(f"{spec.name} ({url.host}:{url.port})")
    return taken


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file's latest run (after its last start marker); '' if none."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 64 * 1024))
            data = f.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", "replace")
    latest = text[text.rfind(START_MARKER) :] if START_MARKER in text else text
    return "\n".join(latest.splitlines()[-lines:])


def parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when the thread that started it ends."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: nothing to load in the child

    def _set() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return _set


class ChildExited(RuntimeError):
    """A child process exited while the stack was starting."""

    def __init__(self, child: Child) -> None:
        self.child = child
        super().__init__(f"{child.spec.name} exited with code {child.returncode()}")


class Child:
    """One running instance of a ProcessSpec, logging to `<log_dir>/<name>.log`."""

    def __init__(self, spec: ProcessSpec, env: Mapping[str, str], log_dir: Path) -> None:
        self.spec = spec
        self.env = {**env, **spec.env}
        self.log_path = log_dir / f"{spec.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.failures = 0  # consecutive quick deaths, for the backoff
        self.restart_at: float | None = None
        self.ready = spec.ready_url is None

    def start(self) -> None:
        """Spawn the process in its own session, output appended to its log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"{START_MARKER}{self.spec.argv} at {time.strftime('%FT%T%z')}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=repo_root(),
                start_new_session=True,  # Ctrl-C reaches the orchestrator, which stops us in order
                preexec_fn=parent_death_signal(),
            )
        self.started_at = time.monotonic()
        self.restart_at = None
        self.ready = self.spec.ready_url is None

    def returncode(self) -> int | None:
        """The exit code once the process has exited, else None."""
        return self.proc.poll() if self.proc else None

    def signal(self, signum: int) -> None:
        """Signal the child's whole process group (it leads its own session)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)


class Supervisor:
    """Starts the children, waits until they are ready, restarts those that die, stops them."""

    def __init__(
        self,
        specs: list[ProcessSpec],
        env: Mapping[str, str],
        log_dir: Path,
        say: Callable[[str], None] = print,
    ) -> None:
        self.children = [Child(spec, env, log_dir) for spec in specs]
        self.say = say

    def start_all(self) -> None:
        """Spawn every child."""
        for child in self.children:
            child.start()

    async def wait_ready(self, stop: asyncio.Event, within: float = READY_TIMEOUT) -> bool:
        """Wait until every ready URL answers 200; False if asked to stop first.

        Raises ChildExited if a child dies meanwhile and TimeoutError naming the laggards.
        """
        deadline = time.monotonic() + within
        next_report = time.monotonic() + 5.0
        async with httpx.AsyncClient(timeout=2.0) as http:
            while not stop.is_set():
                for child in self.children:
                    if child.returncode() is not None:
                        raise ChildExited(child)
                    if not child.ready:
                        child.ready = await _answers_200(http, child.spec.ready_url)
                waiting = [c.spec.name for c in self.children if not c.ready]
                if not waiting:
                    return True
                now = time.monotonic()
                if now > deadline:
                    raise TimeoutError(f"not ready after {within:.0f}s: {', '.join(waiting)}")
                if now >= next_report:
                    self.say(f"still waiting for {', '.join(waiting)} ({now - deadline + within:.0f}s)")
                    next_report = now + 5.0
                await _sleep_or_stop(stop, 0.25)
        return False

    async def supervise(self, stop: asyncio.Event) -> None:
        """Until asked to stop: restart dead children with bounded backoff, report recoveries."""
        async with httpx.AsyncClient(timeout=2.0) as http:
            while not stop.is_set():
                now = time.monotonic()
                for child in self.children:
                    code = child.returncode()
                    if code is not None and child.restart_at is None:
                        self._schedule_restart(child, code, now)
                    elif child.restart_at is not None and now >= child.restart_at:
                        child.start()
                        self.say(f"{child.spec.name} restarted (pid {child.proc and child.proc.pid})")
                    elif code is None and not child.ready and await _answers_200(http, child.spec.ready_url):
                        child.ready = True
                        self.say(f"{child.spec.name} is ready again")
                await _sleep_or_stop(stop, 0.5)

    def _schedule_restart(self, child: Child, code: int, now: float) -> None:
        uptime = now - child.started_at
        child.failures = 0 if uptime > STABLE_AFTER else child.failures + 1
        delay = min(MAX_BACKOFF, 2.0 ** max(0, child.failures - 1))
        child.restart_at = now + delay
        child.ready = child.spec.ready_url is None
        self.say(
            f"{child.spec.name} exited with code {code} after {uptime:.1f}s; "
            f"restarting in {delay:.0f}s. Last lines of {child.log_path}:\n"
            + _indent(log_tail(child.log_path, 15))
        )

    def stop_all(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM every child, wait up to `timeout` seconds, then SIGKILL what is left."""
        for child in self.children:
            child.restart_at = None
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(c.returncode() is None for c in self.children):
            time.sleep(0.1)
        for child in self.children:
            if child.returncode() is None:
                self.say(f"{child.spec.name} did not stop in {timeout:.0f}s; killing it")
                child.signal(signal.SIGKILL)
            if child.proc is not None:
                child.proc.wait()


async def _answers_200(http: httpx.AsyncClient, url: str | None) -> bool:
    if url is None:
        return True
    try:
        return (await http.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):  # not wait_for: 3.11's can drop a cancel
            await stop.wait()


def _indent(text: str) -> str:
    return "\n".join(f"    | {line}" for line in text.splitlines()) or "    | (empty log)"
