"""C2SP tlog-checkpoint: the note text naming a log (origin), its size and its root hash."""

from __future__ import annotations

import re
from dataclasses import dataclass

from events.tlog.note import NoteError, b64decode, b64encode


class CheckpointError(NoteError):
    """Note text that is not a well-formed checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    """origin, tree size, root hash (and opaque extension lines, which casetrack never writes)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint's note text, each line newline-terminated."""
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text (without signatures), strictly."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise CheckpointError("a checkpoint has at least three non-empty lines")
    origin, size, root, *extensions = lines
    if not re.fullmatch(r"0|[1-9][0-9]{0,19}", size) or int(size) >= 2**63:
        raise CheckpointError(f"tree size {size!r} is not a decimal without leading zeros")
    try:
        root_bytes = b64decode(root)
    except NoteError as exc:
        raise CheckpointError("root hash is not base64") from exc
    if len(root_bytes) != 32:
        raise CheckpointError("root hash is not 32 bytes")
    return Checkpoint(origin, int(size), root_bytes, tuple(extensions))
