"""Faults under load end with nothing lost, nothing duplicated and nothing undelivered.

After every fault the invariant checker runs: each acknowledged command's event is stored once
and applied once by every consumer, reporting's read models equal their rebuild, and poison is
on a dead-letter topic with its reason. `make test` runs the quick faults; `make faults` all.
"""

from __future__ import annotations

import asyncio
import signal
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import INTAKE_TOPIC
from infra.local.broker import TansuBroker
from infra.local.postgres import EmbeddedPostgres
from tests.faults.invariants import (
    INTAKE_CONSUMERS,
    assert_dead_lettered,
    assert_nothing_lost_or_duplicated,
    assert_read_models_equal_their_rebuild,
)
from tests.faults.load import Load
from tests.support.system import RunningSystem

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

QUICK_KILLS = ("intake", "reporting-worker")
ALL_PROCESSES = ("intake", "assignment", "review", "reporting", "intake-worker",
                 "assignment-worker", "review-worker", "reporting-worker")


async def _check(system: RunningSystem, db: asyncpg.Connection, load: Load) -> None:
    print(f"answers under the fault: {dict(load.answers)}")
    assert load.acknowledged, f"no command was acknowledged: {dict(load.answers)}"
    await asyncio.to_thread(system.wait_ready, 90)
    await assert_nothing_lost_or_duplicated(db, load.acknowledged)
    await assert_read_models_equal_their_rebuild(system)


def _kill_params() -> list[object]:
    return [pytest.param(name, marks=[] if name in QUICK_KILLS else [pytest.mark.full_faults],
                         id=name) for name in ALL_PROCESSES]


@pytest.mark.parametrize("process", _kill_params())
async def test_kill_9_of_a_process_under_load_loses_and_duplicates_nothing(
    fault_system: RunningSystem, fault_db: asyncpg.Connection, process: str,
) -> None:
    if process not in fault_system.processes:
        pytest.fail(f"{process} is not a process of this system")

    async def fault() -> None:
        await asyncio.sleep(1.5)
        fault_system.kill(process)
        await asyncio.sleep(1.0)
        fault_system.start(process)
        await asyncio.to_thread(fault_system.wait_ready, 90)

    load = Load(fault_system)
    await load.run_while(asyncio.ensure_future(fault()))
    await _check(fault_system, fault_db, load)


async def test_poison_messages_go_to_every_consumers_dead_letter_topic_and_nothing_else_is_lost(
    fault_system: RunningSystem, fault_db: asyncpg.Connection, fault_broker: TansuBroker,
) -> None:
    markers = [f"poison-{uuid.uuid4().hex}".encode() for _ in range(20)]

    async def fault() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=fault_broker.bootstrap,
                                    enable_idempotence=False)
        await producer.start()
        try:
            for n, marker in enumerate(markers):
                value = b"{not json " + marker if n % 2 else b'{"event_type": 7, "m": "' + marker + b'"}'
                await producer.send_and_wait(INTAKE_TOPIC, value=value, key=marker)
                await asyncio.sleep(0.05)
        finally:
            await producer.stop()

    load = Load(fault_system)
    await load.run_while(asyncio.ensure_future(fault()))
    await _check(fault_system, fault_db, load)
    for consumer in INTAKE_CONSUMERS:
        await assert_dead_lettered(fault_broker.bootstrap, consumer, markers)


async def test_a_broker_restart_under_load_loses_and_duplicates_nothing(
    fault_system: RunningSystem, fault_db: asyncpg.Connection, fault_broker: TansuBroker,
) -> None:
    async def fault() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(fault_broker.restart)
        await asyncio.sleep(1.5)

    load = Load(fault_system)
    await load.run_while(asyncio.ensure_future(fault()))
    await _check(fault_system, fault_db, load)


@pytest.mark.full_faults
async def test_a_consumer_stopped_for_30_seconds_under_load_catches_up_with_nothing_lost(
    fault_system: RunningSystem, fault_db: asyncpg.Connection,
) -> None:
    async def fault() -> None:
        await asyncio.sleep(1.0)
        fault_system.signal("reporting-worker", signal.SIGSTOP)
        try:
            await asyncio.sleep(30)
        finally:
            fault_system.signal("reporting-worker", signal.SIGCONT)

    load = Load(fault_system, clients=2)
    await load.run_while(asyncio.ensure_future(fault()))
    await _check(fault_system, fault_db, load)


@pytest.mark.full_faults
async def test_a_postgres_restart_in_immediate_mode_answers_503_and_acknowledges_only_durable_writes(
    fault_system: RunningSystem, fault_db: asyncpg.Connection, fault_postgres: EmbeddedPostgres,
) -> None:
    async def fault() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(fault_postgres.restart, "immediate")

    load = Load(fault_system)
    await load.run_while(asyncio.ensure_future(fault()))
    await fault_db.close()
    db = await asyncpg.connect(fault_system.database_url)
    try:
        for refused in load.refusals:
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert int(refused.headers["retry-after"]) >= 1
        await _check(fault_system, db, load)
    finally:
        await db.close()
