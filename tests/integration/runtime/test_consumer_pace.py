"""An idle consumer asks the broker for data at its idle pace, a busy one at the short wait."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from services.runtime.consumer import Subscription
from services.runtime.consumer_loop import ConsumerLoop
from services.runtime.settings import get_settings

pytestmark = pytest.mark.integration


async def test_the_fetch_wait_follows_the_consumer_between_busy_and_idle(
    kafka_bootstrap: str,
) -> None:
    settings = get_settings().model_copy(update={
        "kafka_bootstrap_servers": kafka_bootstrap, "kafka_fetch_max_wait_ms": 10,
        "kafka_idle_fetch_wait_ms": 250})

    async def nothing(*_: object) -> None:
        return None

    loop = ConsumerLoop(Subscription("test-pace", ("test.pace",), nothing), None, settings)  # type: ignore[arg-type]
    kafka = loop._client()
    await kafka.start()
    try:
        fetcher = kafka._fetcher
        assert fetcher._fetch_max_wait_ms == 10
        loop._pace(kafka, idle=True)
        assert fetcher._fetch_max_wait_ms == 250
        loop._pace(kafka, idle=False)
        assert fetcher._fetch_max_wait_ms == 10
    finally:
        with contextlib.suppress(asyncio.CancelledError):  # aiokafka's idle coordinator task
            await kafka.stop()
