"""Signed checkpoints and their witness cosignatures, as stored and served by one log."""

from __future__ import annotations

from dataclasses import dataclass

from events.tlog.checkpoint import Checkpoint, parse_checkpoint
from events.tlog.cosignature import CosignatureVerifier, timestamp_of
from events.tlog.note import Ed25519Signer, NoteError, Signature, parse_note, sign_note
from services.runtime.db import Conn
from services.runtime.tlog.sequencer import Sequencer


@dataclass(frozen=True)
class Issued:
    """A checkpoint the log signed, with the cosignature lines witnesses posted for it."""

    tree_size: int
    note: str
    cosignatures: tuple[str, ...]

    def served(self) -> str:
        """The signed note with every cosignature line appended."""
        return self.note + "".join(self.cosignatures)


class CheckpointLog:
    """Issues and reads a service's checkpoints."""

    def __init__(self, sequencer: Sequencer, signer: Ed25519Signer, origin: str) -> None:
        self.sequencer = sequencer
        self.signer = signer
        self.origin = origin
        self.schema = sequencer.schema

    async def issue(self, conn: Conn) -> int | None:
        """Sign a checkpoint of the current tree if it grew since the last; returns its size."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self.sequencer.lock)
            size = await self.sequencer.tree.size(conn)
            last = await conn.fetchval(f"SELECT max(tree_size) FROM {self.schema}.tlog_checkpoints")
            if last is not None and last >= size:
                return None
            root = await self.sequencer.tree.root(conn, size)
            note = sign_note(Checkpoint(self.origin, size, root).text(), [self.signer])
            await conn.execute(
                f"INSERT INTO {self.schema}.tlog_checkpoints (tree_size, root, note, key)"
                " VALUES ($1, $2, $3, $4)", size, root, note, self.signer.verifier().vkey())
            return size

    async def latest(self, conn: Conn, *, witnessed: bool = False) -> Issued | None:
        """The newest checkpoint (with at least one cosignature if ``witnessed``)."""
        where = (f" WHERE EXISTS (SELECT 1 FROM {self.schema}.tlog_cosignatures s"
                 " WHERE s.tree_size = c.tree_size)") if witnessed else ""
        row = await conn.fetchrow(
            f"SELECT tree_size, note FROM {self.schema}.tlog_checkpoints c{where}"
            " ORDER BY tree_size DESC LIMIT 1")
        return None if row is None else await self._with_cosignatures(conn, row["tree_size"], row["note"])

    async def at(self, conn: Conn, tree_size: int) -> Issued | None:
        """The checkpoint issued at exactly ``tree_size``."""
        note = await conn.fetchval(
            f"SELECT note FROM {self.schema}.tlog_checkpoints WHERE tree_size = $1", tree_size)
        return None if note is None else await self._with_cosignatures(conn, tree_size, note)

    async def _with_cosignatures(self, conn: Conn, tree_size: int, note: str) -> Issued:
        lines = await conn.fetch(
            f"SELECT line FROM {self.schema}.tlog_cosignatures WHERE tree_size = $1"
            " ORDER BY witness_key", tree_size)
        return Issued(tree_size, note, tuple(r["line"] for r in lines))

    async def add_cosignature(self, conn: Conn, cosigned: str, witness: CosignatureVerifier,
                              posted_by: str) -> tuple[int, int]:
        """Store a witness's cosignature of one of our checkpoints; returns (tree size, time).

        Raises NoteError when the note is not a checkpoint this log issued or the witness's
        signature line is absent or does not verify.
        """
        note = parse_note(cosigned)
        checkpoint = parse_checkpoint(note.text)
        issued = await self.at(conn, checkpoint.size)
        if checkpoint.origin != self.origin or issued is None or parse_note(issued.note).text != note.text:
            raise NoteError("this log never issued that checkpoint")
        line = _line_of(note.signatures, witness)
        if not witness.verify(note.text.encode(), line.signature):
            raise NoteError(f"the cosignature by {witness.name} does not verify")
        signed_at = timestamp_of(line)
        await conn.execute(
            f"INSERT INTO {self.schema}.tlog_cosignatures"
            " (tree_size, witness_key, line, signed_at, posted_by) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (tree_size, witness_key) DO UPDATE SET line = EXCLUDED.line,"
            " signed_at = EXCLUDED.signed_at, posted_by = EXCLUDED.posted_by, received_at = now()"
            f" WHERE {self.schema}.tlog_cosignatures.signed_at < EXCLUDED.signed_at",
            checkpoint.size, witness.vkey(), line.line(), signed_at, posted_by)
        return checkpoint.size, signed_at


def _line_of(signatures: tuple[Signature, ...], witness: CosignatureVerifier) -> Signature:
    for sig in signatures:
        if (sig.name, sig.key_id) == (witness.name, witness.key_id):
            return sig
    raise NoteError(f"no cosignature line by {witness.name}+{witness.key_id:08x}")
