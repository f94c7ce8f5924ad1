"""The stack a run measures: its own Postgres and broker on free ports, migrated, and the services.

Built from the same parts as `make run` (EmbeddedPostgres, TansuBroker, ensure_topics, migrate) and
the e2e suite's RunningSystem (every service of the catalog as a real process), all on 127.0.0.1
in a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench.threads import running
from infra.local.broker import TansuBroker
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import migrate
from services.runtime.topics import ensure_topics
from tests.support.system import RunningSystem, free_port

DATABASE = "casetrack"
MB = 1_000_000


@dataclass
class Stack:
    """Where everything of a run lives."""

    database_url: str
    bootstrap: str
    workdir: Path
    system: RunningSystem
    servers: dict[str, int]
    """Process ids of the Postgres postmaster and the broker."""

    async def value(self, sql: str, *args: object) -> Any:
        """One value from the database, as the superuser."""
        conn = await asyncpg.connect(self.database_url)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


@contextmanager
def local_stack(services: Collection[str] = (), keep: bool = False) -> Iterator[Stack]:
    """Start Postgres and the broker, prepare them, start the services (all by default); stop all."""
    workdir = Path(tempfile.mkdtemp(prefix="casetrack-bench-"))
    pg = EmbeddedPostgres(workdir / "pgdata", free_port(), log_file=workdir / "postgres.log")
    broker = TansuBroker(free_port(), log_file=workdir / "tansu.log")
    system: RunningSystem | None = None
    try:
        pg.start()
        pg.ensure_database(DATABASE)
        broker.start()
        url = pg.url(DATABASE)
        asyncio.run(_prepare(url, broker.bootstrap))
        system = RunningSystem(url, broker.bootstrap, workdir / "logs")
        system.log_dir.mkdir()
        if services:
            system.processes = {name: proc for name, proc in system.processes.items()
                                if name.removesuffix("-worker") in services}
        system.start_all()
        servers = {"postgres": int((pg.data_dir / "postmaster.pid").read_text().split()[0]),
                   "broker": broker.pid or 0}
        yield Stack(url, broker.bootstrap, workdir, system, servers)
    finally:
        if system is not None:
            system.stop_all()
        broker.stop()
        pg.stop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def stop(stack: Stack, name: str) -> None:
    """SIGTERM one service and wait for it to exit."""
    proc = stack.system.processes[name].process
    if proc is None or proc.poll() is not None:
        return
    stack.system.signal(name, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        stack.system.kill(name)


async def _prepare(database_url: str, bootstrap: str) -> None:
    await ensure_topics(bootstrap)
    await migrate(database_url)


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


@dataclass
class Monitor:
    """Resident memory (peak per service) and CPU use (per process, per phase) while in use."""

    stack: Stack
    interval: float = 0.5
    peaks: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)
    """Other processes to watch, such as the simplest write endpoint."""

    def pids(self) -> dict[str, int]:
        """The running services, Postgres (postmaster and backends) and the broker."""
        found = {name: p.process.pid for name, p in self.stack.system.processes.items()
                 if p.process is not None and p.process.poll() is None}
        return {**found, **self.stack.servers, **self.extra}

    def rss(self) -> dict[str, float]:
        """Resident memory of each running service (with any children), in MB (10^6 bytes)."""
        sizes = {}
        for name, pid in self.pids().items():
            if name in self.stack.servers or name in self.extra:
                continue
            with contextlib.suppress(psutil.Error):
                sizes[name] = round(sum(p.memory_info().rss for p in _tree(pid)) / MB, 1)
        return sizes

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) each process tree has used so far."""
        used = {}
        for name, pid in self.pids().items():
            with contextlib.suppress(psutil.Error):
                used[name] = sum(sum(p.cpu_times()[:2]) for p in _tree(pid))
        return used

    def _sample(self) -> None:
        for name, mb in self.rss().items():
            self.peaks[name] = max(mb, self.peaks.get(name, 0.0))

    @contextmanager
    def watching(self, phase: str) -> Iterator[None]:
        """Sample RSS until the block ends; record each process's CPU use (% of one core)."""

        def loop(stop: threading.Event) -> None:
            while not stop.wait(self.interval):
                self._sample()

        before, started = self.cpu_seconds(), time.monotonic()
        try:
            with running(loop):
                yield
        finally:
            self._sample()
            wall, after = time.monotonic() - started, self.cpu_seconds()
            self.cpu[phase] = {name: round((after[name] - before.get(name, 0.0)) / wall * 100, 1)
                               for name in after}
