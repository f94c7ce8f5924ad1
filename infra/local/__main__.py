"""`python -m infra.local run|init`: the whole system on one machine, or just topics + migrations."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from infra.local import var_dir
from infra.local.processes import (
    ChildExited,
    ProcessSpec,
    Supervisor,
    base_url,
    default_specs,
    log_tail,
    taken_ready_ports,
)

if TYPE_CHECKING:
    from infra.local.broker import TansuBroker
    from infra.local.postgres import EmbeddedPostgres

DATABASE = "casetrack"
INIT_WAIT = 90.0
REGISTER_BODY = (
    '{"title":"Bribe demanded for land plot registration","description":"...",'
    '"region":"KZ-75","sector":"land","source":"hotline","district":"Bostandyk"}'
)


def say(message: str) -> None:
    """One line of the orchestrator's own output."""
    print(f"[casetrack] {message}", flush=True)


async def prepare(database_url: str, bootstrap: str) -> None:
    """Create the contract's topics, then bring every service schema up to date."""
    from infra.migrate import migrate
    from services.runtime.topics import ensure_topics

    created = await ensure_topics(bootstrap)
    say(f"topics: created {', '.join(created)}" if created else "topics: all present")
    await migrate(database_url)
    say("migrations: up to date")


async def init() -> int:
    """The container's one-shot step: wait for the env-given servers, create topics, migrate."""
    import asyncpg

    from infra.local.broker import wait_for_kafka
    from services.runtime.settings import get_settings

    settings = get_settings()
    await wait_for_kafka(settings.kafka_bootstrap_servers, within=INIT_WAIT)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + INIT_WAIT
    while True:
        try:
            await (await asyncpg.connect(settings.database_url, timeout=5)).close()
            break
        except (OSError, asyncpg.PostgresError) as err:
            if loop.time() > deadline:
                raise RuntimeError(f"PostgreSQL did not answer in {INIT_WAIT:.0f}s") from err
            await asyncio.sleep(1)
    await prepare(settings.database_url, settings.kafka_bootstrap_servers)
    return 0


async def run(specs: list[ProcessSpec] | None = None) -> int:
    """Start Postgres and the broker unless given by env, prepare them, run and supervise."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    env = dict(os.environ)
    logs = var_dir() / "logs"
    specs = specs or default_specs(env)
    if taken := taken_ready_ports(specs):
        say(f"ports already in use: {', '.join(taken)}; stop what holds them or set *_PORT")
        return 1
    pg: EmbeddedPostgres | None = None
    broker: TansuBroker | None = None
    supervisor: Supervisor | None = None
    try:
        database_url = env.get("DATABASE_URL")
        if not database_url:
            pg = local_postgres(env)
            start_postgres(pg)
            database_url = pg.url(DATABASE)
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap and not stop.is_set():
            broker = local_broker(env)
            broker.start()
            say(f"broker: tansu (memory only) on {broker.bootstrap}")
            bootstrap = broker.bootstrap
        if stop.is_set() or not bootstrap:
            return 130
        await prepare(database_url, bootstrap)
        child_env = {
            **env,
            "DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "CASETRACK_ENV": env.get("CASETRACK_ENV", "dev"),
            "PYTHONUNBUFFERED": "1",
        }
        supervisor = Supervisor(specs, child_env, logs, say)
        supervisor.start_all()
        say(f"starting {', '.join(c.spec.name for c in supervisor.children)}; logs in {logs}")
        try:
            if not await supervisor.wait_ready(stop):
                return 130
        except ChildExited as err:
            say(f"{err}; last lines of {err.child.log_path}:\n{log_tail(err.child.log_path)}")
            return 1
        except TimeoutError as err:
            say(str(err))
            for child in supervisor.children:
                if not child.ready:
                    say(f"last lines of {child.log_path}:\n{log_tail(child.log_path)}")
            return 1
        print_banner(
            supervisor,
            child_env,
            pg.log_file if pg is not None else None,
            broker.log_file if broker is not None else None,
        )
        await supervisor.supervise(stop)
        return 0
    finally:
        if supervisor is not None:
            say("stopping services")
            supervisor.stop_all()
        if broker is not None:
            say("stopping broker")
            broker.stop()
        if pg is not None and pg.started:
            say("stopping postgres (data kept)")
            pg.stop()


def local_postgres(env: dict[str, str]) -> EmbeddedPostgres:
    """The embedded PostgreSQL of `make run`: port PG_PORT (default 55432), data in .var/pgdata."""
    from infra.local.postgres import DEFAULT_PORT, EmbeddedPostgres

    return EmbeddedPostgres(port=int(env.get("PG_PORT", DEFAULT_PORT)))


def start_postgres(pg: EmbeddedPostgres) -> None:
    """Start (or reuse) the server and make sure the casetrack database exists."""
    if pg.start():
        say(f"postgres: started on {pg.url()} (data in {pg.data_dir})")
    else:
        say(f"postgres: reusing the server already on {pg.url()}; it stays up on exit")
    pg.ensure_database(DATABASE)


def local_broker(env: dict[str, str]) -> TansuBroker:
    """The Tansu broker of `make run`: port BROKER_PORT (default 9092), memory only."""
    from infra.local.broker import DEFAULT_PORT, TansuBroker

    # Started from the main thread, so it dies with us even if we are killed with SIGKILL.
    return TansuBroker(int(env.get("BROKER_PORT", DEFAULT_PORT)), die_with_parent=True)


def print_banner(
    supervisor: Supervisor, env: dict[str, str], pg_log: Path | None, broker_log: Path | None
) -> None:
    """The table of what runs where, a dev admin token and curl examples."""
    rows = [("service", "URL", "docs", "log")]
    for child in supervisor.children:
        url = base_url(child.spec)
        page = "/login" if child.spec.name == "console" else "/docs"
        rows.append((child.spec.name, url or "-", f"{url}{page}" if url else "-", _rel(child.log_path)))
    rows.append(("postgres", env["DATABASE_URL"], "-", _rel(pg_log) if pg_log else "(external)"))
    rows.append(
        ("kafka", env["KAFKA_BOOTSTRAP_SERVERS"], "-", _rel(broker_log) if broker_log else "(external)")
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(("  " + "  ".join(cells)).rstrip())
    intake = next((base_url(c.spec) for c in supervisor.children if c.spec.name == "intake"), None)
    reporting = next((base_url(c.spec) for c in supervisor.children if c.spec.name == "reporting"), None)
    print()
    print(f"TOKEN={dev_token(env)}")
    print()
    print("# register a case at intake:")
    print(
        f"curl -s -X POST {intake or 'http://127.0.0.1:8001'}/v1/cases "
        '-H "Authorization: Bearer $TOKEN" '
        "-H 'Content-Type: application/json' "
        f"-d '{REGISTER_BODY}'"
    )
    print("# read it back from reporting:")
    print(f'curl -s {reporting or "http://127.0.0.1:8004"}/v1/cases -H "Authorization: Bearer $TOKEN"')
    console = next((base_url(c.spec) for c in supervisor.children if c.spec.name == "console"), None)
    if console:
        print(f"# the console: open {console}/login and paste $TOKEN (or one from `make token`)")
    print()
    say("running; Ctrl-C stops everything this started")


def dev_token(env: dict[str, str]) -> str:
    """A dev admin token for every region, from `python -m services.runtime.auth`."""
    argv = [sys.executable, "-m", "services.runtime.auth",
            "--sub", "dev-admin", "--role", "admin", "--regions", "*"]  # fmt: skip
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        return f"<failed: {' '.join(argv[1:])}: {result.stderr.strip()[-300:]}>"
    return result.stdout.strip()


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the whole system locally (make run)")
    commands.add_parser("init", help="create topics and migrate the env-given servers, then exit")
    args = parser.parse_args(argv)
    # Client libraries log every refused connection while servers come up; we report ourselves.
    for name in ("aiokafka", "kafka"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from infra.local.broker import BrokerError

    try:
        return asyncio.run(run() if args.command == "run" else init())
    except BrokerError as err:
        say(f"broker: {err}")
    except subprocess.CalledProcessError as err:  # initdb, pg_ctl or psql refused
        say(f"{' '.join(map(str, err.cmd))} failed ({err.returncode}):\n{err.stderr}{err.stdout}")
        say(f"see also {var_dir() / 'logs' / 'postgres.log'}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
