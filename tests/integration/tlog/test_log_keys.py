"""Log keys: never from the repo, generated once outside prod, rotation keeps retired keys served."""

from __future__ import annotations

import stat
from pathlib import Path

import asyncpg
import pytest

from events.tlog import NoteError, open_note, parse_verifier_key, signer_from_key
from events.tlog.note import generate_signer_key
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.settings import Settings
from services.runtime.tlog.checkpoints import CheckpointLog
from services.runtime.tlog.keys import known_keys, load_signer, register_key
from services.runtime.tlog.sequencer import Sequencer
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration


def settings(tmp_path: Path, env: str = "dev", **extra: str) -> Settings:
    return Settings(CASETRACK_ENV=env, CASETRACK_LOG_KEY_DIR=str(tmp_path),
                    CASETRACK_JWT_SECRET="x" * 40, CASETRACK_VAULT_KEY="v" * 40,
                    CASETRACK_PSEUDONYM_KEY="p" * 40, **extra)


def test_a_missing_key_is_generated_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    first = load_signer("intake", settings(tmp_path))
    again = load_signer("intake", settings(tmp_path))
    assert first.key_id == again.key_id and first.name == "casetrack/intake/local"
    assert stat.S_IMODE((tmp_path / "intake.key").stat().st_mode) == 0o600


def test_prod_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="INTAKE_LOG_KEY"):
        load_signer("intake", settings(tmp_path, env="prod"))


def test_a_key_from_the_environment_must_be_named_for_this_log(tmp_path: Path) -> None:
    named = generate_signer_key("casetrack/intake/almaty")
    signer = load_signer("intake", settings(tmp_path, INTAKE_LOG_KEY=named, CASETRACK_DEPLOYMENT="almaty"))
    assert signer.name == "casetrack/intake/almaty" and not (tmp_path / "intake.key").exists()
    with pytest.raises(NoteError, match="origin"):
        load_signer("intake", settings(tmp_path, INTAKE_LOG_KEY=named))


async def test_a_rotated_key_stays_listed_so_old_checkpoints_still_verify(
        log_schema: tuple[str, asyncpg.Pool], context: CommandContext) -> None:
    schema, pool = log_schema
    origin = f"casetrack/{schema}/test"
    old, new = (signer_from_key(generate_signer_key(origin)) for _ in range(2))
    await EventStore(pool, schema).append(f"case-{schema}", "case", 0, [case_registered()], context)
    async with pool.acquire() as conn:
        await register_key(conn, schema, old.verifier().vkey())
        before = CheckpointLog(Sequencer(EventStore(pool, schema)), old, origin)
        await before.sequencer.catch_up(conn)
        await before.issue(conn)
        await register_key(conn, schema, new.verifier().vkey())
        listed = await known_keys(conn, schema)
        assert listed == [(new.verifier().vkey(), True), (old.verifier().vkey(), False)]
        issued = await before.latest(conn)
    assert issued is not None
    open_note(issued.served(), [parse_verifier_key(v) for v, _ in listed])
