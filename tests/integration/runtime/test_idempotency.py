"""Idempotency keys: same key and body replay the first response; other bodies are refused."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.intake.domain.case import CASE
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.idempotency import (
    AlreadyAnswered,
    IdempotencyClaim,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
)
from services.runtime.pipeline import CommandPipeline, UnitOfWork
from services.runtime.results import Written
from tests.support.samples import case_registered, register

pytestmark = pytest.mark.integration


async def test_a_repeated_key_with_the_same_body_gets_the_first_response_and_appends_once(
    store: EventStore, context: CommandContext
) -> None:
    pipeline, key = CommandPipeline(store), IdempotencyClaim("op-1", uuid.uuid4().hex, "hash-a")
    stream = f"test-{uuid.uuid4()}"
    assert await pipeline.run(register(stream, context), key) == Written(
        {"id": stream, "version": 1}, created=True)
    with pytest.raises(AlreadyAnswered) as replay:
        await pipeline.run(register(f"test-{uuid.uuid4()}", context), key)
    assert (replay.value.response.status, replay.value.response.body) == (
        201, {"id": stream, "version": 1})
    assert len(await store.load(stream)) == 1


async def test_a_repeated_key_with_another_body_is_refused_and_appends_nothing(
    store: EventStore, context: CommandContext
) -> None:
    pipeline, key = CommandPipeline(store), uuid.uuid4().hex
    await pipeline.run(register(f"test-{uuid.uuid4()}", context), IdempotencyClaim("op-1", key, "a"))
    other = f"test-{uuid.uuid4()}"
    with pytest.raises(IdempotencyKeyReused):
        await pipeline.run(register(other, context), IdempotencyClaim("op-1", key, "b"))
    assert await store.load(other) == []


async def test_a_key_still_running_answers_in_flight_and_the_first_request_still_commits(
    store: EventStore, context: CommandContext
) -> None:
    pipeline, key = CommandPipeline(store), IdempotencyClaim("op-1", uuid.uuid4().hex, "a")
    first, gate = f"test-{uuid.uuid4()}", asyncio.Event()
    running = asyncio.create_task(pipeline.run(register(first, context, gate), key))
    await asyncio.sleep(0.2)
    with pytest.raises(IdempotencyKeyInFlight):
        await pipeline.run(register(f"test-{uuid.uuid4()}", context), key)
    gate.set()
    assert (await running).created
    assert len(await store.load(first)) == 1


async def test_keys_belong_to_their_principal(store: EventStore, context: CommandContext) -> None:
    pipeline, key = CommandPipeline(store), uuid.uuid4().hex
    a, b = f"test-{uuid.uuid4()}", f"test-{uuid.uuid4()}"
    await pipeline.run(register(a, context), IdempotencyClaim("op-1", key, "a"))
    await pipeline.run(register(b, context), IdempotencyClaim("op-2", key, "b"))
    assert len(await store.load(a)) == len(await store.load(b)) == 1


async def test_a_command_that_failed_leaves_its_key_free_and_stores_nothing(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool
) -> None:
    pipeline, key = CommandPipeline(store), IdempotencyClaim("op-1", uuid.uuid4().hex, "a")
    failed = f"test-{uuid.uuid4()}"

    async def refused(unit: UnitOfWork) -> Written:
        unit.new(CASE, failed)
        unit.append(failed, [case_registered()], context)
        raise RuntimeError("the command failed after deciding")

    with pytest.raises(RuntimeError):
        await pipeline.run(refused, key)
    assert await store.load(failed) == []
    stream = f"test-{uuid.uuid4()}"
    assert (await pipeline.run(register(stream, context), key)).created
    stored = await intake_pool.fetchval(
        "SELECT count(*) FROM intake.idempotency_keys WHERE principal = 'op-1' AND key = $1",
        key.key)
    assert stored == 1


async def test_the_key_and_its_events_commit_together_or_not_at_all(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool
) -> None:
    """A command that loses its stream race stores neither its events nor an answer."""
    pipeline, stream = CommandPipeline(store), f"test-{uuid.uuid4()}"
    await store.append(stream, "case", 0, [case_registered()], context)
    key = IdempotencyClaim("op-1", uuid.uuid4().hex, "a")
    with pytest.raises(Exception, match="version"):
        await pipeline.run(register(stream, context), key)
    assert len(await store.load(stream)) == 1
    assert await intake_pool.fetchval(
        "SELECT count(*) FROM intake.idempotency_keys WHERE key = $1", key.key) == 0
