"""Exports as Parquet: the columns typed as Postgres typed them, written a row group at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from services.reporting.exports import SUMMARY_EXPORT, ExportRows

ROW_GROUP = 10_000
"""Rows per row group: each is written, and its bytes sent, before the next is read."""

_ARROW: dict[str, pa.DataType] = {
    "bool": pa.bool_(), "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(),
    "float4": pa.float32(), "float8": pa.float64(), "numeric": pa.float64(),
    "date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC"),
    "timestamp": pa.timestamp("us"), "_text": pa.list_(pa.string()),
}
"""Postgres types with an Arrow equivalent; every other type (text, uuid, jsonb) is text."""


def arrow_type(pg_type: str) -> pa.DataType:
    """The Arrow type a column of a Postgres type is written as."""
    return _ARROW.get(pg_type, pa.string())


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return str(value)


def _value(value: Any, kind: pa.DataType) -> Any:
    if kind == pa.string():
        return _text(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


class _Sink:
    """A write-only file whose bytes are taken out as they are written."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _table(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pydict(
        {f.name: [_value(r[f.name], f.type) for r in rows] for f in schema}, schema=schema)


async def stream_parquet(export: ExportRows) -> AsyncIterator[bytes]:
    """The Parquet file of an export, in the pieces written as each row group fills."""
    schema = pa.schema([(c, arrow_type(export.types[c])) for c in export.columns])
    sink = _Sink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    try:
        batch: list[dict[str, Any]] = []
        async for row in export.rows:
            batch.append(row)
            if len(batch) == ROW_GROUP:
                writer.write_table(_table(schema, batch))
                batch = []
                yield sink.take()
        if batch or not sink.parts:
            writer.write_table(_table(schema, batch))
    finally:
        writer.close()
    yield sink.take()


def summary_parquet(lines: Iterable[tuple[str, str, str, str, str, Any]]) -> bytes:
    """The summary's (scope, period, metric, key, value) records as Parquet, values as numbers."""
    names = SUMMARY_EXPORT
    types = [pa.string(), pa.date32(), pa.date32(), pa.string(), pa.string(), pa.float64()]
    schema = pa.schema(list(zip(names, types, strict=True)))
    records = list(lines)
    columns: dict[str, list[Any]] = {n: [r[i] for r in records] for i, n in enumerate(names)}
    for key in ("period_from", "period_to"):
        columns[key] = [v if isinstance(v, date) or v is None else date.fromisoformat(v)
                        for v in columns[key]]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), sink)
    return bytes(sink.getvalue().to_pybytes())
