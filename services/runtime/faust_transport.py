"""faust's aiokafka transport with a configurable fetch wait (faust hard-codes 1.5 s)."""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as driver

FETCH_MAX_WAIT_MS = 10


class _FastFetchConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # The local broker waits the full fetch wait on an idle partition: 1.5 s per hop.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _FastFetchConsumer(driver.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _FastFetchConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(driver.Transport):
    """The aiokafka transport, fetching with a short wait."""

    Consumer = _FastFetchConsumer
