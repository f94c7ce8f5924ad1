"""A monitoring group's witness: check a log grew append-only since last seen, then cosign.

State (a JSON file) remembers the last checkpoint cosigned per log. A checkpoint that is smaller,
differs at the same size, or has no valid consistency proof from the remembered one is refused,
its evidence written beside the state file, and nothing is cosigned.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from events.tlog.checkpoint import Checkpoint, parse_checkpoint
from events.tlog.cosignature import Cosigner
from events.tlog.merkle import ProofError, verify_consistency
from events.tlog.note import NoteError, NoteVerifier, b64decode, b64encode, open_note, parse_verifier_key


class ForkDetected(Exception):
    """The log showed a checkpoint inconsistent with one this witness saw: a fork or a rewrite."""


@dataclass(frozen=True)
class Seen:
    """The last checkpoint a witness cosigned for one log."""

    origin: str
    size: int
    root: bytes
    note: str


def load_state(path: Path) -> dict[str, Seen]:
    """Remembered checkpoints by origin (empty when the file does not exist yet)."""
    if not path.exists():
        return {}
    raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return {origin: Seen(origin, int(v["size"]), b64decode(v["root"]), v["note"])
            for origin, v in raw.get("logs", {}).items()}


def save_state(path: Path, state: dict[str, Seen]) -> None:
    """Write the state atomically (a crash leaves the old file or the new, never half)."""
    body = {"logs": {o: {"size": s.size, "root": b64encode(s.root), "note": s.note}
                     for o, s in state.items()}}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(body, indent=2, sort_keys=True), "utf-8")
    os.replace(tmp, path)


def check_append_only(seen: Seen | None, checkpoint: Checkpoint, proof: list[bytes] | None) -> None:
    """Raise ForkDetected unless ``checkpoint`` extends what was ``seen``."""
    if seen is None:
        return
    if checkpoint.size < seen.size:
        raise ForkDetected(f"{seen.origin} went back from size {seen.size} to {checkpoint.size}")
    if checkpoint.size == seen.size:
        if checkpoint.root != seen.root:
            raise ForkDetected(f"{seen.origin} shows two different trees of size {seen.size}")
        return
    try:
        verify_consistency(seen.size, checkpoint.size, seen.root, checkpoint.root, proof or [])
    except ProofError as exc:
        raise ForkDetected(
            f"{seen.origin} at size {checkpoint.size} is not consistent with size {seen.size}"
            f" seen before: {exc}") from exc


@dataclass
class Witness:
    """One witness run against one log."""

    client: httpx.Client
    cosigner: Cosigner
    log_keys: list[NoteVerifier]
    state_path: Path

    def run_once(self) -> Checkpoint:
        """Fetch, check, cosign and post; returns the checkpoint cosigned."""
        served = self._get("/v1/log/checkpoint").text
        note, signed = open_note(served, self.log_keys)
        checkpoint = parse_checkpoint(note.text)
        if checkpoint.origin not in {s.name for s in signed}:
            raise NoteError(f"checkpoint of {checkpoint.origin!r} is not signed by that log's key")
        state = load_state(self.state_path)
        seen = state.get(checkpoint.origin)
        proof = None
        if seen is not None and checkpoint.size > seen.size:
            hashes = self._get("/v1/log/proofs/consistency",
                               params={"from": seen.size, "to": checkpoint.size}).json()["hashes"]
            proof = [b64decode(h) for h in hashes]
        try:
            check_append_only(seen, checkpoint, proof)
        except ForkDetected:
            self._keep_evidence(seen, served)
            raise
        line = self.cosigner.cosign(note.text, int(time.time()))
        signed_only_by_log = note.text + "\n" + "".join(
            s.line() for s in note.signatures if (s.name, s.key_id) in
            {(k.name, k.key_id) for k in self.log_keys})
        response = self.client.post("/v1/log/cosignatures", json={
            "checkpoint": signed_only_by_log + line.line(),
            "witness_key": self.cosigner.verifier().vkey()})
        response.raise_for_status()
        state[checkpoint.origin] = Seen(checkpoint.origin, checkpoint.size, checkpoint.root, served)
        save_state(self.state_path, state)
        return checkpoint

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response

    def _keep_evidence(self, seen: Seen | None, served: str) -> None:
        evidence = self.state_path.with_name(f"{self.state_path.name}.evidence-{int(time.time())}.txt")
        previous = seen.note if seen else ""
        evidence.write_text(f"# remembered\n{previous}\n# served\n{served}", "utf-8")


def log_keys_from(values: list[str]) -> list[NoteVerifier]:
    """Log verifier keys given on the command line or read from files."""
    keys: list[NoteVerifier] = []
    for value in values:
        path = Path(value)
        lines = path.read_text("utf-8").splitlines() if path.exists() else [value]
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                try:
                    keys.append(parse_verifier_key(line))
                except NoteError:
                    continue  # witness keys in a shared trust file are not log keys
    return keys
