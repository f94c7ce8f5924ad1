"""Two replicas of every service: both take commands, one publishes, consumers split the
partitions, and a replica killed under load loses and duplicates nothing."""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.structs import ConsumerRecord

from events import ASSIGNMENT_TOPIC, HEADER_EVENT_ID, INTAKE_TOPIC, REVIEW_TOPIC
from infra.local.broker import TansuBroker
from infra.migrate import migrate
from services.reporting.consumers import PROJECTOR
from services.runtime.topics import ensure_topics
from tests.conftest import fresh_database, run_async
from tests.faults.invariants import assert_nothing_lost_or_duplicated
from tests.support.kafka import own_broker, read_topic
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

SERVICES = ("intake", "assignment", "review", "reporting")
CASE = {"title": "Replica drill", "description": "A registration sent to either replica.",
        "region": "KZ-35", "sector": "health", "source": "hotline"}
PROJECTOR_PARTITIONS = 3 * 6  # intake, assignment and review topics, six partitions each


@pytest.fixture(scope="module")
def replica_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of this module's own: no other system's events in its topics."""
    with own_broker(tmp_path_factory.mktemp("replicas-tansu") / "log") as broker:
        yield broker


@pytest.fixture(scope="module")
def replica_system(postgres_server_url: str, replica_broker: TansuBroker,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Two replicas of each service's API and worker (the console left out)."""
    with fresh_database(postgres_server_url, "replicas") as url:
        run_async(ensure_topics(replica_broker.bootstrap))
        run_async(migrate(url))
        system = RunningSystem(url, replica_broker.bootstrap,
                               Path(tmp_path_factory.mktemp("replicas-logs")), replicas=2,
                               services=SERVICES)
        with system.running(ready_within=240):
            yield system


@pytest.fixture
async def replica_db(replica_system: RunningSystem) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(replica_system.database_url)
    yield conn
    await conn.close()


async def _members(db: asyncpg.Connection, consumer: str) -> dict[str, set[str]]:
    rows = await db.fetch("SELECT member, partitions FROM reporting.consumer_members"
                          " WHERE consumer = $1 AND lease_until > now()", consumer)
    return {r["member"]: set(r["partitions"]) for r in rows}


async def _split_between_two(db: asyncpg.Connection) -> dict[str, set[str]] | None:
    members = await _members(db, PROJECTOR)
    if len(members) != 2:
        return None
    first, second = members.values()
    whole = first | second
    if first & second or len(whole) != PROJECTOR_PARTITIONS or not first or not second:
        return None
    return members


async def _leading(urls: list[str]) -> str | None:
    """The replica whose relay holds the lock, as its metrics say; None if none does now."""
    async with httpx.AsyncClient(timeout=10) as http:
        for url in urls:
            text = (await http.get(f"{url}/metrics")).text
            if re.search(r'casetrack_relay_leader\{topic="casetrack\.intake\.v1"\} 1\.0', text):
                return url
    return None


async def _relay_leader(urls: list[str]) -> str:
    return await eventually(lambda: _leading(urls), within=30, what="an intake relay leader")


class SpreadLoad:
    """Registrations sent round robin to every replica of intake, until stopped."""

    def __init__(self, urls: list[str], clients: int = 4) -> None:
        self.urls = urls
        self.clients = clients
        self.acknowledged: list[str] = []
        self.accepted_by: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self._stop = asyncio.Event()
        self._turns = itertools.cycle(urls)

    async def _client(self, http: httpx.AsyncClient) -> None:
        while not self._stop.is_set():
            url = next(self._turns)
            try:
                reply = await http.post(f"{url}/v1/cases", json=CASE,
                                        headers={**auth(), "Idempotency-Key": uuid.uuid4().hex})
            except httpx.HTTPError as exc:  # a killed replica: the next turn goes elsewhere
                self.failures[type(exc).__name__] += 1
                continue
            if reply.status_code == 201:
                self.acknowledged.append(reply.json()["id"])
                self.accepted_by[url] += 1
            else:
                self.failures[str(reply.status_code)] += 1
                await asyncio.sleep(0.05)

    async def run_while(self, fault: asyncio.Task[None]) -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            clients = [asyncio.create_task(self._client(http)) for _ in range(self.clients)]
            try:
                await fault
                await asyncio.sleep(2.0)
            finally:
                self._stop.set()
                await asyncio.gather(*clients)


async def test_two_replicas_take_commands_publish_once_share_partitions_and_survive_a_kill(
    replica_system: RunningSystem, replica_db: asyncpg.Connection, replica_broker: TansuBroker,
) -> None:
    system = replica_system
    split = await eventually(lambda: _split_between_two(replica_db), within=60,
                             what="the projector's two replicas reading disjoint halves")
    assert sorted(len(p) for p in split.values()) == [PROJECTOR_PARTITIONS // 2] * 2
    for schema, consumer, topics in (("intake", "intake-reactor", 2),
                                     ("assignment", "assignment-planner", 1),
                                     ("review", "review-opener", 2)):
        async def split_in_two(schema: str = schema, consumer: str = consumer,
                               topics: int = topics) -> bool | None:
            rows = await replica_db.fetch(
                f"SELECT partitions FROM {schema}.consumer_members WHERE consumer = $1"
                " AND lease_until > now()", consumer)
            held = [set(r["partitions"]) for r in rows]
            return (len(held) == 2 and not held[0] & held[1]
                    and len(held[0] | held[1]) == 6 * topics) or None

        await eventually(split_in_two, within=60, what=f"{consumer} split between two replicas")

    intake_urls = system.replica_urls["intake"]
    leader = await _relay_leader(intake_urls)
    standby = next(url for url in intake_urls if url != leader)
    standby_name = "intake-2" if standby == intake_urls[1] else "intake"
    load = SpreadLoad(intake_urls)

    async def fault() -> None:
        await asyncio.sleep(2.0)
        assert set(load.accepted_by) == set(intake_urls), "both replicas take commands"
        system.kill("reporting-worker-2")  # a consumer replica holding half the partitions
        system.kill(standby_name)  # an API replica mid-request
        await asyncio.sleep(3.0)

    await load.run_while(asyncio.create_task(fault()))
    assert len(load.acknowledged) > 20, (load.accepted_by, load.failures)

    await assert_nothing_lost_or_duplicated(replica_db, load.acknowledged, within=180)
    survivor = await _members(replica_db, PROJECTOR)
    assert len(survivor) == 1 and len(next(iter(survivor.values()))) == PROJECTOR_PARTITIONS, \
        "the surviving replica took over every partition"

    event_ids, records = await _intake_published(replica_db, replica_broker, load.acknowledged)
    published = Counter(_event_id(r.headers) for r in records)
    assert {e: published[e] for e in event_ids} == dict.fromkeys(event_ids, 1), \
        "an event of an acknowledged command was published twice or never"
    for topic in (ASSIGNMENT_TOPIC, REVIEW_TOPIC):  # the other relays: once each as well
        others = await read_topic(replica_broker.bootstrap, topic, within=5, until=lambda rs: False)
        counted = Counter(_event_id(r.headers) for r in others)
        assert not [e for e, n in counted.items() if n > 1], f"{topic} holds an event twice"


async def _intake_published(db: asyncpg.Connection, broker: TansuBroker, streams: list[str]
                            ) -> tuple[set[str], list[ConsumerRecord[bytes, bytes]]]:
    """The ids of the streams' stored events, and intake's topic read until it holds them all."""
    event_ids = {str(r["event_id"]) for r in await db.fetch(
        "SELECT event_id FROM intake.events WHERE stream_id = ANY($1::text[])", streams)}
    records = await read_topic(
        broker.bootstrap, INTAKE_TOPIC, within=60,
        until=lambda rs: event_ids <= {_event_id(r.headers) for r in rs})
    return event_ids, records


def _event_id(headers: object) -> str:
    for key, value in headers or ():  # type: ignore[attr-defined]
        if key == HEADER_EVENT_ID:
            return bytes(value).decode()
    return ""


async def test_killing_the_publishing_replica_hands_the_relay_over_and_loses_nothing(
    replica_system: RunningSystem, replica_db: asyncpg.Connection, replica_broker: TansuBroker,
) -> None:
    system = replica_system
    for name, proc in system.processes.items():  # bring back what an earlier test killed
        if proc.process is None or proc.process.poll() is not None:
            system.start(name)
    await asyncio.to_thread(system.wait_ready, 180)
    intake_urls = system.replica_urls["intake"]
    leader = await _relay_leader(intake_urls)
    standby = next(url for url in intake_urls if url != leader)
    load = SpreadLoad(intake_urls)

    async def fault() -> None:
        await asyncio.sleep(2.0)
        system.kill("intake" if leader == intake_urls[0] else "intake-2")
        await asyncio.sleep(3.0)

    await load.run_while(asyncio.create_task(fault()))
    assert load.accepted_by[standby] > 0 and len(load.acknowledged) > 20, load.failures
    assert await _relay_leader([standby]) == standby, "the standby took the relay over"
    await assert_nothing_lost_or_duplicated(replica_db, load.acknowledged, within=180)
    event_ids, records = await _intake_published(replica_db, replica_broker, load.acknowledged)
    assert event_ids <= {_event_id(r.headers) for r in records}, \
        "an acknowledged command's event was never published"
