"""Trust files: verifier keys, one per line (`#` comments), log keys (0x01) and witnesses (0x04)."""

from __future__ import annotations

from pathlib import Path

from events.tlog.bundle import Trust
from events.tlog.cosignature import COSIGNATURE_TYPE, CosignatureVerifier, parse_cosigner_verifier_key
from events.tlog.note import ED25519_TYPE, Ed25519Verifier, NoteError, parse_verifier_key, split_vkey


def read_trust(path: Path, required_witnesses: int) -> Trust:
    """Log and witness verifier keys from a trust file."""
    logs: list[Ed25519Verifier] = []
    witnesses: list[CosignatureVerifier] = []
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            sig_type = split_vkey(line)[2]
            if sig_type == ED25519_TYPE:
                logs.append(parse_verifier_key(line))
            elif sig_type == COSIGNATURE_TYPE:
                witnesses.append(parse_cosigner_verifier_key(line))
            else:
                raise NoteError(f"unsupported signature type 0x{sig_type:02x}")
        except NoteError as exc:
            raise NoteError(f"{path}:{number}: {exc}") from exc
    return Trust(logs=logs, witnesses=witnesses, required_witnesses=required_witnesses)
