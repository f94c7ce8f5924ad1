"""The operational metrics beyond HTTP: commands, appends, lag, dead letters, apply rate.

Two kinds. Timings are observed where the work happens (the command pipeline, the consumer
loop). Backlogs are *looked at* from the API's `/metrics`, from the marks in Postgres and the
broker's end offsets, so a dead or stuck worker still shows how far behind it is and every
replica reports the same figure (alert on `max`). `infra/prometheus/alerts.yml` and
`infra/grafana/casetrack.json` use these names; their tests check that every name exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence

import asyncpg
from prometheus_client import Gauge, Histogram

from events import dlq_topic
from services.runtime.lag import consumer_lags, dead_letter_counts, relay_backlogs
from services.runtime.logs import get_logger
from services.runtime.topics import topic_ids

log = get_logger(__name__)

SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

COMMAND_SECONDS = Histogram(
    "casetrack_command_seconds", "A command through the pipeline: load, decide, append, commit",
    ["service", "command"], buckets=SECONDS)
APPEND_SECONDS = Histogram(
    "casetrack_append_seconds", "Writing a command's events and answer (before the commit)",
    ["service"], buckets=SECONDS)
COMMIT_SECONDS = Histogram("casetrack_commit_seconds", "A command's commit", ["service"],
                           buckets=SECONDS)
CONSUMER_APPLY_SECONDS = Histogram(
    "casetrack_consumer_apply_seconds", "Applying one fetched batch in one transaction",
    ["consumer"], buckets=SECONDS)
CONSUMER_LAG_SECONDS = Gauge(
    "casetrack_consumer_lag_seconds",
    "Age of the last message applied, when applied (0 once a fetch finds nothing new)",
    ["consumer", "topic", "partition"])
CONSUMER_PARTITIONS = Gauge(
    "casetrack_consumer_partitions", "Partitions this replica of a consumer reads", ["consumer"])

RELAY_BACKLOG_EVENTS = Gauge(
    "casetrack_relay_backlog_events", "Events committed but not yet published", ["topic"])
RELAY_BACKLOG_SECONDS = Gauge(
    "casetrack_relay_backlog_seconds", "Age of the oldest event not yet published", ["topic"])
CONSUMER_LAG_MESSAGES = Gauge(
    "casetrack_consumer_lag_messages", "End offset minus the consumer's stored position",
    ["consumer", "topic", "partition"])
DEAD_LETTERS_WAITING = Gauge(
    "casetrack_dead_letters_waiting", "Dead letters not yet replayed into their consumer",
    ["consumer"])
OBSERVED_AT = Gauge("casetrack_backlog_observed_timestamp_seconds",
                    "When the backlog gauges were last refreshed (unix time)")

REFRESH_SECONDS = 2.0
REFRESH_TIMEOUT = 5.0


class BacklogObserver:
    """Refreshes the backlog gauges of one service, at most every REFRESH_SECONDS."""

    def __init__(self, service: str, pool: asyncpg.Pool, bootstrap: str, owns_log: bool,
                 consumers: Mapping[str, Sequence[str]]) -> None:
        self.service = service
        self.pool = pool
        self.bootstrap = bootstrap
        self.owns_log = owns_log
        self.consumers = consumers
        self._at = 0.0
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Look again unless looked very recently; a failure keeps the last figures."""
        async with self._lock:
            if time.monotonic() - self._at < REFRESH_SECONDS:
                return
            self._at = time.monotonic()
            try:
                async with asyncio.timeout(REFRESH_TIMEOUT):
                    await self._observe()
                OBSERVED_AT.set(time.time())
            except Exception as exc:  # metrics must answer even when the broker does not
                log.info("metrics.backlog_unobserved", error=repr(exc))

    async def _observe(self) -> None:
        async with self.pool.acquire() as conn:
            if self.owns_log:
                for relay in await relay_backlogs(conn, self.service):
                    RELAY_BACKLOG_EVENTS.labels(relay.topic).set(relay.events)
                    RELAY_BACKLOG_SECONDS.labels(relay.topic).set(relay.seconds)
            if not self.consumers:
                return
            for lag in await consumer_lags(conn, self.service, self.consumers, self.bootstrap):
                CONSUMER_LAG_MESSAGES.labels(lag.consumer, lag.topic, str(lag.partition)).set(
                    lag.messages)
            held = await dead_letter_counts(self.bootstrap, list(self.consumers))
            ids = await topic_ids(self.bootstrap, [dlq_topic(c) for c in self.consumers])
            for consumer, count in held.items():
                done = await conn.fetchval(
                    f"""SELECT count(*) FROM {self.service}.dead_letter_replays
                        WHERE consumer = $1 AND topic_id = $2
                          AND outcome IN ('applied', 'duplicate')""",
                    consumer, ids.get(dlq_topic(consumer)) or "")
                DEAD_LETTERS_WAITING.labels(consumer).set(max(count - int(done), 0))


def serve_worker_metrics(host: str, port: int | None) -> None:
    """Serve a worker's metrics on their own port (workers have no HTTP app); 0/None: off."""
    if port:
        from prometheus_client import start_http_server

        with contextlib.suppress(OSError):  # a taken port must not stop the consumers
            start_http_server(port, addr=host)
            return
        log.warning("metrics.port_taken", port=port)
