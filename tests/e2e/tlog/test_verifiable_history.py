"""Verifiable history end to end: witnesses cosign, a case bundle verifies offline, attacks fail.

The services run as processes; the witness and verifier are the `casetrack` command line, and a
second verifier written from the specifications alone, in JavaScript, must accept the same bundle.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from events import EventEnvelope, compute_hash
from events.tlog import Cosigner
from services.runtime.tlog.sequencer import sequencer_lock
from tests.e2e.intake.client import Intake
from tests.e2e.reporting.support import at_rest
from tests.support.system import RunningSystem, auth, token
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

OWNERS = ("intake", "assignment", "review")
INDEPENDENT_VERIFIER = Path(__file__).resolve().parents[2] / "interop" / "tlog_verifier.mjs"
runner = CliRunner()


async def log_key(client: httpx.AsyncClient, url: str) -> str:
    response = await client.get(f"{url}/v1/log/keys", headers=auth("monitor"))
    assert response.status_code == 200, response.text
    current: str = response.json()["current"]
    return current


async def witness_setup(client: httpx.AsyncClient, system: RunningSystem, folder: Path
                        ) -> tuple[Path, Path, list[str]]:
    """A monitoring group's witness key and a trust file with every owner's log key."""
    key = folder / "witness.key"
    key.write_text(Cosigner.generate("monitors.example/kz-75") + "\n")
    vkey = Cosigner.from_key(key.read_text()).verifier().vkey()
    log_keys = [await log_key(client, system.urls[s]) for s in OWNERS]
    trust = folder / "keys.txt"
    trust.write_text("# casetrack logs\n" + "\n".join(log_keys) + f"\n# witness\n{vkey}\n")
    return key, trust, log_keys


def witness(system: RunningSystem, service: str, key: Path, trust: Path, state: Path) -> tuple[int, str]:
    result = runner.invoke(app, [
        "witness", "--log", system.urls[service], "--key", str(key), "--state", str(state),
        "--log-key", str(trust), "--token", token("monitor", ["*"], "monitor-1")])
    return result.exit_code, result.output


async def checkpoint_now(client: httpx.AsyncClient, system: RunningSystem) -> None:
    for service in OWNERS:
        response = await client.post(f"{system.urls[service]}/v1/log/checkpoint", headers=auth())
        assert response.status_code == 200, response.text


async def bundle(client: httpx.AsyncClient, system: RunningSystem, case_id: str, folder: Path) -> Path:
    response = await client.get(f"{system.reporting_url}/v1/cases/{case_id}/bundle",
                                headers=auth("monitor"), timeout=60)
    assert response.status_code == 200, response.text
    path = folder / f"bundle-{case_id}.json"
    path.write_text(response.text)
    return path


def verify(path: Path, trust: Path, witnesses: int = 1) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", str(path), "--trust", str(trust),
                                 "--witnesses", str(witnesses)])
    return result.exit_code, result.output


async def witnessed_case(client: httpx.AsyncClient, system: RunningSystem, tmp_path: Path,
                         **case: object) -> tuple[str, Path, Path, Path]:
    """A registered, triaged case whose every event a witness has seen in a cosigned checkpoint.

    Other services react to the case (an assignment, say) in their own time, so the owners are
    checkpointed and witnessed until a bundle of the case verifies with one witness required.
    """
    api = Intake(client, system)
    case_id = str((await api.register(**case))["id"])
    await api.ok(f"/v1/cases/{case_id}/triage", {"risk_level": "high", "category": "land"})
    await at_rest(client, system, "cases", case_id)
    key, trust, _ = await witness_setup(client, system, tmp_path)
    state = tmp_path / "witness-state.json"

    async def all_witnessed() -> bool:
        await checkpoint_now(client, system)
        for service in OWNERS:
            code, output = witness(system, service, key, trust, state)
            assert code == 0, output
        return verify(await bundle(client, system, case_id, tmp_path), trust)[0] == 0

    await eventually(all_witnessed, what="every event of the case in a witnessed checkpoint")
    return case_id, key, trust, state


async def test_a_witnessed_case_bundle_verifies_offline_even_after_erasure(
        system: RunningSystem, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        case_id, _, trust, _ = await witnessed_case(
            client, system, tmp_path, anonymous=False,
            reporter={"name": "Aigerim", "phone": "+7 701 5550101"})
        path = await bundle(client, system, case_id, tmp_path)
        body = json.loads(path.read_text())
        (case_stream,) = [s for s in body["streams"] if s["stream_type"] == "case"]
        versions = [e["envelope"]["version"] for e in case_stream["events"]]
        assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 2
        assert "Aigerim" not in path.read_text()
        code, output = verify(path, trust)
        assert code == 0, output
        assert "OK:" in output
        erased = await Intake(client, system).ok(f"/v1/cases/{case_id}/erase-reporter",
                                                 {"reason": "data subject asked"}, role="admin")
        assert erased["reporter_erased"] is True
        code, output = verify(await bundle(client, system, case_id, tmp_path), trust, witnesses=0)
        assert code == 0, output


async def test_an_unknown_log_key_is_refused(system: RunningSystem, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        case_id, _, trust, _ = await witnessed_case(client, system, tmp_path)
        path = await bundle(client, system, case_id, tmp_path)
    witness_line = trust.read_text().splitlines()[-1]
    strangers = tmp_path / "strangers.txt"
    strangers.write_text(witness_line + "\n")
    code, output = verify(path, strangers)
    assert code == 1
    assert "not signed by any trusted key" in output


async def test_an_insider_rewrite_fails_the_bundle_at_that_event_and_the_witness_refuses_the_new_log(
        system: RunningSystem, db: asyncpg.Connection, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        case_id, key, trust, state = await witnessed_case(client, system, tmp_path)
        events = await rewrite_first_event(db, case_id)
        code, output = verify(await bundle(client, system, case_id, tmp_path), trust)
        assert code == 1
        assert f"FAIL: event {events[0].event_id}" in output
        assert "not the event the log holds" in output

        await rebuild_intake_log(db)
        await checkpoint_now(client, system)
        code, output = witness(system, "intake", key, trust, state)
        assert code == 2, output
        assert "FORK OR REWRITE DETECTED" in output
        assert evidence_files(tmp_path)
        code, output = verify(await bundle(client, system, case_id, tmp_path), trust)
        assert code == 1
        assert "witness cosignature(s), 1 required" in output


def independent_verify(path: Path, trust: Path) -> subprocess.CompletedProcess[str]:
    """The JavaScript verifier written from the specifications alone (tests/interop)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (make browser installs it)")
        pytest.skip("node is not installed (make browser installs it)")
    return subprocess.run([node, str(INDEPENDENT_VERIFIER), str(path), str(trust)],
                          capture_output=True, text=True, timeout=60, check=False)


async def test_a_verifier_written_from_the_specs_alone_accepts_a_bundle_and_refuses_a_forged_one(
        system: RunningSystem, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        case_id, _, trust, _ = await witnessed_case(client, system, tmp_path)
        path = await bundle(client, system, case_id, tmp_path)
    accepted = independent_verify(path, trust)
    assert accepted.returncode == 0 and accepted.stdout.startswith("OK"), accepted
    body = json.loads(path.read_text())

    forged_path = json.loads(path.read_text())
    event = next(e for s in forged_path["streams"] for e in s["events"] if e["inclusion"])
    first = bytearray(base64.b64decode(event["inclusion"][0]))
    first[0] ^= 1
    event["inclusion"][0] = base64.b64encode(bytes(first)).decode()
    (tmp_path / "forged-path.json").write_text(json.dumps(forged_path))
    refused = independent_verify(tmp_path / "forged-path.json", trust)
    assert refused.returncode == 1 and "inclusion proof does not lead" in refused.stdout, refused

    log = next(iter(body["logs"].values()))
    origin, size, _root, *rest = log["checkpoints"][0].split("\n")
    other_root = base64.b64encode(bytes(32)).decode()
    log["checkpoints"][0] = "\n".join([origin, size, other_root, *rest])
    (tmp_path / "forged-root.json").write_text(json.dumps(body))
    refused = independent_verify(tmp_path / "forged-root.json", trust)
    assert refused.returncode == 1 and "signature does not verify" in refused.stdout, refused


def evidence_files(folder: Path) -> list[Path]:
    """What a refusing witness kept: the checkpoint it remembered and the one it was served."""
    return list(folder.glob("witness-state.json.evidence-*"))


async def rewrite_first_event(db: asyncpg.Connection, case_id: str) -> list[EventEnvelope]:
    """An insider edits the first event's payload and recomputes every later chain hash."""
    rows = await db.fetch("SELECT * FROM intake.events WHERE stream_id = $1 ORDER BY version", case_id)
    events = [EventEnvelope.model_validate({
        **{k: r[k] for k in ("stream_id", "stream_type", "version", "event_id", "event_type",
                             "schema_version", "occurred_at", "recorded_at", "correlation_id",
                             "causation_id", "prev_hash", "hash")},
        "actor": json.loads(r["actor"]), "payload": json.loads(r["payload"])}) for r in rows]
    previous = events[0].prev_hash
    async with db.transaction():
        await db.execute("ALTER TABLE intake.events DISABLE TRIGGER events_no_update_delete")
        for index, envelope in enumerate(events):
            payload = {**envelope.payload, "district": "Medeu"} if index == 0 else envelope.payload
            moved = envelope.model_copy(update={"payload": payload, "prev_hash": previous})
            moved = moved.model_copy(update={"hash": compute_hash(previous, moved.hashed_body())})
            await db.execute("UPDATE intake.events SET payload = $2::jsonb, prev_hash = $3, hash = $4"
                             " WHERE event_id = $1", moved.event_id, json.dumps(moved.payload),
                             moved.prev_hash, moved.hash)
            previous = moved.hash
        await db.execute("ALTER TABLE intake.events ENABLE TRIGGER events_no_update_delete")
    return events


async def rebuild_intake_log(db: asyncpg.Connection) -> None:
    """The insider also throws intake's Merkle tree away so it is rebuilt over the edited events."""
    tables = ("tlog_nodes", "tlog_leaves", "tlog_checkpoints")
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock($1)", sequencer_lock("intake"))
        for table in tables:
            await db.execute(f"ALTER TABLE intake.{table} DISABLE TRIGGER USER")
        await db.execute("DELETE FROM intake.tlog_cosignatures")
        for table in tables:
            await db.execute(f"DELETE FROM intake.{table}")
            await db.execute(f"ALTER TABLE intake.{table} ENABLE TRIGGER USER")
        await db.execute("""UPDATE intake.tlog_state SET size = 0, cursor = '{"position": 0}'""")
