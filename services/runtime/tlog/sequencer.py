"""The sequencer: follows the event log in visibility order and gives each event its leaf index.

`visible_after` is the one place that knows how the log is read; today appends are serialised per
service, so position order is commit order. Swap it for the commit-visibility reader (cursor =
(transaction id, position)) without touching the rest.
"""

from __future__ import annotations

import json
from typing import Any

from events.tlog.merkle import leaf_hash
from services.runtime.db import Conn, advisory_key
from services.runtime.tlog.store import Leaf, TreeStore

BATCH = 2000

Cursor = dict[str, Any]


async def visible_after(conn: Conn, schema: str, cursor: Cursor, limit: int) -> tuple[list[Leaf], Cursor]:
    """Events after ``cursor`` in the order they became visible, and the cursor after them."""
    rows = await conn.fetch(
        f"SELECT position, event_id, hash FROM {schema}.events WHERE position > $1"
        " ORDER BY position LIMIT $2", int(cursor.get("position", 0)), limit)
    leaves = [Leaf(r["event_id"], r["position"], leaf_hash(bytes.fromhex(r["hash"]))) for r in rows]
    return leaves, ({"position": rows[-1]["position"]} if rows else cursor)


class Sequencer:
    """Appends newly visible events to the service's Merkle tree, one batch per transaction."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.tree = TreeStore(schema)
        self.lock = advisory_key(f"casetrack.tlog.{schema}")

    async def step(self, conn: Conn, limit: int = BATCH) -> int:
        """Sequence up to ``limit`` events; returns how many were added (0: caught up)."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self.lock)
            state = await conn.fetchrow(f"SELECT size, cursor FROM {self.schema}.tlog_state")
            assert state is not None, "the _tlog migration inserts the state row"
            cursor = json.loads(state["cursor"])
            leaves, after = await visible_after(conn, self.schema, cursor, limit)
            if not leaves:
                return 0
            size = await self.tree.append(conn, int(state["size"]), leaves)
            await conn.execute(
                f"UPDATE {self.schema}.tlog_state SET size = $1, cursor = $2, updated_at = now()",
                size, json.dumps(after))
            return len(leaves)

    async def catch_up(self, conn: Conn) -> int:
        """Sequence every visible event; returns how many were added."""
        total = 0
        while added := await self.step(conn):
            total += added
        return total
