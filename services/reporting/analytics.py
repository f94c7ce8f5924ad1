"""The PII-free analytics stream: pseudonymous case and directive facts for downstream consumers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter

from events import ANALYTICS_TOPIC, HEADER_EVENT_ID, HEADER_EVENT_TYPE, HEADER_SCHEMA_VERSION
from events.calendar import agency_date
from events.lifecycle import case_status, directive_status
from services.reporting.facts import Fact
from services.runtime.db import Conn
from services.runtime.leadership import Leadership, keep_running
from services.runtime.logs import get_logger
from services.runtime.topics import (
    agree_on_partitions,
    contract_topics,
    partition_for,
    present_incarnation,
)

log = get_logger(__name__)

FACT_SCHEMA = "casetrack.analytics.fact"
FACT_SCHEMA_VERSION = 1
PUBLISHED = Counter("casetrack_analytics_published_total", "Analytics facts published")

# Payload fields copied as they are: codes and dates only, never free text or people.
CODED_FIELDS = ("outcome", "risk_level", "category", "due_date", "new_due_date",
                "previous_due_date", "verdict", "kind", "notice_due_date", "channel",
                "notified_on", "forward_due_date", "target_kind", "target_region")


def pseudonym(kind: str, value: str, key: str) -> str:
    """HMAC-SHA256 of `kind:value` under the pseudonym key: stable, not reversible without it."""
    secret = key.encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def analytics_fact(fact: Fact, register: Mapping[str, Any] | None, key: str
                   ) -> dict[str, Any]:
    """The analytics record of one case or directive event (see README, analytics schema)."""
    register = register or {}
    payload = fact.data
    record: dict[str, Any] = {
        "schema": FACT_SCHEMA, "schema_version": FACT_SCHEMA_VERSION,
        "event_id": str(fact.event_id), "event_type": fact.event_type,
        "subject_type": fact.stream_type, "subject": pseudonym(fact.stream_type, fact.stream_id, key),
        "version": fact.version, "occurred_at": _utc(fact.occurred_at),
        "occurred_on": agency_date(fact.occurred_at).isoformat(),
        "region": payload.get("region") or register.get("region"),
        "sector": payload.get("sector") or register.get("sector"),
        "source": payload.get("source") or register.get("source"),
        "status": register.get("status"),
        "actor": pseudonym("actor", str(fact.actor.get("id")), key),
        "actor_role": fact.actor.get("role"),
    }
    if fact.stream_type == "directive":
        record["addressee_body"] = payload.get("addressee_body") or register.get("addressee_body")
    if fact.event_type == "case.registered":
        record["anonymous"] = bool(payload.get("anonymous"))
    for name in CODED_FIELDS:
        if payload.get(name) is not None:
            record[name] = payload[name]
    return record


def _utc(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


STATUS_OF: dict[str, Callable[[Iterable[str]], StrEnum | None]] = {
    "case": case_status, "directive": directive_status}
"""The contract's status rule of each subject type (events/lifecycle.py)."""


def status_at(fact: Fact, subject_facts: Sequence[Fact]) -> str | None:
    """The subject's status just after `fact`: the contract's fold of its stream up to it."""
    own = sorted((f for f in subject_facts
                  if f.stream_type == fact.stream_type and f.stream_id == fact.stream_id
                  and f.version <= fact.version), key=lambda f: f.version)
    status = STATUS_OF[fact.stream_type](f.event_type for f in own)
    return None if status is None else str(status)


async def enqueue(conn: Conn, schema: str, facts: Sequence[Fact],
                  subject_facts: Mapping[str, Sequence[Fact]],
                  registers: Mapping[str, Mapping[str, Any]], key: str) -> None:
    """Queue the facts for publication in the transaction that projected their events.

    Each record carries the subject's status as of its event, whatever arrived after it.
    """
    rows = []
    for fact in facts:
        register = registers.get(fact.stream_id)
        if register is not None:
            register = {**register,
                        "status": status_at(fact, subject_facts.get(fact.stream_id, ()))}
        record = analytics_fact(fact, register, key)
        rows.append((fact.event_id, record["subject"],
                     orjson.dumps(record, option=orjson.OPT_SORT_KEYS)))
    if rows:
        await conn.executemany(
            f"""INSERT INTO {schema}.analytics_outbox (event_id, key, value) VALUES ($1, $2, $3)
                ON CONFLICT (event_id) DO NOTHING""", rows)


TOPIC_CHECK_SECONDS = (1.0, 5.0)
"""How often the relay describes its topic: while facts flow, and at rest (as the services' relays)."""
IDLE_POLL_SECONDS = 1.0
"""The longest wait between looks at an empty outbox: the wait doubles up to it while idle."""
STANDBY_SECONDS = 1.0
"""How often a standing-by worker tries to take the lead."""


class AnalyticsRelay:
    """Publishes queued facts in order, at least once; a fact's event id is its dedupe key.

    Every reporting worker runs one; like the services' relays, only the holder of the
    publisher lock publishes, so two replicas never publish a fact twice.
    """

    def __init__(self, pool: asyncpg.Pool, producer: AIOKafkaProducer, bootstrap: str,
                 schema: str = "reporting", poll_seconds: float = 0.1) -> None:
        self.pool = pool
        self.producer = producer
        self.bootstrap = bootstrap
        self.partitions: int | None = None  # as last described
        self.schema = schema
        self.poll_seconds = poll_seconds
        self.leadership = Leadership(pool, f"casetrack.analytics.{schema}.{ANALYTICS_TOPIC}")

    @property
    def is_leader(self) -> bool:
        """Whether this worker is the one publishing analytics now."""
        return self.leadership.is_leader

    async def requeue_if_the_topic_is_new(self) -> bool:
        """Queue every fact again when the topic's id or partition count changed since."""
        found = await present_incarnation(self.bootstrap, ANALYTICS_TOPIC,
                                          contract_topics()[ANALYTICS_TOPIC])
        await agree_on_partitions(self.producer, ANALYTICS_TOPIC, found)
        self.partitions = found.partitions
        current = found.key
        async with self.pool.acquire() as conn, conn.transaction():
            previous = await conn.fetchval(
                f"""INSERT INTO {self.schema}.analytics_topic AS t (topic, topic_id)
                    VALUES ($1, $2) ON CONFLICT (topic) DO UPDATE SET topic = t.topic
                    RETURNING t.topic_id""",
                ANALYTICS_TOPIC, current)
            if previous == current:
                return False
            await conn.execute(
                f"""UPDATE {self.schema}.analytics_outbox SET published_at = NULL
                    WHERE published_at IS NOT NULL""")
            await conn.execute(
                f"""UPDATE {self.schema}.analytics_topic SET topic_id = $2, updated_at = now()
                    WHERE topic = $1""", ANALYTICS_TOPIC, current)
        log.info("analytics.republishing", incarnation=current, previous_incarnation=previous)
        return True

    async def publish_pending(self, limit: int = 500) -> int:
        """Publish one batch of pending facts; returns how many were published."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT seq, event_id, key, value FROM {self.schema}.analytics_outbox
                    WHERE published_at IS NULL ORDER BY seq LIMIT {int(limit)}""")
            if not rows:
                return 0
            sent = []
            for row in rows:
                record = orjson.loads(row["value"])
                headers = [(HEADER_EVENT_ID, str(row["event_id"]).encode()),
                           (HEADER_EVENT_TYPE, str(record["event_type"]).encode()),
                           (HEADER_SCHEMA_VERSION, str(FACT_SCHEMA_VERSION).encode())]
                key = row["key"].encode()
                sent.append(await self.producer.send(
                    ANALYTICS_TOPIC, value=bytes(row["value"]), key=key, headers=headers,
                    # among the partitions the broker describes: never a stale count
                    partition=partition_for(key, self.partitions) if self.partitions else None))
            await asyncio.gather(*sent)
            await conn.execute(
                f"UPDATE {self.schema}.analytics_outbox SET published_at = now() "
                f"WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows])
        PUBLISHED.inc(len(rows))
        return len(rows)

    async def run(self) -> None:
        """Drain the outbox while leading, stand by otherwise; failures are logged and retried."""
        await keep_running(self._lead_when_possible, self._failed)

    def _failed(self, exc: Exception) -> None:
        log.warning("analytics.relay_retrying", error=repr(exc))

    async def _lead_when_possible(self) -> None:
        async with self.leadership.held() as conn:
            if conn is None:
                await asyncio.sleep(STANDBY_SECONDS)
                return
            checked_at, wait = float("-inf"), self.poll_seconds
            while True:
                idle = wait > self.poll_seconds
                if time.monotonic() - checked_at >= TOPIC_CHECK_SECONDS[idle]:
                    await self.requeue_if_the_topic_is_new()
                    checked_at = time.monotonic()
                if await self.publish_pending() == 0:
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, IDLE_POLL_SECONDS)
                else:
                    wait = self.poll_seconds
