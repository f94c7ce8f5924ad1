"""The relay's horizon is its own store's: only a running writer of that store holds it back."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.runtime.eventstore import (
    CommandContext,
    EventStore,
    LogCursor,
    OrderingHazard,
)
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


async def _end_of_log(store: EventStore) -> LogCursor:
    cursor = LogCursor()
    while (batch := await store.read_visible(cursor, 5000)).events:
        cursor = batch.cursor
    return cursor


async def _visible_streams(store: EventStore, after: LogCursor) -> list[str]:
    return [e.stream_id for e in (await store.read_visible(after, 5000)).events]


async def test_an_unrelated_long_transaction_does_not_hold_the_relay_back_but_a_writer_does(
    store: EventStore, context: CommandContext, migrated_database_url: str,
    intake_pool: asyncpg.Pool,
) -> None:
    start = await _end_of_log(store)
    elsewhere = await asyncpg.connect(migrated_database_url)  # another service's long transaction
    elsewhere_tx = elsewhere.transaction()
    await elsewhere_tx.start()
    try:
        await elsewhere.fetchval("SELECT pg_current_xact_id()")  # it has an id, older than any below
        first, held, later = (f"horizon-{name}-{uuid.uuid4()}" for name in ("a", "b", "c"))
        await store.append(first, "case", 0, [case_registered()], context)
        assert await _visible_streams(store, start) == [first], \
            "a transaction that cannot write intake's events holds nothing back"

        async with intake_pool.acquire() as writer:
            writing = writer.transaction()
            await writing.start()
            await store.lock_in(writer)
            await writer.fetchval("SELECT pg_current_xact_id()")  # its id before its insert
            await store.append_in(writer, held, "case", 0, [case_registered()], context)
            await store.append(later, "case", 0, [case_registered()], context)
            assert await _visible_streams(store, start) == [first], \
                "a running writer of intake's events holds back what committed after it"
            await writing.commit()
        assert await _visible_streams(store, start) == [first, held, later], \
            "once it commits, its event comes first, in transaction order"
    finally:
        await elsewhere_tx.rollback()
        await elsewhere.close()


async def test_a_transaction_that_wrote_before_taking_the_events_lock_may_not_append(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
) -> None:
    async with intake_pool.acquire() as conn:
        async with conn.transaction():
            await conn.fetchval("SELECT pg_current_xact_id()")  # as a row written first would
            with pytest.raises(OrderingHazard):
                await store.lock_in(conn)
        async with conn.transaction():
            await conn.fetchval("SELECT pg_current_xact_id()")
            with pytest.raises(OrderingHazard):
                await store.append_in(conn, f"late-{uuid.uuid4()}", "case", 0,
                                      [case_registered()], context)
        stream = f"locked-{uuid.uuid4()}"
        async with conn.transaction():
            await store.lock_in(conn)
            await conn.fetchval("SELECT pg_current_xact_id()")
            await store.append_in(conn, stream, "case", 0, [case_registered()], context)
    assert [e.stream_id for e in await store.load(stream)] == [stream]
