"""Idempotency keys: the same key and body give the first response; another body is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.runtime.db import Conn

ABANDONED_AFTER_SECONDS = 60


@dataclass(frozen=True)
class IdempotencyClaim:
    """A request that holds an idempotency key while it runs."""

    principal: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class StoredResponse:
    """The response first given for a key."""

    status: int
    body: dict[str, Any]


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request."""


class IdempotencyKeyInFlight(Exception):
    """A request with this key is still running."""


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of what identifies a request for idempotency purposes."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def claim(
    pool: asyncpg.Pool, schema: str, claim_: IdempotencyClaim
) -> StoredResponse | None:
    """Take the key for this request, or return the stored response of an earlier one."""
    async with pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            f"""INSERT INTO {schema}.idempotency_keys (principal, key, request_hash, state)
                VALUES ($1, $2, $3, 'running')
                ON CONFLICT (principal, key) DO NOTHING RETURNING 1""",
            claim_.principal, claim_.key, claim_.request_hash,
        )
        if inserted:
            return None
        row = await conn.fetchrow(
            f"""SELECT request_hash, state, response_status, response_body,
                       now() - started_at > make_interval(secs => $3) AS abandoned
                FROM {schema}.idempotency_keys WHERE principal = $1 AND key = $2 FOR UPDATE""",
            claim_.principal, claim_.key, ABANDONED_AFTER_SECONDS,
        )
        assert row is not None
        if row["request_hash"] != claim_.request_hash:
            raise IdempotencyKeyReused(claim_.key)
        if row["state"] == "done":
            return StoredResponse(row["response_status"], json.loads(row["response_body"]))
        if not row["abandoned"]:
            raise IdempotencyKeyInFlight(claim_.key)
        # A crashed request left the key running: this one takes it over.
        await conn.execute(
            f"UPDATE {schema}.idempotency_keys SET started_at = now()"
            " WHERE principal = $1 AND key = $2",
            claim_.principal, claim_.key,
        )
        return None


async def complete_claim(
    conn: Conn, schema: str, claim_: IdempotencyClaim, status: int,
    body: dict[str, Any],
) -> None:
    """Store the response in the same transaction as the events it reports."""
    await conn.execute(
        f"""UPDATE {schema}.idempotency_keys
            SET state = 'done', response_status = $3, response_body = $4::jsonb,
                completed_at = now()
            WHERE principal = $1 AND key = $2""",
        claim_.principal, claim_.key, status, json.dumps(body, ensure_ascii=False),
    )


async def release(pool: asyncpg.Pool, schema: str, claim_: IdempotencyClaim) -> None:
    """Give the key back after a request failed, so a retry runs it afresh."""
    async with pool.acquire() as conn:
        await conn.execute(
            f"DELETE FROM {schema}.idempotency_keys"
            " WHERE principal = $1 AND key = $2 AND state = 'running'",
            claim_.principal, claim_.key,
        )
