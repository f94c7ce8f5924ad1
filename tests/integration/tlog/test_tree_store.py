"""The Postgres tree store: incremental appends equal the RFC 9162 tree; proofs verify."""

from __future__ import annotations

import asyncio
import random
import uuid

import asyncpg
import pytest

from events.tlog import (
    Checkpoint,
    Cosigner,
    NoteError,
    ProofError,
    leaf_hash,
    open_note,
    parse_checkpoint,
    root_hash,
    sign_note,
    signer_from_key,
    verify_consistency,
    verify_inclusion,
)
from events.tlog.note import generate_signer_key
from services.runtime.db import create_pool
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.tlog.checkpoints import CheckpointLog
from services.runtime.tlog.sequencer import Sequencer
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


async def _append(store: EventStore, context: CommandContext, count: int) -> None:
    streams = [f"case-{uuid.uuid4()}" for _ in range(3)]
    versions = dict.fromkeys(streams, 0)
    for _ in range(count):
        stream = random.choice(streams)
        await store.append(stream, "case", versions[stream], [case_registered()], context)
        versions[stream] += 1


async def _leaves(conn: asyncpg.Connection, schema: str) -> list[bytes]:
    rows = await conn.fetch(f"SELECT hash FROM {schema}.events ORDER BY tx_id, position")
    return [leaf_hash(bytes.fromhex(r["hash"])) for r in rows]


async def test_sequencing_in_batches_builds_the_tree_of_every_event_in_visibility_order(
        log_store: EventStore, context: CommandContext) -> None:
    sequencer = Sequencer(log_store)
    await _append(log_store, context, 23)
    async with log_store.pool.acquire() as conn:
        assert await sequencer.step(conn, limit=5) == 5
        assert await sequencer.step(conn, limit=7) == 7
        await _append(log_store, context, 10)
        assert await sequencer.catch_up(conn) == 21
        leaves = await _leaves(conn, log_store.schema)
        tree = sequencer.tree
        assert await tree.size(conn) == 33
        for size in (1, 5, 12, 32, 33):
            assert await tree.root(conn, size) == root_hash(leaves[:size])
        ids = await conn.fetch(
            f"SELECT event_id FROM {log_store.schema}.events ORDER BY tx_id, position")
        for index, row in enumerate(ids):
            assert await tree.leaf_index(conn, row["event_id"]) == index
            for size in {index + 1, 33}:
                verify_inclusion(leaves[index], index, size, await tree.inclusion(conn, index, size),
                                 root_hash(leaves[:size]))
        for old in range(0, 34, 4):
            proof = await tree.consistency(conn, old, 33)
            verify_consistency(old, 33, root_hash(leaves[:old]), root_hash(leaves), proof)
        with pytest.raises(ProofError):
            await tree.inclusion(conn, 0, 34)


async def test_tree_nodes_and_leaves_are_append_only_for_the_service_role(
        log_store: EventStore, context: CommandContext) -> None:
    await _append(log_store, context, 2)
    async with log_store.pool.acquire() as conn:
        await Sequencer(log_store).catch_up(conn)
        for table in ("tlog_nodes", "tlog_leaves"):
            with pytest.raises(asyncpg.PostgresError, match=r"permission denied|append-only"):
                await conn.execute(f"DELETE FROM {log_store.schema}.{table}")


async def test_a_checkpoint_is_a_signed_note_of_the_tree_and_only_issued_when_it_grew(
        log_store: EventStore, context: CommandContext) -> None:
    origin = f"casetrack/{log_store.schema}/test"
    signer = signer_from_key(generate_signer_key(origin))
    log = CheckpointLog(Sequencer(log_store), signer, origin)
    await _append(log_store, context, 5)
    async with log_store.pool.acquire() as conn:
        await log.sequencer.catch_up(conn)
        assert await log.issue(conn) == 5
        assert await log.issue(conn) is None
        issued = await log.latest(conn)
        assert issued is not None
        note, _ = open_note(issued.served(), [signer.verifier()])
        checkpoint = parse_checkpoint(note.text)
        assert (checkpoint.origin, checkpoint.size) == (origin, 5)
        assert checkpoint.root == root_hash(await _leaves(conn, log_store.schema))


async def test_a_witness_cosignature_is_stored_only_for_a_checkpoint_the_log_issued(
        log_store: EventStore, context: CommandContext) -> None:
    origin = f"casetrack/{log_store.schema}/test"
    signer = signer_from_key(generate_signer_key(origin))
    log = CheckpointLog(Sequencer(log_store), signer, origin)
    witness = Cosigner.from_key(Cosigner.generate("monitors.example/almaty"))
    await _append(log_store, context, 3)
    async with log_store.pool.acquire() as conn:
        await log.sequencer.catch_up(conn)
        await log.issue(conn)
        issued = await log.latest(conn)
        assert issued is not None
        text = issued.note[: issued.note.index("\n\n") + 1]
        cosigned = issued.note + witness.cosign(text, 1_800_000_000).line()
        assert await log.add_cosignature(conn, cosigned, witness.verifier(), "mon-1") == (3, 1_800_000_000)
        served = await log.latest(conn, witnessed=True)
        assert served is not None and served.cosignatures
        open_note(served.served(), [witness.verifier()])
        forged_text = Checkpoint(origin, 3, b"\x00" * 32).text()
        forged = sign_note(forged_text, [signer]) + witness.cosign(forged_text, 1_800_000_001).line()
        with pytest.raises(NoteError, match="never issued"):
            await log.add_cosignature(conn, forged, witness.verifier(), "mon-1")
        tampered = issued.note + witness.cosign(forged_text, 1_800_000_002).line()
        with pytest.raises(NoteError, match="does not verify"):
            await log.add_cosignature(conn, tampered, witness.verifier(), "mon-1")


async def test_two_sequencers_racing_live_writers_give_every_event_one_leaf_in_visibility_order(
        log_store: EventStore, context: CommandContext) -> None:
    """Replicas each run a keeper: the advisory lock makes them take turns, never double-append."""
    stop = asyncio.Event()

    async def sequencer_loop() -> None:
        sequencer = Sequencer(log_store)
        async with log_store.pool.acquire() as conn:
            while not stop.is_set():
                await sequencer.step(conn, limit=random.randint(1, 7))
                await asyncio.sleep(0)

    loops = [asyncio.create_task(sequencer_loop()) for _ in range(2)]
    await asyncio.gather(*(_append(log_store, context, 15) for _ in range(4)))
    stop.set()
    await asyncio.gather(*loops)
    async with log_store.pool.acquire() as conn:
        await Sequencer(log_store).catch_up(conn)
        rows = await conn.fetch(
            f"SELECT l.leaf_index, e.tx_id::text::bigint AS tx, e.position"
            f" FROM {log_store.schema}.tlog_leaves l"
            f" JOIN {log_store.schema}.events e USING (event_id) ORDER BY l.leaf_index")
        leaves = await _leaves(conn, log_store.schema)
        assert [r["leaf_index"] for r in rows] == list(range(60))
        order = [(r["tx"], r["position"]) for r in rows]
        assert order == sorted(order)
        assert await Sequencer(log_store).tree.root(conn, 60) == root_hash(leaves)


async def test_two_steps_at_once_on_a_two_connection_pool_both_finish(
        log_schema: tuple[str, asyncpg.Pool], context: CommandContext,
        migrated_database_url: str) -> None:
    """The keeper's pool has two connections, shared by its loop and `POST /v1/log/checkpoint`:
    a step holding one (and the lock) must never wait for another."""
    name, writer_pool = log_schema
    await _append(EventStore(writer_pool, name), context, 12)
    pool = await create_pool(migrated_database_url, name, min_size=2, max_size=2)
    try:
        sequencer = Sequencer(EventStore(pool, name))
        async with pool.acquire() as one, pool.acquire() as other:
            added = await asyncio.wait_for(
                asyncio.gather(sequencer.catch_up(one), sequencer.catch_up(other)), 60)
        assert sum(added) == 12
    finally:
        pool.terminate()
