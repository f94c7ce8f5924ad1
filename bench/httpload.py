"""The load generator: HTTP/1.1 keep-alive POSTs from its own process, closed- or open-loop.

Closed loop: N clients, each sends its next request when the last one answered (throughput and
latency at concurrency N). Open loop: requests start on a fixed schedule (R per second), whatever
the answers do; latency counts from the scheduled start, so a stall is not hidden (no coordinated
omission); a request that cannot even start 5 s after its time is dropped and counted as status 0.
With `visible_dsn`, each 2xx's case id is then polled for in reporting.case_register and the time
from the 2xx to the row being visible is the end-to-end latency.

Run by the bench as `python -m bench.httpload '<json config>'`; prints one JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.stats import latency_summary, rate

VISIBILITY_POLL_SECONDS = 0.005
VISIBILITY_WAIT_SECONDS = 30.0
OPEN_LOOP_CONNECTIONS = 64
MAX_LATE_SECONDS = 5.0
"""Open loop: a request not started within this of its schedule is dropped (status 0)."""


@dataclass(frozen=True)
class LoadConfig:
    """What to send, where, and how hard."""

    url: str
    body: str
    seconds: float
    warmup: float = 0.0
    concurrency: int = 1
    rate: float | None = None
    token: str | None = None
    idempotency_keys: bool = False
    visible_dsn: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


class Connection:
    """One keep-alive HTTP/1.1 connection doing one request at a time."""

    def __init__(self, config: LoadConfig) -> None:
        parts = urlsplit(config.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.body = config.body.encode()
        headers = {"Host": f"{self.host}:{self.port}", "Content-Type": "application/json",
                   "Content-Length": str(len(self.body)), **config.extra_headers}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        self.head = (f"POST {parts.path or '/'} HTTP/1.1\r\n"
                     + "".join(f"{k}: {v}\r\n" for k, v in headers.items()))
        self.idempotency_keys = config.idempotency_keys
        self.sent = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self) -> tuple[int, bytes]:
        """Send the body once; the status and response body."""
        reused = not (self.writer is None or self.reader is None or self.writer.is_closing())
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None and self.writer is not None
        self.sent += 1
        extra = f"Idempotency-Key: bench-{id(self)}-{self.sent}\r\n" if self.idempotency_keys else ""
        self.writer.write((self.head + extra + "\r\n").encode() + self.body)
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            # The server closed a keep-alive connection that sat idle (open loop at a low
            # rate) before reading this request: send it again on a fresh connection.
            self.writer.close()
            self.writer = None
            return await self.post()
        lines = raw.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, data

    def close(self) -> None:
        """Close the socket if open."""
        if self.writer is not None:
            self.writer.close()


async def closed_loop(config: LoadConfig) -> dict[str, Any]:
    """`concurrency` clients back to back for warmup + seconds; only the measured part counts."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, end = start + config.warmup, start + config.warmup + config.seconds
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def client() -> None:
        conn = Connection(config)
        try:
            while (sent := loop.time()) < end:
                status, _ = await conn.post()
                done = loop.time()
                if sent >= measure_from:
                    latencies.append(done - sent)
                    statuses[status] += 1
        finally:
            conn.close()

    await asyncio.gather(*(client() for _ in range(config.concurrency)))
    elapsed = loop.time() - measure_from
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    return {"mode": "closed", "concurrency": config.concurrency, "seconds": round(elapsed, 2),
            "requests": sum(statuses.values()), "ok": ok, "rps": rate(ok, elapsed),
            "statuses": {str(s): n for s, n in sorted(statuses.items())},
            **latency_summary(latencies)}


async def open_loop(config: LoadConfig) -> dict[str, Any]:
    """`rate` requests per second on schedule; optionally the 2xx-to-visible latency of each."""
    assert config.rate
    loop = asyncio.get_running_loop()
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(OPEN_LOOP_CONNECTIONS):
        idle.put_nowait(Connection(config))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    answered: dict[str, float] = {}
    pending: set[str] = set()
    visible: list[float] = []
    walls: dict[str, list[float]] = {}
    """Per case: wall-clock seconds of its 2xx and of its first sighting in reporting."""

    async def one(scheduled: float) -> None:
        conn = await idle.get()
        if loop.time() - scheduled > MAX_LATE_SECONDS:  # overloaded: keep the run bounded
            idle.put_nowait(conn)
            statuses[0] += 1
            return
        try:
            status, data = await conn.post()
        finally:
            idle.put_nowait(conn)
        done = loop.time()
        latencies.append(done - scheduled)
        statuses[status] += 1
        if 200 <= status < 300 and config.visible_dsn:
            case_id = str(json.loads(data)["id"])
            answered[case_id] = done
            walls[case_id] = [time.time()]
            pending.add(case_id)

    total = int(config.rate * config.seconds)
    start = loop.time() + 0.05
    sent, drained = asyncio.Event(), asyncio.Event()
    watcher = asyncio.create_task(_watch_visibility(config, answered, pending, visible, sent,
                                                    drained, walls))
    tasks = []
    for i in range(total):
        scheduled = start + i / config.rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    sent.set()
    if config.visible_dsn:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drained.wait(), VISIBILITY_WAIT_SECONDS)
    watcher.cancel()
    while not idle.empty():
        idle.get_nowait().close()
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    result: dict[str, Any] = {
        "mode": "open", "target_rate": config.rate, "seconds": round(elapsed, 2),
        "requests": sum(statuses.values()), "ok": ok, "rps": rate(ok, elapsed),
        "statuses": {str(s): n for s, n in sorted(statuses.items())}, **latency_summary(latencies)}
    if config.visible_dsn:
        result["end_to_end"] = {"visible": len(visible), "never_visible": len(pending),
                                "poll_ms": VISIBILITY_POLL_SECONDS * 1000,
                                **latency_summary(visible)}
        result["case_walls"] = walls
    return result


async def _watch_visibility(config: LoadConfig, answered: dict[str, float], pending: set[str],
                            visible: list[float], sent: asyncio.Event, drained: asyncio.Event,
                            walls: dict[str, list[float]]) -> None:
    """Poll reporting's case register for the answered case ids until each shows up."""
    import asyncpg

    if not config.visible_dsn:
        return
    loop = asyncio.get_running_loop()
    conn = await asyncpg.connect(config.visible_dsn)
    try:
        while True:
            if pending:
                rows = await conn.fetch("SELECT case_id FROM reporting.case_register"
                                        " WHERE case_id = ANY($1::text[])", list(pending))
                seen, seen_wall = loop.time(), time.time()
                for row in rows:
                    pending.discard(row["case_id"])
                    visible.append(seen - answered[row["case_id"]])
                    walls[row["case_id"]].append(seen_wall)
            if sent.is_set() and not pending:
                drained.set()
            await asyncio.sleep(VISIBILITY_POLL_SECONDS)
    finally:
        await conn.close()


def run_load(config: LoadConfig, timeout: float = 600) -> dict[str, Any]:
    """Run the generator in its own process and return what it measured."""
    done = subprocess.run([sys.executable, "-m", "bench.httpload", json.dumps(asdict(config))],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    """Entry point of the generator process."""
    config = LoadConfig(**json.loads(sys.argv[1]))
    run = open_loop if config.rate else closed_loop
    print(json.dumps(asyncio.run(run(config))))


if __name__ == "__main__":
    main()
