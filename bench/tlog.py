"""`python -m bench.tlog`: proof latency over a 1M-leaf log, and the offline verifier's time.

Builds a service-shaped verifiable log directly in Postgres (leaf hashes computed in Python, leaves
and complete subtrees COPYed in), then asks the real `/v1/log` routes, in process over ASGI, for
random inclusion and consistency proofs, and times `casetrack verify`'s core on a 1,000-event
bundle proved against that tree. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.stats import latency_summary
from events import GENESIS_HASH, EventEnvelope, new_event_id
from events.tlog import Cosigner, generate_signer_key, signer_from_key
from events.tlog.bundle import Bundle, BundleEvent, BundleLog, BundleStream, Trust, verify_bundle
from events.tlog.checkpoint import Checkpoint
from events.tlog.merkle import Node, extend_frontier, fold_subtrees, leaf_hash
from events.tlog.note import b64encode, sign_note
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import ServiceSchema, migrate
from services.runtime.eventstore import EventStore
from services.runtime.settings import Settings
from services.runtime.tlog.store import TreeStore
from tests.support.system import JWT_SECRET, free_port, token

SCHEMA = "tlogbench"
BATCH = 100_000
ACTOR = '{"id": "op-1", "role": "operator", "region": "KZ-75"}'


def say(message: str) -> None:
    """One progress line."""
    print(f"[bench.tlog {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sealed_streams(streams: int, per_stream: int) -> list[list[EventEnvelope]]:
    """Real sealed envelopes: the bundle's events (their hashes are the first leaves)."""
    at = datetime(2026, 12, 1, tzinfo=UTC)
    out = []
    for s in range(streams):
        prev, chain = GENESIS_HASH, []
        for v in range(per_stream):
            envelope = EventEnvelope.seal(
                prev_hash=prev, stream_id=f"case-bench-{s}", stream_type="case", version=v + 1,
                event_id=new_event_id(), event_type="case.progress_noted", schema_version=1,
                occurred_at=at + timedelta(seconds=v), recorded_at=at + timedelta(seconds=v),
                actor={"id": "op-1", "role": "operator", "region": "KZ-75"}, correlation_id=None,
                causation_id=None, payload={"note": f"step {v}", "evidence_refs": []})
            chain.append(envelope)
            prev = envelope.hash
        out.append(chain)
    return out


async def build_tree(pool: asyncpg.Pool, leaves: int, first: list[EventEnvelope]) -> list[uuid.UUID]:
    """COPY `leaves` leaves (the given envelopes first, random data after) and every subtree."""
    frontier: list[Node] = []
    ids: list[uuid.UUID] = []
    async with pool.acquire() as conn:
        for start in range(0, leaves, BATCH):
            count = min(BATCH, leaves - start)
            data = [bytes.fromhex(first[start + i].hash) if start + i < len(first) else os.urandom(32)
                    for i in range(count)]
            batch_ids = [first[start + i].event_id if start + i < len(first) else uuid.uuid4()
                         for i in range(count)]
            frontier, created = extend_frontier(frontier, [leaf_hash(d) for d in data])
            await conn.copy_records_to_table("tlog_nodes", schema_name=SCHEMA,
                                             records=created, columns=["level", "index", "hash"])
            await conn.copy_records_to_table(
                "tlog_leaves", schema_name=SCHEMA, columns=["leaf_index", "event_id", "position"],
                records=[(start + i, batch_ids[i], start + i + 1) for i in range(count)])
            ids += batch_ids
        await conn.execute(f"UPDATE {SCHEMA}.tlog_state SET size = $1, cursor = $2", leaves,
                           json.dumps({"position": leaves}))
        await conn.execute(f"ANALYZE {SCHEMA}.tlog_nodes; ANALYZE {SCHEMA}.tlog_leaves")
    assert fold_subtrees([h for _, _, h in frontier])
    return ids


async def proof_latency(settings: Settings, ids: list[uuid.UUID], size: int, requests: int
                        ) -> dict[str, Any]:
    """Random inclusion and consistency proofs through the real routes (ASGI, in process)."""
    from fastapi import FastAPI

    from services.runtime.http import create_service_app
    from services.runtime.tlog.api import router

    app: FastAPI = create_service_app(SCHEMA, routers=[router], settings=settings)
    headers = {"Authorization": f"Bearer {token('monitor', ['*'], 'bench')}"}
    out: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://log") as client:
            for kind in ("livez", "inclusion", "consistency"):
                seconds = []
                params: dict[str, Any]
                for n in range(requests + 50):
                    path = f"/v1/log/proofs/{kind}"
                    if kind == "livez":  # the same app's cheapest route: the HTTP stack's own price
                        path, params = "/livez", {}
                    elif kind == "inclusion":
                        params = {"event_id": str(random.choice(ids)), "tree_size": size}
                    else:
                        old = random.randint(1, size - 1)
                        params = {"from": old, "to": random.randint(old, size)}
                    started = time.perf_counter()
                    response = await client.get(path, params=params, headers=headers)
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, response.text
                    if n >= 50:  # warm-up left out
                        seconds.append(elapsed)
                out[kind] = latency_summary(seconds)
            out["store_only"] = await _store_only(app, ids, size, requests)
    return out


async def _store_only(app: Any, ids: list[uuid.UUID], size: int, requests: int) -> dict[str, Any]:
    """The same inclusion proofs from the tree store alone (no HTTP, auth or JSON)."""
    pool: asyncpg.Pool = app.state.runtime.pool
    tree = TreeStore(SCHEMA)
    seconds = []
    async with pool.acquire() as conn:
        for _ in range(requests):
            started = time.perf_counter()
            index = await tree.leaf_index(conn, random.choice(ids))
            assert index is not None
            await tree.inclusion(conn, index, size)
            seconds.append(time.perf_counter() - started)
    return latency_summary(seconds)


async def verifier_time(pool: asyncpg.Pool, streams: list[list[EventEnvelope]], size: int,
                        folder: Path) -> dict[str, Any]:
    """Build a 1,000-event bundle proved against the 1M tree; time parse + verify, as the CLI does."""
    origin = f"casetrack/{SCHEMA}/bench"
    signer = signer_from_key(generate_signer_key(origin))
    witness = Cosigner.from_key(Cosigner.generate("monitors.example/bench"))
    tree = TreeStore(SCHEMA)
    async with pool.acquire() as conn:
        root = await tree.root(conn, size)
        index = 0
        bundle_streams = []
        for chain in streams:
            events = []
            for envelope in chain:
                proof = await tree.inclusion(conn, index, size)
                events.append(BundleEvent(envelope=envelope, leaf_index=index, tree_size=size,
                                          inclusion=[b64encode(h) for h in proof]))
                index += 1
            bundle_streams.append(BundleStream(service=SCHEMA, stream_type="case",
                                               stream_id=chain[0].stream_id, events=events))
    text = Checkpoint(origin, size, root).text()
    note = sign_note(text, [signer]) + witness.cosign(text, int(time.time())).line()
    bundle = Bundle(subject_type="case", subject_id="bench", generated_at=datetime.now(UTC).isoformat(),
                    logs={SCHEMA: BundleLog(origin=origin, checkpoints=[note])}, streams=bundle_streams)
    path = folder / "bundle.json"
    path.write_text(bundle.model_dump_json())
    trust = Trust(logs=[signer.verifier()], witnesses=[witness.verifier()], required_witnesses=1)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        report = verify_bundle(Bundle.model_validate_json(path.read_bytes()), trust)
        runs.append(time.perf_counter() - started)
        assert report.ok and report.events_verified == index, report.failures[:1]
    return {"events": index, "bundle_bytes": path.stat().st_size,
            "seconds_median": sorted(runs)[len(runs) // 2], "seconds_max": max(runs)}


async def sequencing_rate(database_url: str, events: int) -> dict[str, Any]:
    """Events/s the sequencer appends to a fresh log (what checkpointing costs per event written)."""
    from services.runtime.tlog.sequencer import Sequencer

    schema = "tlogseqbench"
    await migrate(database_url, (ServiceSchema(schema, ("_event_store", "_tlog")),))
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=2,
                                     server_settings={"search_path": schema})
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            at = datetime.now(UTC)
            await conn.copy_records_to_table("events", schema_name=schema, columns=[
                "stream_id", "stream_type", "version", "event_id", "event_type", "schema_version",
                "occurred_at", "recorded_at", "actor", "payload", "prev_hash", "hash"], records=[
                (f"s-{i}", "case", 1, uuid.uuid4(), "case.noted", 1, at, at, ACTOR, "{}", "0" * 64,
                 os.urandom(32).hex()) for i in range(events)])
            sequencer = Sequencer(EventStore(pool, schema))
            started = time.perf_counter()
            added = await sequencer.catch_up(conn)
            seconds = time.perf_counter() - started
    finally:
        await pool.close()
    return {"events": added, "seconds": round(seconds, 2), "events_per_s": round(added / seconds)}


async def main_async(leaves: int, requests: int, database_url: str | None, folder: Path) -> dict[str, Any]:
    """Build, measure, return the figures."""
    pg = None
    if database_url is None:
        pg = EmbeddedPostgres(folder / "pgdata", free_port(), log_file=folder / "postgres.log")
        pg.start()
        pg.ensure_database("casetrack")
        database_url = pg.url("casetrack")
    try:
        await migrate(database_url, (ServiceSchema(SCHEMA, ("_event_store", "_tlog")),))
        settings = Settings(CASETRACK_ENV="dev", DATABASE_URL=database_url, CASETRACK_JWT_SECRET=JWT_SECRET,
                            CASETRACK_LOG_KEY_DIR=str(folder / "keys"),
                            CASETRACK_RATE_LIMITS={})  # one client asking as fast as it can
        streams = sealed_streams(50, 20)
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2,
                                         server_settings={"search_path": SCHEMA})
        assert pool is not None
        try:
            say(f"building a {leaves:,}-leaf tree in Postgres")
            started = time.perf_counter()
            ids = await build_tree(pool, leaves, [e for chain in streams for e in chain])
            built = time.perf_counter() - started
            say(f"built in {built:.1f}s; {requests} inclusion and consistency proofs over HTTP")
            proofs = await proof_latency(settings, ids, leaves, requests)
            say("timing the verifier on a 1,000-event bundle")
            verifier = await verifier_time(pool, streams, leaves, folder)
            say("sequencing rate over 100,000 appended events")
            sequencing = await sequencing_rate(database_url, 100_000)
        finally:
            await pool.close()
        return {"leaves": leaves, "build_seconds": round(built, 1), "proofs": proofs,
                "verifier": verifier, "sequencing": sequencing,
                "load_average": os.getloadavg()}
    finally:
        if pg is not None:
            pg.stop()


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.tlog", description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="an existing server (default: embedded)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="casetrack-bench-tlog-"))
    try:
        figures = asyncio.run(main_async(args.leaves, args.requests, args.database_url, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
