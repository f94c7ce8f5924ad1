"""The field types every request uses: text without control characters, bounded numbers and dates.

Hardening by class: every body field, path id, query filter and header a route accepts is one of
these types, so no character, number or date a client can send reaches Postgres or the domain
unchecked. A refused value answers 422 problem+json naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, Path, Query
from pydantic import AfterValidator, Field, StringConstraints

from services.runtime.settings import get_settings

# C0 and C1 control characters, DEL and lone surrogates (which cannot be stored as UTF-8).
_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Free text may hold tabs and line breaks.
_FREE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
FREE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

MAX_OFFSET = 1_000_000
SPAN_YEARS = 100
MAX_VERSION = 1_000_000_000
IF_MATCH_PATTERN = r'^(\*|(W/)?"[0-9]{1,9}")$'


def _no_control(value: str) -> str:
    if _LINE_FORBIDDEN.search(value):
        raise ValueError("must not contain control characters")
    return value


def _no_control_if_given(value: str | None) -> str | None:
    return None if value is None else _no_control(value)


def _no_control_but_layout(value: str) -> str:
    if _FREE_FORBIDDEN.search(value):
        raise ValueError("must not contain control characters (tab and line breaks are allowed)")
    return value


Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                 AfterValidator(_no_control), Field(json_schema_extra={"pattern": LINE_PATTERN})]
"""One line of text: a name, title, reason line or identifier; no control characters."""

FreeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                     AfterValidator(_no_control_but_layout),
                     Field(json_schema_extra={"pattern": FREE_PATTERN})]
"""Free text (descriptions, notes, findings): tabs and line breaks allowed, nothing else."""

OptionalFreeText = Annotated[str, StringConstraints(strip_whitespace=True),
                             AfterValidator(_no_control_but_layout),
                             Field(json_schema_extra={"pattern": FREE_PATTERN})]
"""Free text that may be empty."""

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                         pattern=r"^[A-Za-z0-9][A-Za-z0-9._@:-]*$")]
"""An id a client chooses (office, officer): letters, digits and `._@:-`."""

PathId = Annotated[str, Path(min_length=1, max_length=200,
                                json_schema_extra={"pattern": LINE_PATTERN}),
                   AfterValidator(_no_control)]
"""An id in a URL path."""

QueryText = Annotated[str | None, Query(min_length=1, max_length=200,
                                        json_schema_extra={"pattern": LINE_PATTERN}),
                      AfterValidator(_no_control_if_given)]
"""A text filter in a query string."""

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
ExpectedVersion = Annotated[int | None, Field(ge=0, le=MAX_VERSION,
                                              description="409 if the stream moved on")]
IfMatch = Annotated[str | None, Header(alias="If-Match", pattern=IF_MATCH_PATTERN,
                                       description='a version ETag such as "3" (412 if stale)')]


def epoch() -> date:
    """The first day the system holds anything about: nothing is dated before it."""
    return get_settings().epoch


def horizon(today: date | None = None) -> date:
    """The last day a deadline or period may reach: the configured years ahead of today."""
    today = today or datetime.now(UTC).date()
    return today + timedelta(days=366 * get_settings().date_horizon_years)


def _within_horizon(value: date) -> date:
    if not epoch() <= value <= horizon():
        raise ValueError(f"must be between {epoch().isoformat()} and {horizon().isoformat()}")
    return value


def _within_span(value: date) -> date:
    last = date(epoch().year + SPAN_YEARS, 12, 31)
    if not epoch() <= value <= last:
        raise ValueError(f"must be between {epoch().isoformat()} and {last.isoformat()}")
    return value


def _instant_within_span(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone (an unambiguous instant)")
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:
        raise ValueError("is out of range") from None
    _within_span(day)
    return value


DueDate = Annotated[date, AfterValidator(_within_horizon),
                    Field(description="from the system's epoch to its horizon ahead of today "
                                      "(CASETRACK_EPOCH, CASETRACK_DATE_HORIZON_YEARS)")]
"""A deadline or due date: from the epoch to the configured horizon ahead of today."""

PeriodDate = Annotated[date, AfterValidator(_within_span),
                       Field(description="a day within the system's span (its epoch and the "
                                         f"{SPAN_YEARS} years after)")]
"""A bound of a period a query asks about."""

Instant = Annotated[datetime, AfterValidator(_instant_within_span),
                    Field(description="an instant with a time zone within the system's span")]
"""An instant (time travel, period filters): with a time zone, within the system's span."""

AsOf = Annotated[Instant | None, Query(description="state as recorded at this instant")]
"""Time travel: an instant with a time zone, not before the system's epoch."""

Purpose = Annotated[str, Query(min_length=1, max_length=2000,
                               description="why the contact is needed (recorded)",
                               json_schema_extra={"pattern": LINE_PATTERN}),
                    AfterValidator(_no_control)]
"""Why a reporter's contact is disclosed (recorded with the disclosure)."""

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="repeat a write safely: the same key and body answer the first response")]


async def idempotent_write(idempotency_key: IdempotencyKey = None) -> None:
    """Declares (and validates) the Idempotency-Key header the command pipeline reads."""


async def versioned_write(if_match: IfMatch = None, idempotency_key: IdempotencyKey = None
                          ) -> None:
    """Declares (and validates) the If-Match and Idempotency-Key headers a change reads."""


IDEMPOTENT = [Depends(idempotent_write)]
"""Route dependencies of a write that creates (Idempotency-Key)."""
VERSIONED = [Depends(versioned_write)]
"""Route dependencies of a write that changes a stream read from headers (If-Match too)."""
