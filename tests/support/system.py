"""The services as real processes, started, killed and restarted by tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.runtime.auth import issue_token
from services.runtime.catalog import service_processes

JWT_SECRET = "e2e-secret-0123456789-0123456789-0123456789"
# Limits on, but far above what the suite's bursts from one test principal need.
E2E_RATE_LIMITS = ('{"read": [5000, 10000], "write": [5000, 10000], "export": [500, 1000],'
                   ' "unauthenticated": [500, 1000]}')


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServiceProcess:
    """One service process: how to start it and where it logs."""

    name: str
    module: str
    ready_url: str | None
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    """What this process's environment adds to the system's (a replica's port)."""


@dataclass
class RunningSystem:
    """intake, reporting and reporting's projector against a test database and broker."""

    database_url: str
    bootstrap: str
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: int = 1
    """Processes of each service (replica r > 1 of intake is named intake-r, on its own port)."""
    services: tuple[str, ...] | None = None
    """Only these services' processes (None: all)."""

    def __post_init__(self) -> None:
        procs = [p for p in service_processes()
                 if self.services is None or p.service in self.services]
        self.ports = {p.service: free_port() for p in procs if p.api}
        self.urls = {service: f"http://127.0.0.1:{port}" for service, port in self.ports.items()}
        self.intake_url = self.urls["intake"]
        self.reporting_url = self.urls["reporting"]
        self.processes = {
            p.name: ServiceProcess(p.name, p.module,
                                   f"{self.urls[p.service]}/readyz" if p.api else None,
                                   self.log_dir / f"{p.name}.log")
            for p in procs
        }
        self.replica_urls = {service: [url] for service, url in self.urls.items()}
        for replica in range(2, self.replicas + 1):
            for p in procs:
                name = f"{p.name}-{replica}"
                port = free_port() if p.api else None
                url = f"http://127.0.0.1:{port}"
                if p.api:
                    self.replica_urls[p.service].append(url)
                self.processes[name] = ServiceProcess(
                    name, p.module, f"{url}/readyz" if p.api else None,
                    self.log_dir / f"{name}.log",
                    env={f"{p.service.upper()}_PORT": str(port)} if p.api else {})

    def env(self) -> dict[str, str]:
        """The environment every service process gets."""
        env = dict(os.environ)
        env.update({
            "CASETRACK_ENV": "test", "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "CASETRACK_JWT_SECRET": JWT_SECRET,
            "CASETRACK_VAULT_KEY": "e2e-vault-key-0123456789-0123456789-0123",
            "CASETRACK_PSEUDONYM_KEY": "e2e-pseudonym-key-0123456789-0123456789",
            "CASETRACK_LOG_JSON": "true",
            "CASETRACK_CONSUMER_STALL_SECONDS": "4",
            "CASETRACK_LOG_KEY_DIR": str(self.log_dir / "keys"),
            "CASETRACK_RATE_LIMITS": E2E_RATE_LIMITS,
        })
        env.update({f"{service.upper()}_PORT": str(port) for service, port in self.ports.items()})
        env.update({f"{service.upper()}_URL": url for service, url in self.urls.items()})
        env.update(self.extra_env)
        if self.replicas > 1:
            env["CASETRACK_REPLICAS"] = str(self.replicas)
        return env

    def start(self, name: str) -> None:
        """Start one service (appending to its log)."""
        proc = self.processes[name]
        log = proc.log_path.open("ab")
        proc.process = subprocess.Popen(
            [sys.executable, "-m", proc.module], env={**self.env(), **proc.env}, stdout=log,
            stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
        )
        log.close()

    def start_all(self, ready_within: float = 90.0) -> None:
        """Start every service and wait until all are ready."""
        for name in self.processes:
            self.start(name)
        self.wait_ready(ready_within)

    @contextmanager
    def running(self, ready_within: float = 90.0) -> Iterator[RunningSystem]:
        """Every service started and ready inside the block, all stopped after it (even failed)."""
        try:
            self.start_all(ready_within)
            yield self
        finally:
            self.stop_all()

    def signal(self, name: str, sig: signal.Signals) -> None:
        """Send a signal to one service."""
        proc = self.processes[name].process
        assert proc is not None
        proc.send_signal(sig)

    def kill(self, name: str) -> None:
        """kill -9 one service and reap it."""
        proc = self.processes[name].process
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)

    def stop_all(self) -> None:
        """Stop everything this system started."""
        for proc in self.processes.values():
            if proc.process is not None and proc.process.poll() is None:
                proc.process.terminate()
        for proc in self.processes.values():
            if proc.process is not None:
                try:
                    proc.process.wait(15)
                except subprocess.TimeoutExpired:
                    proc.process.kill()
                    proc.process.wait(5)

    def ready(self) -> dict[str, int]:
        """The readiness status code of each service with an HTTP face (0: unreachable)."""
        codes = {}
        for name, proc in self.processes.items():
            if proc.ready_url is None:
                continue
            try:
                codes[name] = httpx.get(proc.ready_url, timeout=2).status_code
            except httpx.HTTPError:
                codes[name] = 0
        return codes

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Block until every service answers ready, or fail with their logs' tails."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.process is not None and proc.process.poll() is not None:
                    raise AssertionError(f"{name} exited:\n{self.log_tail(name)}")
            if all(code == 200 for code in self.ready().values()):
                return
            time.sleep(0.2)
        raise AssertionError(f"not ready: {self.ready()}\n"
                             + "\n".join(self.log_tail(n) for n in self.processes))

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The end of a service's log."""
        path = self.processes[name].log_path
        text = path.read_text(errors="replace") if path.exists() else ""
        return f"--- {name}\n" + "\n".join(text.splitlines()[-lines:])

    def logs(self) -> str:
        """Everything every service logged."""
        return "\n".join(p.log_path.read_text(errors="replace") for p in self.processes.values()
                         if p.log_path.exists())


def token(role: str = "admin", regions: list[str] | None = None, sub: str = "tester",
          ttl: int = 3600, secret: str = JWT_SECRET) -> str:
    """A bearer token for the test system."""
    return issue_token(sub, role, regions if regions is not None else ["*"], secret=secret,
                       ttl_seconds=ttl)


def auth(role: str = "admin", regions: list[str] | None = None, sub: str = "tester") -> dict[str, str]:
    """Authorization headers for the test system."""
    return {"Authorization": f"Bearer {token(role, regions, sub)}"}
