"""Connection pools that act as the service's own, unprivileged database role."""

from __future__ import annotations

import hashlib
import os

import asyncpg
from asyncpg.pool import PoolConnectionProxy


def app_role(service: str) -> str:
    """The database role a service's application acts as."""
    return f"casetrack_{service}"


def database_url_for(service: str, default: str) -> str:
    """`<SERVICE>_DATABASE_URL` if set, else the shared DATABASE_URL."""
    return os.environ.get(f"{service.upper()}_DATABASE_URL") or default


def advisory_key(name: str) -> int:
    """A stable signed 64-bit Postgres advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def create_pool(
    url: str, service: str, *, min_size: int = 2, max_size: int = 10
) -> asyncpg.Pool:
    """A pool whose connections run as the service role, inside the service schema."""

    async def _init(conn: asyncpg.Connection) -> None:
        # Dropping to the service role even when logged in as a superuser keeps the
        # append-only grants in force for everything the application does.
        await conn.execute(f"SET ROLE {app_role(service)}")

    async def _reset(conn: asyncpg.Connection) -> None:
        # asyncpg's default reset sends a query (unlock all, close cursors, unlisten, reset
        # settings) on every release: a round trip per request. Our connections hold no cursors
        # or session settings between uses; the relay unlistens and unlocks what it takes.
        # An open transaction is still rolled back by asyncpg before this runs.
        return None

    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init,
        reset=_reset,
        server_settings={"search_path": service, "application_name": f"casetrack-{service}"},
    )
    assert pool is not None
    return pool


Conn = asyncpg.Connection | PoolConnectionProxy
"""A connection, whether held directly or borrowed from a pool."""
