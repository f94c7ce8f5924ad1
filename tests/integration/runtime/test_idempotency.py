"""Idempotency keys: same key and body replay the first response; other bodies are refused."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.runtime.eventstore import AppendResult, CommandContext, EventStore
from services.runtime.idempotency import (
    IdempotencyClaim,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    claim,
    release,
)
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


def _respond(result: AppendResult) -> tuple[int, dict[str, object]]:
    return 201, {"id": result.stream_id, "version": result.version}


async def test_a_repeated_key_with_the_same_body_gets_the_first_response_and_appends_once(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool
) -> None:
    key = IdempotencyClaim("op-1", uuid.uuid4().hex, "hash-a")
    stream = f"test-{uuid.uuid4()}"
    assert await claim(intake_pool, "intake", key) is None
    await store.append(stream, "case", 0, [case_registered()], context, idempotency=key,
                       response_for=_respond)
    replay = await claim(intake_pool, "intake", key)
    assert replay is not None
    assert (replay.status, replay.body) == (201, {"id": stream, "version": 1})
    assert len(await store.load(stream)) == 1


async def test_a_repeated_key_with_another_body_is_refused(intake_pool: asyncpg.Pool) -> None:
    key = uuid.uuid4().hex
    assert await claim(intake_pool, "intake", IdempotencyClaim("op-1", key, "a")) is None
    with pytest.raises(IdempotencyKeyReused):
        await claim(intake_pool, "intake", IdempotencyClaim("op-1", key, "b"))


async def test_a_key_still_running_answers_in_flight(intake_pool: asyncpg.Pool) -> None:
    key = IdempotencyClaim("op-1", uuid.uuid4().hex, "a")
    assert await claim(intake_pool, "intake", key) is None
    with pytest.raises(IdempotencyKeyInFlight):
        await claim(intake_pool, "intake", key)


async def test_keys_belong_to_their_principal(intake_pool: asyncpg.Pool) -> None:
    key = uuid.uuid4().hex
    assert await claim(intake_pool, "intake", IdempotencyClaim("op-1", key, "a")) is None
    assert await claim(intake_pool, "intake", IdempotencyClaim("op-2", key, "b")) is None


async def test_a_released_key_can_run_again(intake_pool: asyncpg.Pool) -> None:
    key = IdempotencyClaim("op-1", uuid.uuid4().hex, "a")
    assert await claim(intake_pool, "intake", key) is None
    await release(intake_pool, "intake", key)
    assert await claim(intake_pool, "intake", key) is None
