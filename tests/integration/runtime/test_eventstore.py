"""The event store: optimistic locking, hash chain on append, append-only, time travel."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from events import verify_chain
from services.runtime.eventstore import CommandContext, ConcurrencyConflict, EventStore
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


def new_stream() -> str:
    return f"test-{uuid.uuid4()}"


async def test_concurrent_appends_at_the_same_version_let_exactly_one_win(
    store: EventStore, context: CommandContext
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered()], context)
    outcomes = await asyncio.gather(
        *(store.append(stream, "case", 1, [case_registered(f"t{i}")], context) for i in range(10)),
        return_exceptions=True,
    )
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(winners) == 1 and len(losers) == 9
    assert all(loser.current == 2 for loser in losers)
    assert [e.version for e in await store.load(stream)] == [1, 2]


async def test_a_stale_expected_version_appends_nothing(
    store: EventStore, context: CommandContext
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered()], context)
    with pytest.raises(ConcurrencyConflict) as conflict:
        await store.append(stream, "case", 0, [case_registered()], context)
    assert (conflict.value.expected, conflict.value.current) == (0, 1)
    assert len(await store.load(stream)) == 1


async def test_appended_events_form_a_verifiable_hash_chain(
    store: EventStore, context: CommandContext
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered("a"), case_registered("b")], context)
    await store.append(stream, "case", 2, [case_registered("c")], context)
    loaded = await store.load(stream)
    assert [e.version for e in loaded] == [1, 2, 3]
    assert verify_chain(loaded).ok
    assert loaded[0].actor == context.actor and loaded[0].correlation_id == "corr-test"


async def test_load_as_of_returns_what_was_recorded_by_then(
    store: EventStore, context: CommandContext
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered("first")], context)
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await store.append(stream, "case", 1, [case_registered("second")], context)
    assert [e.payload["title"] for e in await store.load(stream, as_of=between)] == ["first"]
    assert len(await store.load(stream)) == 2


async def test_the_application_role_cannot_update_or_delete_events(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered()], context)
    async with intake_pool.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE intake.events SET event_type = 'x' WHERE stream_id = $1",
                               stream)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM intake.events WHERE stream_id = $1", stream)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("TRUNCATE intake.events")
    assert len(await store.load(stream)) == 1


async def test_even_the_owner_cannot_rewrite_events_while_the_guard_is_on(
    store: EventStore, context: CommandContext, migrated_database_url: str
) -> None:
    stream = new_stream()
    await store.append(stream, "case", 0, [case_registered()], context)
    conn = await asyncpg.connect(migrated_database_url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE intake.events SET payload = '{}' WHERE stream_id = $1",
                               stream)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM intake.events WHERE stream_id = $1", stream)
    finally:
        await conn.close()
