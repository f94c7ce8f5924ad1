"""An uploaded wave file, streamed to a temporary file with its hash, refused past a bound."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

from services.intake.surveys.rows import FileFormat
from services.runtime.media import CSV, XLSX
from services.runtime.problems import Problem

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""The largest wave file accepted (about a million rows of CSV with short comments)."""
MEDIA_TYPES = {
    CSV: FileFormat.CSV,
    XLSX: FileFormat.XLSX,
}


@dataclass
class Upload:
    """The received file (positioned at its start), its format and its SHA-256."""

    file: BinaryIO
    file_format: FileFormat
    sha256: str
    size: int


def format_of(content_type: str | None) -> FileFormat:
    """The format a Content-Type names; 415 for anything but CSV and XLSX."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    found = MEDIA_TYPES.get(media)
    if found is None:
        raise Problem(415, "Unsupported Media Type",
                      f"send the wave as one of {', '.join(MEDIA_TYPES)}", field="Content-Type",
                      headers={"Accept": ", ".join(MEDIA_TYPES)})
    return found


def too_large(size: int) -> Problem:
    """413 naming the bound."""
    return Problem(413, "Payload Too Large", f"a wave file may hold at most {MAX_UPLOAD_BYTES} bytes"
                   f" (this one: {size} or more)", field="file")


async def receive(chunks: AsyncIterator[bytes], file_format: FileFormat,
                  declared: str | None) -> Upload:
    """Spool the body to a temporary file while hashing it; 413 once it passes the bound."""
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise too_large(int(declared))
    digest, size = hashlib.sha256(), 0
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller, after parsing
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise too_large(size)
            digest.update(chunk)
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return Upload(spooled, file_format, digest.hexdigest(), size)
