"""The sequencer: follows the event log in visibility order and gives each event its leaf index.

It reads the log as the relay does, through `EventStore.read_visible`: (transaction id, position)
order, never past a transaction still running, so an event that commits late is never skipped.
"""

from __future__ import annotations

import json

from events.tlog.merkle import leaf_hash
from services.runtime.db import Conn, advisory_key
from services.runtime.eventstore import EventStore, LogCursor
from services.runtime.tlog.store import Leaf, TreeStore

BATCH = 2000


async def visible_after(store: EventStore, conn: Conn, cursor: LogCursor, limit: int
                        ) -> tuple[list[Leaf], LogCursor]:
    """Events after ``cursor`` in the order they became visible, and the cursor after them."""
    visible, after = await store.read_visible_hashes_in(conn, cursor, limit)
    return [Leaf(e.event_id, e.position, leaf_hash(bytes.fromhex(e.hash))) for e in visible], after


def sequencer_lock(schema: str) -> int:
    """The advisory lock a service's sequencer holds while it writes the tree."""
    return advisory_key(f"casetrack.tlog.{schema}")


class Sequencer:
    """Appends newly visible events to the service's Merkle tree, one batch per transaction.

    The state and the batch are read and the leaves written under the sequencer's lock in one
    transaction on one connection, so two sequencers never append the same batch, and a step
    never waits for a second connection while it holds the lock (with two steps at once on a
    two-connection pool, the keeper's and a `POST /v1/log/checkpoint`'s, that wait deadlocked:
    each held one connection, one held the lock, and the other waited for it).
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.schema = store.schema
        self.tree = TreeStore(store.schema)
        self.lock = sequencer_lock(store.schema)

    async def step(self, conn: Conn, limit: int = BATCH) -> int:
        """Sequence up to ``limit`` events; returns how many were added (0: caught up)."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self.lock)
            state = await conn.fetchrow(f"SELECT size, cursor FROM {self.schema}.tlog_state")
            assert state is not None, "the _tlog migration inserts the state row"
            cursor = LogCursor(**json.loads(state["cursor"]))
            leaves, after = await visible_after(self.store, conn, cursor, limit)
            if not leaves:
                return 0
            size = await self.tree.append(conn, int(state["size"]), leaves)
            await conn.execute(
                f"UPDATE {self.schema}.tlog_state SET size = $1, cursor = $2, updated_at = now()",
                size, json.dumps({"tx": after.tx, "position": after.position}))
            return len(leaves)

    async def catch_up(self, conn: Conn) -> int:
        """Sequence every visible event; returns how many were added."""
        total = 0
        while added := await self.step(conn):
            total += added
        return total
