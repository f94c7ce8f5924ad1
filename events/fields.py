"""The text field types event payloads share: trimmed, non-empty, and bounded by length."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints


def _trimmed(max_length: int) -> StringConstraints:
    """Whitespace stripped, then 1 to ``max_length`` characters."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


Short = Annotated[str, _trimmed(200)]
"""A name, title or id."""
District = Annotated[str, _trimmed(120)]
"""A district of a region, as written."""
Long = Annotated[str, _trimmed(500)]
"""A place or a reference to a document."""
Reason = Annotated[str, _trimmed(2_000)]
"""Why something was done."""
Text = Annotated[str, _trimmed(10_000)]
"""A body of text: a description or a directive's wording."""
