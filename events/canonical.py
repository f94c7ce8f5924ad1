"""Canonical JSON: the one byte encoding that every hash in the system is computed over.

Rules: UTF-8, keys sorted by code point, separators ``,`` and ``:`` with no other whitespace,
non-ASCII kept as UTF-8, timestamps as RFC 3339 UTC with microseconds and ``Z``, UUIDs as
lowercase hyphenated strings. Floats are refused (the contract is float- and money-float-free),
so any language can reproduce the bytes with its standard JSON encoder.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeAlias

import orjson
from pydantic import BaseModel

JsonValue: TypeAlias = bool | int | str | list["JsonValue"] | dict[str, "JsonValue"] | None

_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1


def format_timestamp(dt: datetime) -> str:
    """Render an aware datetime as RFC 3339 UTC with microseconds: 2026-11-30T00:26:09.123456Z."""
    offset = None if dt.tzinfo is None else dt.utcoffset()
    if offset is None:
        raise ValueError(f"naive datetime {dt!r} refused: timestamps must be timezone-aware")
    if offset:
        dt = dt.astimezone(UTC)
    # The first 26 characters are the wall time to the microsecond (years always have 4 digits);
    # what follows is the offset, now zero. Hot: twice per event when hashes are checked.
    return dt.isoformat(timespec="microseconds")[:26] + "Z"


def to_jsonable(obj: Any) -> JsonValue:
    """Convert contract values into plain JSON data (dict, list, str, int, bool, None)."""
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, int):
        if not _INT_MIN <= obj <= _INT_MAX:
            raise ValueError(f"integer {obj} is outside the signed 64-bit range")
        return int(obj)
    if isinstance(obj, float):
        raise ValueError(f"float {obj!r} refused: the event contract is float-free")
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, datetime):
        return format_timestamp(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, BaseModel):
        return to_jsonable(obj.model_dump(mode="python"))
    if isinstance(obj, Mapping):
        return to_json_object(obj)
    if isinstance(obj, list | tuple):
        return [to_jsonable(item) for item in obj]
    raise TypeError(f"{type(obj).__name__} is not part of the event contract's JSON vocabulary")


def to_json_object(obj: Mapping[Any, Any]) -> dict[str, JsonValue]:
    """Convert a mapping with string keys into a plain JSON object (see ``to_jsonable``)."""
    out: dict[str, JsonValue] = {}
    for key, value in obj.items():
        if type(key) is str:  # the common case, already plain: no conversion (hot on decode)
            name: str = key
        else:
            normalised = to_jsonable(key) if isinstance(key, Enum) else key
            if not isinstance(normalised, str):
                raise TypeError(f"object keys must be strings, got {type(key).__name__}")
            name = str.__str__(normalised)
        if name in out:
            raise ValueError(f"duplicate object key {name!r} after normalisation")
        kind = type(value)
        if kind is str or value is None or kind is bool:
            out[name] = value
        else:
            out[name] = to_jsonable(value)
    return out


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` as canonical JSON bytes (see the module docstring for the rules)."""
    return canonical_json_of_plain(to_jsonable(obj))


def canonical_json_of_plain(data: JsonValue) -> bytes:
    """Canonical JSON bytes of data that is plain already (``to_jsonable``'s output), unwalked."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:  # e.g. lone surrogates, which are not valid UTF-8
        raise ValueError(f"not encodable as canonical JSON: {exc}") from exc
