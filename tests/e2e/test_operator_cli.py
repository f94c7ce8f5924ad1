"""The `casetrack` operator commands against the running system, as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from aiokafka import AIOKafkaProducer

from events import (
    DLQ_PARTITIONS,
    HEADER_DLQ_CONSUMER,
    HEADER_DLQ_ERROR,
    HEADER_DLQ_ORIGIN_OFFSET,
    HEADER_DLQ_ORIGIN_PARTITION,
    HEADER_DLQ_ORIGIN_TOPIC,
    INTAKE_TOPIC,
    dlq_topic,
)
from services.reporting.consumers import PROJECTOR
from services.runtime.catalog import consumers_by_service
from services.runtime.topics import present_incarnation
from tests.e2e.reporting.support import at_rest, case_body, post
from tests.e2e.reporting.test_rebuild import caught_up, run_rebuild
from tests.support.system import JWT_SECRET, RunningSystem
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def casetrack(system: RunningSystem, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a separate process with the system's environment."""
    return subprocess.run([sys.executable, "-m", "cli", *args], env=system.env(), cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)


def status(system: RunningSystem) -> dict[str, Any]:
    """`casetrack status --json`, parsed."""
    done = casetrack(system, "status", "--json")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def projector_lag(report: dict[str, Any]) -> int:
    return sum(c["lag"] for c in report["consumers"]
               if c["consumer"] == PROJECTOR and c["topic"] == INTAKE_TOPIC)


async def test_status_names_every_service_relay_and_consumer_partition_and_shows_a_paused_consumers_lag(
    system: RunningSystem,
) -> None:
    wanted = {sub.name: 6 * len(sub.topics) for subs in consumers_by_service().values()
              for sub in subs}

    async def settled() -> dict[str, Any] | None:
        # A loaded machine can let a lease lapse for a moment; the status is read until steady.
        seen = await _status(system)
        return seen if not seen["errors"] and _held(seen) == wanted else None

    report = await eventually(settled, what="every consumer's partitions held by a live replica")
    assert report["errors"] == []
    assert {s["service"]: s["ready"] for s in report["services"]} == dict.fromkeys(system.urls, True)
    assert all(s["version"] for s in report["services"])
    assert {r["service"] for r in report["relays"]} == {"intake", "assignment", "review"}
    expected = {(sub.name, topic) for subs in consumers_by_service().values() for sub in subs
                for topic in sub.topics}
    assert {(c["consumer"], c["topic"]) for c in report["consumers"]} == expected
    assert {d["consumer"] for d in report["dead_letters"]} == {name for name, _ in expected}
    assert _held(report) == wanted, "one replica of each consumer reads every partition"

    system.signal("reporting-worker", signal.SIGSTOP)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for _ in range(3):
                await post(client, f"{system.intake_url}/v1/cases", case_body())

        async def lagging() -> dict[str, Any] | None:
            seen = await _status(system)
            return seen if projector_lag(seen) > 0 else None

        await eventually(lagging, what="the paused projector's lag on the intake topic")
    finally:
        system.signal("reporting-worker", signal.SIGCONT)

    async def caught_up() -> dict[str, Any] | None:
        seen = await _status(system)
        return seen if projector_lag(seen) == 0 else None

    report = await eventually(caught_up, what="the projector caught up")
    assert all(r["events"] >= 0 and r["position"] <= r["head"] for r in report["relays"])


def _held(report: dict[str, Any]) -> dict[str, int]:
    return {m["consumer"]: len(m["partitions"]) for m in report["members"]
            if m["lease_seconds_left"] > 0}


async def _status(system: RunningSystem) -> dict[str, Any]:
    return await asyncio.to_thread(status, system)


async def test_dlq_lists_shows_and_refuses_to_replay_an_unreadable_letter(system: RunningSystem
                                                                         ) -> None:
    marker = uuid.uuid4().hex
    # As a consumer dead-letters: into partition 0 of the topic made with its partition count.
    await present_incarnation(system.bootstrap, dlq_topic(PROJECTOR), DLQ_PARTITIONS)
    producer = AIOKafkaProducer(bootstrap_servers=system.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        sent = await producer.send_and_wait(dlq_topic(PROJECTOR), value=f"poison {marker}".encode(),
                                            headers=[(HEADER_DLQ_ORIGIN_TOPIC, INTAKE_TOPIC.encode()),
                                                     (HEADER_DLQ_ORIGIN_PARTITION, b"2"),
                                                     (HEADER_DLQ_ORIGIN_OFFSET, b"41"),
                                                     (HEADER_DLQ_CONSUMER, PROJECTOR.encode()),
                                                     (HEADER_DLQ_ERROR, b"JSONDecodeError")],
                                            partition=0)
    finally:
        await producer.stop()
    listed = casetrack(system, "dlq", "list", PROJECTOR, "--json")
    assert listed.returncode == 0, listed.stderr
    (letter,) = [x for x in json.loads(listed.stdout) if x["offset"] == sent.offset]
    assert (letter["origin_topic"], letter["origin_partition"], letter["origin_offset"]) == (
        INTAKE_TOPIC, 2, 41)

    shown = casetrack(system, "dlq", "show", PROJECTOR, str(sent.offset), "--json")
    assert json.loads(shown.stdout)["value"] == f"poison {marker}"

    replayed = casetrack(system, "dlq", "replay", PROJECTOR, str(sent.offset), "--json")
    assert replayed.returncode == 1
    assert json.loads(replayed.stdout)[0]["outcome"].startswith("unreadable")
    waiting = {d["consumer"]: d["waiting"] for d in status(system)["dead_letters"]}
    assert waiting[PROJECTOR] >= 1

    unknown = casetrack(system, "dlq", "list", "no-such-consumer")
    assert unknown.returncode == 2 and "reporting-projector" in unknown.stderr


async def test_token_seed_case_verify_and_exports_work_through_the_apis(system: RunningSystem,
                                                                       tmp_path: Path) -> None:
    made = casetrack(system, "token", "--role", "monitor", "--regions", "KZ-75,KZ-71")
    claims = jwt.decode(made.stdout.strip(), JWT_SECRET, algorithms=["HS256"],
                        audience="casetrack-api")
    assert (claims["role"], claims["regions"]) == ("monitor", ["KZ-75", "KZ-71"])

    seeded = casetrack(system, "seed", "--json")
    assert seeded.returncode == 0, seeded.stderr
    counts = json.loads(seeded.stdout)
    assert counts["created"] + counts["existing"] > 0

    async with httpx.AsyncClient(timeout=30) as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body())
        await at_rest(client, system, "cases", case["id"])
    verified = casetrack(system, "case", "verify", case["id"], "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["verified"] is True

    from pyarrow import parquet

    out = tmp_path / "cases.parquet"
    exported = casetrack(system, "export", "cases", "--format", "parquet", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    rows = parquet.read_table(out).to_pylist()
    assert case["id"] in {row["case_id"] for row in rows}
    csv_out = tmp_path / "cases.csv"
    assert casetrack(system, "export", "cases", "--out", str(csv_out)).returncode == 0
    assert case["id"] in csv_out.read_text()  # other tests' subjects may come in between


async def test_rebuild_runs_a_services_rebuild_with_progress_or_says_it_has_none(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    done = casetrack(system, "rebuild", "intake")
    assert done.returncode == 2
    assert "not available for intake" in done.stderr
    assert casetrack(system, "rebuild", "nosuch").returncode == 2

    async with httpx.AsyncClient(timeout=30) as client:
        case = await post(client, f"{system.intake_url}/v1/cases", case_body())
        await at_rest(client, system, "cases", case["id"])
    await caught_up(db, system)
    # Whether live and rebuilt models agree depends on the session's history (a broker restart
    # drops synthetic events other tests put on the topics); the CLI must answer as the module.
    direct = await run_rebuild(system, "--check")
    checked = await asyncio.to_thread(casetrack, system, "rebuild", "reporting", "--check")
    assert checked.returncode == direct.returncode, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1:] == direct.stdout.splitlines()[-1:]
    assert "ETA" in checked.stderr, "the rebuild's progress bar reaches the operator"
