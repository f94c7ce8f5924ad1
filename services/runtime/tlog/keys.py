"""The log's signing key: from `<SERVICE>_LOG_KEY` or a key file, generated once outside prod.

The key is never in the repository: `CASETRACK_LOG_KEY_DIR/<service>.key` (default `.var/keys`)
is written with mode 0600 on first start in dev and test; prod refuses to start without one.
Every key used is recorded in `tlog_keys`, so a rotated-out key is still served for old checkpoints.
Every process of one service must use the same key (one log, one signer).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from events.tlog.note import Ed25519Signer, NoteError, generate_signer_key, signer_from_key
from services.runtime.db import Conn
from services.runtime.settings import Settings


def origin_of(service: str, settings: Settings) -> str:
    """The log's origin line and key name: ``casetrack/<service>/<deployment>``."""
    return f"casetrack/{service}/{settings.deployment}"


def key_file(service: str, settings: Settings) -> Path:
    """Where a service's signer key lives when it is not given in the environment."""
    return Path(settings.log_key_dir) / f"{service}.key"


def load_signer(service: str, settings: Settings) -> Ed25519Signer:
    """The service's checkpoint signer; generates the key file on first start outside prod."""
    origin = origin_of(service, settings)
    text = getattr(settings, f"{service}_log_key", None)
    path = key_file(service, settings)
    if not text:
        if not path.exists():
            if settings.env == "prod":
                raise RuntimeError(f"no log key: set {service.upper()}_LOG_KEY or create {path}")
            with contextlib.suppress(FileExistsError):  # another replica made it first: share it
                write_new_key(path, origin)
        text = path.read_text("utf-8")
    signer = signer_from_key(text)
    if signer.name != origin:
        raise NoteError(f"the log key is named {signer.name!r}; this log's origin is {origin!r}")
    return signer


def write_new_key(path: Path, name: str) -> None:
    """Create a signer-key file readable only by its owner (never overwrites one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(generate_signer_key(name) + "\n")


async def register_key(conn: Conn, schema: str, vkey: str) -> None:
    """Record the current key and retire every other one (they stay listed)."""
    async with conn.transaction():
        await conn.execute(
            f"INSERT INTO {schema}.tlog_keys (vkey) VALUES ($1)"
            " ON CONFLICT (vkey) DO UPDATE SET retired_at = NULL", vkey)
        await conn.execute(
            f"UPDATE {schema}.tlog_keys SET retired_at = now()"
            " WHERE vkey <> $1 AND retired_at IS NULL", vkey)


async def known_keys(conn: Conn, schema: str) -> list[tuple[str, bool]]:
    """(verifier key, is current) for every key the log has used, current first."""
    rows = await conn.fetch(
        f"SELECT vkey, retired_at IS NULL AS current FROM {schema}.tlog_keys"
        " ORDER BY retired_at IS NULL DESC, first_used DESC")
    return [(r["vkey"], bool(r["current"])) for r in rows]
