"""Apply each service's migrations: its schema, its role, the shared templates, then its own."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from importlib import resources

import asyncpg

from services.runtime.db import app_role

MIGRATION_LOCK = 0x63617365  # "case": one migrator at a time across processes


@dataclass(frozen=True)
class ServiceSchema:
    """Which shared templates a service's schema is built from."""

    name: str
    templates: tuple[str, ...]


SERVICES: tuple[ServiceSchema, ...] = (
    ServiceSchema("intake", ("_event_store", "_consumer", "_tlog")),
    ServiceSchema("assignment", ("_event_store", "_consumer", "_tlog")),
    ServiceSchema("review", ("_event_store", "_consumer", "_tlog")),
    ServiceSchema("reporting", ("_consumer",)),
)


def _scripts(folder: str) -> list[tuple[str, str]]:
    base = resources.files("infra").joinpath("migrations", folder)
    if not base.is_dir():
        return []
    entries = sorted((e.name, e.read_text("utf-8")) for e in base.iterdir() if e.name.endswith(".sql"))
    return entries


async def migrate_service(conn: asyncpg.Connection, service: ServiceSchema) -> list[str]:
    """Apply what is not yet applied for one service; returns the names applied."""
    role = app_role(service.name)
    schema = service.name
    await conn.execute(
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
            END IF; END $$;"""
    )
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    # Lets a login user that is not a superuser (e.g. on a managed server) SET ROLE to it.
    await conn.execute(f"GRANT {role} TO CURRENT_USER")
    await conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"""
    )
    done = {r["name"] for r in await conn.fetch(f"SELECT name FROM {schema}.schema_migrations")}
    applied: list[str] = []
    for folder in (*service.templates, service.name):
        for filename, sql in _scripts(folder):
            name = f"{folder}/{filename}"
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql.replace("{schema}", schema).replace("{role}", role))
                await conn.execute(
                    f"INSERT INTO {schema}.schema_migrations (name) VALUES ($1)", name
                )
            applied.append(name)
    return applied


async def migrate(database_url: str, services: tuple[ServiceSchema, ...] = SERVICES) -> None:
    """Bring every service schema up to date; safe to run concurrently and repeatedly."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        try:
            for service in services:
                await migrate_service(conn, service)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    finally:
        await conn.close()


if __name__ == "__main__":
    from services.runtime.settings import get_settings

    asyncio.run(migrate(sys.argv[1] if len(sys.argv) > 1 else get_settings().database_url))
