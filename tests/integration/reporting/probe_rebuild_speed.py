"""Probe (not committed): reporting's rebuild over N case registrations, before vs after."""
import os
import re
import subprocess
import sys

import pytest
from aiokafka import AIOKafkaProducer

from bench.samples import sealed
from events import INTAKE_TOPIC, message_headers
from services.runtime.topics import ensure_topics

N = int(os.environ.get("PROBE_EVENTS", "20000"))
VARIANTS = {"before": "/tmp/i12r-base", "after": "/work/wt/i12r"}


@pytest.mark.integration
async def test_probe(migrated_database_url: str, kafka_bootstrap: str) -> None:
    await ensure_topics(kafka_bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=5)
    await producer.start()
    try:
        for _ in range(N):
            env = sealed()
            await producer.send(INTAKE_TOPIC, env.to_wire(), key=env.stream_id.encode(),
                                headers=message_headers(env))
        await producer.flush()
    finally:
        await producer.stop()
    if os.environ.get("PROBE_PROFILE"):
        env = {**os.environ, "DATABASE_URL": migrated_database_url,
               "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
        done = subprocess.run([sys.executable, "/tmp/prof_probe.py"], env=env, capture_output=True, text=True)
        sys.__stderr__.write(done.stdout[-6000:])
        return
    results: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for _ in range(int(os.environ.get("PROBE_ROUNDS", "3"))):
        for name, root in VARIANTS.items():
            env = {**os.environ, "DATABASE_URL": migrated_database_url,
                   "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "PYTHONPATH": root}
            done = subprocess.run([sys.executable, "-m", "services.reporting.rebuild"], env=env,
                                  cwd=root, capture_output=True, text=True, check=False)
            found = re.search(r"(\d+) events replayed.*?after ([\d.]+)s", done.stdout)
            assert found, done.stdout + done.stderr[-2000:]
            results[name].append(int(found[1]) / float(found[2]))
    for name, rates in results.items():
        sys.__stderr__.write(f"\nPROBE {name}: {[round(r) for r in rates]} ev/s, best {max(rates):,.0f}")
