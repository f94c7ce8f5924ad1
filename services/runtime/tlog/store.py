"""The incremental Merkle tree in Postgres: leaves, complete subtrees, proofs in O(log n) reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from events.tlog.merkle import (
    Node,
    ProofError,
    consistency_ranges,
    extend_frontier,
    fold_subtrees,
    inclusion_ranges,
    subtrees,
)
from services.runtime.db import Conn


@dataclass(frozen=True)
class Leaf:
    """One event entering the log: its id, its position in the store, its leaf hash."""

    event_id: UUID
    position: int
    hash: bytes


class TreeStore:
    """Reads and appends the `tlog_*` tables of one service schema."""

    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def size(self, conn: Conn) -> int:
        """How many leaves the tree holds."""
        return int(await conn.fetchval(f"SELECT size FROM {self.schema}.tlog_state"))

    async def nodes(self, conn: Conn, wanted: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored hashes of complete subtrees (level, index), in one query."""
        if not wanted:
            return {}
        rows = await conn.fetch(
            f"SELECT level, index, hash FROM {self.schema}.tlog_nodes"
            " WHERE (level, index) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))",
            [w[0] for w in wanted], [w[1] for w in wanted])
        found = {(r["level"], r["index"]): bytes(r["hash"]) for r in rows}
        if len(found) != len(set(wanted)):
            # Nodes exist exactly for the complete subtrees of sequenced leaves.
            raise ProofError(f"the tree has not yet reached leaf {max(w[1] << w[0] for w in wanted)}")
        return found

    async def range_hashes(self, conn: Conn, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The Merkle hash of each leaf range, from the complete subtrees that make it."""
        plans = [subtrees(lo, hi) for lo, hi in ranges]
        found = await self.nodes(conn, sorted({b for plan in plans for b in plan}))
        return [fold_subtrees([found[b] for b in plan]) for plan in plans]

    async def root(self, conn: Conn, size: int) -> bytes:
        """MTH of the first ``size`` leaves."""
        return (await self.range_hashes(conn, [(0, size)]))[0]

    async def inclusion(self, conn: Conn, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
        return await self.range_hashes(conn, inclusion_ranges(index, size))

    async def consistency(self, conn: Conn, old: int, new: int) -> list[bytes]:
        """The consistency proof from ``old`` to ``new`` leaves."""
        ranges = consistency_ranges(old, new)
        if not ranges and new > await self.size(conn):  # an empty proof reads no node to check
            raise ProofError(f"the tree has not yet reached size {new}")
        return await self.range_hashes(conn, ranges)

    async def leaf_index(self, conn: Conn, event_id: UUID) -> int | None:
        """Where an event sits in the log, if it has been sequenced."""
        value = await conn.fetchval(
            f"SELECT leaf_index FROM {self.schema}.tlog_leaves WHERE event_id = $1", event_id)
        return None if value is None else int(value)

    async def leaf_indexes(self, conn: Conn, event_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Leaf indexes of many events (those sequenced)."""
        rows = await conn.fetch(
            f"SELECT event_id, leaf_index FROM {self.schema}.tlog_leaves WHERE event_id = ANY($1)",
            list(event_ids))
        return {r["event_id"]: int(r["leaf_index"]) for r in rows}

    async def append(self, conn: Conn, size: int, leaves: Sequence[Leaf]) -> int:
        """Append leaves after ``size`` (caller holds the sequencer lock); returns the new size."""
        if not leaves:
            return size
        blocks = subtrees(0, size)
        found = await self.nodes(conn, blocks)
        frontier: list[Node] = [(lvl, idx, found[(lvl, idx)]) for lvl, idx in blocks]
        _, created = extend_frontier(frontier, [leaf.hash for leaf in leaves])
        await conn.execute(
            f"INSERT INTO {self.schema}.tlog_nodes (level, index, hash)"
            " SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
            [n[0] for n in created], [n[1] for n in created], [n[2] for n in created])
        await conn.execute(
            f"INSERT INTO {self.schema}.tlog_leaves (leaf_index, event_id, position)"
            " SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[])",
            list(range(size, size + len(leaves))), [leaf.event_id for leaf in leaves],
            [leaf.position for leaf in leaves])
        return size + len(leaves)
