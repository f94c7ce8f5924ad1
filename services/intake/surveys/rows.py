"""Reading a wave's file into validated responses, with a report of every row that fails (pure).

The columns, header first (names case-insensitive, spaces as underscores): `region` (ISO
3166-2:KZ code), `institution_type`, `sector`, `answer`, and optionally `comment` (free text).
Row numbers count the header as row 1, as a spreadsheet shows them; blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import BinaryIO

from events import InstitutionType, Region, Sector, SurveyAnswer

REQUIRED = ("region", "institution_type", "sector", "answer")
OPTIONAL = ("comment",)
MAX_COMMENT = 2_000
MAX_ROWS = 1_000_000
MAX_PROBLEMS = 1_000
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
"""A workbook is a zip: what it may unpack to, so a small upload cannot be a zip bomb."""
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

Response = tuple[int, str, str, str, str, str | None]
"""One valid row: (row number, region, institution type, sector, answer, comment)."""


class FileFormat(StrEnum):
    """The formats a wave is uploaded in."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class RowProblem:
    """Why one cell (or the file, row 0) was refused."""

    row: int
    column: str | None
    problem: str


@dataclass
class WaveRows:
    """What a file held: its valid rows, and the problems found (the first MAX_PROBLEMS)."""

    responses: list[Response] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    rows_read: int = 0

    def refuse(self, row: int, column: str | None, problem: str) -> None:
        """Note a problem; keep at most MAX_PROBLEMS of them, count them all."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RowProblem(row, column, problem))


def read_wave(file: BinaryIO, fmt: FileFormat, regions: frozenset[str] | None) -> WaveRows:
    """Every row of a wave file, validated; `regions` None: any region may appear."""
    found = WaveRows()
    try:
        records = _csv_records(file) if fmt is FileFormat.CSV else _xlsx_records(file)
        header = next(records, None)
        if header is None:
            found.refuse(1, None, "the file is empty: a header row is needed")
            return found
        columns = _columns(header, found)
        if found.problem_count:
            return found
        for number, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue
            found.rows_read += 1
            if found.rows_read > MAX_ROWS:
                found.refuse(number, None, f"a wave holds at most {MAX_ROWS} rows")
                return found
            response = _validate(number, record, columns, regions, found)
            if response is not None:
                found.responses.append(response)
    except UnicodeDecodeError as exc:
        found.refuse(found.rows_read + 2, None, f"the file is not UTF-8 ({exc.reason})")
    except Exception as exc:  # a malformed file raises whatever csv or openpyxl meets first
        found.refuse(found.rows_read + 2, None,
                     f"the file cannot be read as {fmt.value}: {type(exc).__name__}")
    if not found.rows_read and not found.problem_count:
        found.refuse(2, None, "the file holds no responses")
    return found


def _columns(header: list[str], found: WaveRows) -> dict[str, int]:
    names = [re.sub(r"\s+", "_", cell.strip().lower()) for cell in header]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            continue
        if name not in REQUIRED + OPTIONAL:
            found.refuse(1, name[:100], f"unknown column; the columns are {', '.join(REQUIRED + OPTIONAL)}")
        elif name in columns:
            found.refuse(1, name, "the column appears twice")
        else:
            columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            found.refuse(1, name, "the column is missing")
    return columns


def _validate(number: int, record: list[str], columns: dict[str, int],
              regions: frozenset[str] | None, found: WaveRows) -> Response | None:
    before = found.problem_count
    if any(cell.strip() for cell in record[max(columns.values()) + 1:]):
        found.refuse(number, None, "more cells than the header has columns")

    def cell(name: str) -> str:
        index = columns.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    region = _choice(number, "region", cell("region").upper(), Region, found)
    if region is not None and regions is not None and region not in regions:
        found.refuse(number, "region", f"{region} is outside the regions you may import for")
    institution = _choice(number, "institution_type", cell("institution_type").lower(),
                          InstitutionType, found)
    sector = _choice(number, "sector", cell("sector").lower(), Sector, found)
    answer = _choice(number, "answer", cell("answer").lower(), SurveyAnswer, found)
    comment = cell("comment") or None
    if comment is not None and len(comment) > MAX_COMMENT:
        found.refuse(number, "comment", f"longer than {MAX_COMMENT} characters")
    elif comment is not None and _FORBIDDEN.search(comment):
        found.refuse(number, "comment", "holds control characters (tab and line breaks are allowed)")
    if found.problem_count != before or None in (region, institution, sector, answer):
        return None
    assert region and institution and sector and answer
    return number, region, institution, sector, answer, comment


def _choice(number: int, column: str, value: str, kind: type[StrEnum], found: WaveRows
            ) -> str | None:
    if not value:
        found.refuse(number, column, "is empty")
        return None
    member = kind._value2member_map_.get(value)
    if member is None:
        allowed = ", ".join(m.value for m in kind)
        found.refuse(number, column, f"{value[:50]!r} is not one of {allowed}")
        return None
    return str(member.value)  # the enum's one string, not this row's copy: a wave's rows stay small


def _csv_records(file: BinaryIO) -> Iterator[list[str]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    first = text.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.reader(_chain(first, text), delimiter=delimiter, strict=True)


def _chain(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_records(file: BinaryIO) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # only an XLSX upload pays for importing it

    with zipfile.ZipFile(file) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
            raise ValueError(f"the workbook unpacks to more than {MAX_XLSX_UNPACKED} bytes")
    file.seek(0)
    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if value is None else str(value) for value in row]
    finally:
        workbook.close()
