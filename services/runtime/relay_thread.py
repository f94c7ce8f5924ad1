"""The outbox relay on a thread and event loop of its own, beside a service's API.

Sharing the API's loop, each step of the relay (read, send, acknowledge, save the cursor) waited
behind every request callback ready at the time: under an open load, committed rows waited
seconds while already publishable, some 500 times longer than running writers held them back
(issue 12's measurement). On its own loop a step resumes once its I/O is done and the thread gets the
interpreter (the interpreter hands it over every 5 ms at most). asyncpg and aiokafka objects belong
to one loop, so the relay opens its own small pool and producer there. Readiness and metrics read
the relay object (`healthy`, `is_leader`, Prometheus), which is safe from another thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import threading

from services.runtime.db import create_pool, database_url_for
from services.runtime.eventstore import EventStore
from services.runtime.kafka import create_producer
from services.runtime.relay import OutboxRelay
from services.runtime.settings import Settings

RELAY_POOL_SIZE = 3
"""The leadership lock's session, a read and a cursor save at once."""


class RelayThread:
    """A service's relay, run on a daemon thread from `start` until `stop`."""

    def __init__(self, service: str, settings: Settings, topic: str) -> None:
        self.service = service
        self.settings = settings
        self.topic = topic
        self.relay: OutboxRelay | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name=f"{service}-relay", daemon=True)

    async def start(self) -> OutboxRelay:
        """Open the relay's pool and producer on its thread and start publishing."""
        # How long a busy API thread keeps the interpreter from the relay once the relay's I/O is
        # done, paid at every await of a publishing cycle under load; shorter costs the API.
        sys.setswitchinterval(self.settings.switch_interval)
        self._thread.start()
        await asyncio.wrap_future(self._ready)
        assert self.relay is not None
        return self.relay

    def wake(self) -> bool:
        """Wake the relay from another thread if it leads now; whether it did (else the leader
        is elsewhere, and only a notification through Postgres reaches it)."""
        relay, loop = self.relay, self._loop
        if relay is None or loop is None or not relay.is_leader or loop.is_closed():
            return False
        try:
            loop.call_soon_threadsafe(relay.wake)
        except RuntimeError:  # the loop closed meanwhile
            return False
        return True

    async def stop(self) -> None:
        """Cancel the relay (it gives up the lead), close its pool and producer, join the thread."""
        if self._loop is not None and self._main is not None:
            self._loop.call_soon_threadsafe(self._main.cancel)
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        try:
            asyncio.run(self._publish())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # startup failed: the API's lifespan raises it
            if not self._ready.done():
                self._ready.set_exception(exc)

    async def _publish(self) -> None:
        self._loop, self._main = asyncio.get_running_loop(), asyncio.current_task()
        cfg = self.settings
        pool = await create_pool(database_url_for(self.service, cfg.database_url), self.service,
                                 min_size=1, max_size=RELAY_POOL_SIZE)
        try:
            producer = create_producer(cfg, f"casetrack-{self.service}-relay")
            await producer.start()
            try:
                self.relay = OutboxRelay(EventStore(pool, self.service), producer, pool,
                                         cfg.kafka_bootstrap_servers, self.topic)
                self._ready.set_result(None)
                await self.relay.run()
            finally:
                await producer.stop()
        finally:
            await pool.close()
