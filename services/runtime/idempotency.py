"""Idempotency keys: the same key and body give the first response; another body is refused.

A key is claimed and answered inside the command's own transaction: a transaction-scoped advisory
lock on the key says "still running" to a concurrent repeat (409), and the stored answer is written
by the same statement that appends the events, so a key is answered exactly when its events exist.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from services.runtime.db import Conn, advisory_key


@dataclass(frozen=True)
class IdempotencyClaim:
    """A request that holds an idempotency key while it runs."""

    principal: str
    key: str
    request_hash: str

    def lock_key(self, schema: str) -> int:
        """The advisory-lock key that marks this key as running in a service."""
        return advisory_key(f"casetrack.idempotency.{schema}.{self.principal}.{self.key}")


@dataclass(frozen=True)
class StoredResponse:
    """The response first given for a key."""

    status: int
    body: dict[str, Any]


class IdempotencyKeyReused(Exception):
    """The key was used before with a different request."""


class IdempotencyKeyInFlight(Exception):
    """A request with this key is still running."""


class AlreadyAnswered(Exception):
    """The key was answered before: the stored response is the answer."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__("idempotency key already answered")
        self.response = response


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of what identifies a request for idempotency purposes."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def claim_in(conn: Conn, schema: str, claim: IdempotencyClaim) -> None:
    """Hold the key for the caller's transaction; raise if it runs elsewhere or was answered."""
    row = await conn.fetchrow(
        f"""SELECT pg_try_advisory_xact_lock($1) AS free, k.request_hash, k.response_status,
                   k.response_body
            FROM (SELECT 1) AS one
            LEFT JOIN {schema}.idempotency_keys AS k ON k.principal = $2 AND k.key = $3""",
        claim.lock_key(schema), claim.principal, claim.key,
    )
    assert row is not None
    if not row["free"]:
        raise IdempotencyKeyInFlight(claim.key)
    if row["request_hash"] is None:
        return
    if row["request_hash"] != claim.request_hash:
        raise IdempotencyKeyReused(claim.key)
    raise AlreadyAnswered(StoredResponse(row["response_status"], json.loads(row["response_body"])))


async def stored_response(conn: Conn, schema: str, claim: IdempotencyClaim) -> StoredResponse | None:
    """The response stored for a key, if it was answered."""
    row = await conn.fetchrow(
        f"""SELECT request_hash, response_status, response_body FROM {schema}.idempotency_keys
            WHERE principal = $1 AND key = $2""",
        claim.principal, claim.key,
    )
    if row is None:
        return None
    if row["request_hash"] != claim.request_hash:
        raise IdempotencyKeyReused(claim.key)
    return StoredResponse(row["response_status"], json.loads(row["response_body"]))


def answer_arguments(claim: IdempotencyClaim | None, status: int, body: dict[str, Any] | None
                     ) -> tuple[str | None, str | None, str | None, int | None, str | None]:
    """The parameters of the write statement that store a key's answer (all None: no key)."""
    if claim is None:
        return None, None, None, None, None
    return (claim.principal, claim.key, claim.request_hash, status,
            json.dumps(body, ensure_ascii=False))
