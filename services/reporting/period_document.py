"""The four-month report as an XLSX workbook (openpyxl): a cover sheet naming the cut, one sheet
per section, and the central bodies as a table."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from events.calendar import AGENCY_TIME_ZONE

BODY_COLUMNS = (
    "issued", "cancelled", "acknowledged_on_time", "acknowledged_late", "acknowledgement_missed",
    "acknowledgement_pending", "acknowledged_on_time_rate", "reported_on_time", "reported_late",
    "overdue", "pending", "reported_on_time_rate", "extended", "extended_after_due",
    "days_overdue_total", "days_overdue_max", "days_overdue_mean",
)
BOLD = Font(bold=True)


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, scalar) pairs of nested dicts and lists, in key order."""
    if isinstance(value, dict):
        for key in value:
            yield from flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _sheet(book: Workbook, title: str) -> Worksheet:
    sheet = book.create_sheet(title[:31])
    assert isinstance(sheet, Worksheet)
    return sheet


def _pairs(sheet: Worksheet, pairs: Iterator[tuple[str, Any]]) -> None:
    sheet.append(["metric", "value"])
    for cell in sheet[1]:
        cell.font = BOLD
    for key, value in pairs:
        sheet.append([key, value])
    sheet.column_dimensions["A"].width = 60


def _cover(sheet: Worksheet, report: dict[str, Any]) -> None:
    sheet.title = "Report"
    region = report["region"] or "all regions"
    sheet.append([f"casetrack period report {report['from']} .. {report['to']} ({region})"])
    sheet["A1"].font = Font(bold=True, size=14)
    for key in ("from", "to", "region", "as_of", "time_zone", "digest", "facts_digest"):
        sheet.append([key, report[key]])
    for owner, position in report["cut"].items():
        sheet.append([f"cut.{owner}", position])
    for owner, count in report["facts"].items():
        sheet.append([f"facts.{owner}", count])
    sheet.append(["recompute", report["recompute"]])
    sheet.append([])
    sheet.append(["Every number in the cases, directives and central_bodies sheets is computed "
                  "from the events at the cut above; asking for the recompute URL gives the same "
                  "numbers and digest. Live sections are as the read models stood when made."])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 70


def _bodies(sheet: Worksheet, table: dict[str, Any]) -> None:
    sheet.append(["code", "name (en)", "name (ru)", "name (kk)", *BODY_COLUMNS])
    for cell in sheet[1]:
        cell.font = BOLD
    for code, row in table["bodies"].items():
        names = row["names"]
        sheet.append([code, names["en"], names["ru"], names["kk"], *(row[c] for c in BODY_COLUMNS)])
    local = table["local"]
    sheet.append(["local", "local bodies (free-text addressees)", "", "",
                  *(local[c] for c in BODY_COLUMNS)])


def workbook(report: dict[str, Any]) -> bytes:
    """The report as XLSX bytes; the workbook's dates are the report's `as_of`, not the clock."""
    book = Workbook()
    cover = book.active
    assert isinstance(cover, Worksheet)
    _cover(cover, report)
    for name, section in report["sections"].items():
        if name == "central_bodies":
            _bodies(_sheet(book, "central_bodies"), section)
            _pairs(_sheet(book, "central_bodies_detail"), flatten(section))
        else:
            _pairs(_sheet(book, name), flatten(section))
    for name, section in report["live_sections"].items():
        _pairs(_sheet(book, f"live_{name}"), flatten(section))
    stamp = datetime.combine(datetime.fromisoformat(report["as_of"]).date(), time(),
                             tzinfo=AGENCY_TIME_ZONE).replace(tzinfo=None)
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
