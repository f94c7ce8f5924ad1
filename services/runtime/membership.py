"""Replicas of one consumer share its partitions through a membership kept in Postgres.

No consumer group: the broker's memory is not trusted (see consumer_loop). Each replica holds a
leased row; every live member sees the same sorted list of members and takes the partitions
whose index, in the sorted list of every (topic, partition), falls to its place (index modulo
the member count). Views can differ for a moment while a member joins or its lease runs out:
then a partition is read by two replicas (harmless, processed marks make the second a no-op) or
by none until the next renewal (a delay); positions live in Postgres with the effects, so
whoever takes a partition resumes exactly after the last applied message. Nothing is lost.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence

import asyncpg

from services.runtime.positions import Partition

LEASE_SECONDS = 5.0


def share(partitions: Sequence[Partition], place: int, members: int) -> list[Partition]:
    """The partitions the member at `place` (0-based) of `members` reads: a stable round robin."""
    ordered = sorted(partitions)
    return [p for i, p in enumerate(ordered) if i % max(members, 1) == place]


class Membership:
    """One replica's leased row among a consumer's live members."""

    def __init__(self, pool: asyncpg.Pool, schema: str, consumer: str,
                 lease_seconds: float = LEASE_SECONDS) -> None:
        self.pool = pool
        self.schema = schema
        self.consumer = consumer
        self.lease_seconds = lease_seconds
        self.member = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"

    async def renew(self) -> tuple[int, int]:
        """Extend this member's lease, forget expired members; (our place, live members)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"""INSERT INTO {self.schema}.consumer_members (consumer, member, lease_until)
                    VALUES ($1, $2, now() + make_interval(secs => $3))
                    ON CONFLICT (consumer, member) DO UPDATE SET lease_until = EXCLUDED.lease_until""",
                self.consumer, self.member, self.lease_seconds)
            await conn.execute(
                f"""DELETE FROM {self.schema}.consumer_members
                    WHERE consumer = $1 AND lease_until < now()""", self.consumer)
            members = [r["member"] for r in await conn.fetch(
                f"""SELECT member FROM {self.schema}.consumer_members
                    WHERE consumer = $1 ORDER BY member""", self.consumer)]
        return members.index(self.member), len(members)

    async def holds(self, partitions: Sequence[Partition]) -> None:
        """Record which partitions this member reads now (for operators and tests)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"""UPDATE {self.schema}.consumer_members SET partitions = $3
                    WHERE consumer = $1 AND member = $2""",
                self.consumer, self.member, [f"{t}:{p}" for t, p in sorted(partitions)])

    async def leave(self) -> None:
        """Give the partitions up now instead of when the lease runs out."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"DELETE FROM {self.schema}.consumer_members WHERE consumer = $1 AND member = $2",
                self.consumer, self.member)
