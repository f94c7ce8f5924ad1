"""Session fixtures every integration and e2e test stands on: a fresh database and a real broker.

Each comes from the first of: an env var naming an existing server, a testcontainers container
when a Docker daemon answers, or the embedded servers from the repo (EmbeddedPostgres, Tansu).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import secrets
import shutil
import tempfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.support.system import free_port

if TYPE_CHECKING:
    from infra.local.broker import TansuBroker

T = TypeVar("T")


class Broker(Protocol):
    """What tests may do with the session's broker."""

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers for clients."""
        ...

    @property
    def supports_restart(self) -> bool:
        """Whether restart() can really restart this broker."""
        ...

    def restart(self) -> None:
        """Restart the broker on the same address; skips the test where that is impossible."""
        ...


class ExternalBroker:
    """A broker given by CASETRACK_TEST_KAFKA_BOOTSTRAP: used as is, never restarted."""

    supports_restart = False

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    def restart(self) -> None:
        """Restarting a server we do not own is not allowed: the calling test is skipped."""
        pytest.skip(f"broker restart is not supported for the external broker {self.bootstrap}")


class LocalBroker:
    """The embedded Tansu broker (memory only: a restart forgets topics, records and offsets)."""

    supports_restart = True

    def __init__(self, tansu: TansuBroker) -> None:
        self._tansu = tansu

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers for clients."""
        return self._tansu.bootstrap

    def restart(self) -> None:
        """SIGTERM the broker and start an empty one on the same port."""
        self._tansu.restart()


class ContainerBroker:
    """A testcontainers Kafka; a restart keeps its data, as a real broker's restart does."""

    supports_restart = True

    def __init__(self, container: Any) -> None:
        self._container = container
        self.bootstrap = str(container.get_bootstrap_server())

    def restart(self) -> None:
        """Restart the container (same host port) and wait until it answers Metadata."""
        from infra.local.broker import wait_for_kafka

        self._container.get_wrapped_container().restart(timeout=10)
        run_async(wait_for_kafka(self.bootstrap, within=120.0))


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a private loop in another thread, from sync code."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@functools.cache
def docker_available() -> bool:
    """Whether a Docker daemon answers (testcontainers needs one)."""
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        return False
    try:
        import docker  # type: ignore[import-untyped]  # no stubs in the dev extra

        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure to reach the daemon means: no Docker
        return False


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL on a PostgreSQL server for the session, with the right to create databases."""
    if url := os.environ.get("CASETRACK_TEST_DATABASE_URL"):
        yield url
    elif docker_available():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as container:
            yield str(container.get_connection_url())
    else:
        from infra.local.postgres import EmbeddedPostgres

        # Not under pytest's tmp root: another pytest session on the machine chmods that root to
        # 0700 (locking out the unprivileged postgres user) and prunes old session folders.
        root = Path(tempfile.mkdtemp(prefix="casetrack-test-pg-"))
        server = EmbeddedPostgres(root / "pgdata", free_port(), log_file=root / "postgres.log")
        server.start()
        try:
            yield server.url("postgres")
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(server_url: str, label: str) -> Iterator[str]:
    """A database created on the server for this test session, dropped at the end."""
    name = f"casetrack_{label}_{secrets.token_hex(4)}"
    run_async(_execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        run_async(_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A database created for this test session (casetrack_test_<random>), dropped at the end."""
    with fresh_database(postgres_server_url, "test") as url:
        yield url


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """The session's Kafka-protocol broker."""
    if bootstrap := os.environ.get("CASETRACK_TEST_KAFKA_BOOTSTRAP"):
        yield ExternalBroker(bootstrap)
    elif docker_available():
        from testcontainers.community.kafka import KafkaContainer

        # A fixed host port: the advertised listener is baked in at first start, so a restart
        # must get the same port back.
        container = KafkaContainer().with_kraft().with_bind_ports(9093, free_port())
        with container:
            yield ContainerBroker(container)
    else:
        from infra.local.broker import TansuBroker

        log_file = tmp_path_factory.mktemp("tansu") / "tansu.log"
        tansu = TansuBroker(free_port(), log_file=log_file)
        tansu.start()
        try:
            yield LocalBroker(tansu)
        finally:
            tansu.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(broker: Broker) -> str:
    """Bootstrap servers of the session's broker."""
    return broker.bootstrap


@pytest.fixture(scope="session", autouse=True)
def log_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Log signing keys generated by apps under test go to a temporary folder, not `.var/keys`."""
    folder = tmp_path_factory.mktemp("log-keys")
    previous = os.environ.get("CASETRACK_LOG_KEY_DIR")
    os.environ["CASETRACK_LOG_KEY_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("CASETRACK_LOG_KEY_DIR", None)
    else:
        os.environ["CASETRACK_LOG_KEY_DIR"] = previous
