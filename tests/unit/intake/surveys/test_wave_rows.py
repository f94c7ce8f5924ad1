"""Reading a wave's file: CSV and XLSX (made here, never committed), every bad row reported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from services.intake.surveys.cells import count_cells
from services.intake.surveys.rows import MAX_PROBLEMS, FileFormat, RowProblem, read_wave

pytestmark = pytest.mark.unit

HEADER = ["region", "institution_type", "sector", "answer", "comment"]
GOOD = [
    ["KZ-75", "university", "police", "experienced", "asked for money at the exam"],
    ["KZ-75", "university", "police", "none", ""],
    ["kz-71", "College", "HEALTH", "witnessed", ""],
]


def csv_file(rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> io.BytesIO:
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c or "\n" in c else c for c in row)
                     for row in rows) + "\n"
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode())


def xlsx_file(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_valid_csv_gives_every_row_with_its_spreadsheet_row_number_and_normal_values() -> None:
    found = read_wave(csv_file([HEADER, *GOOD]), FileFormat.CSV, None)
    assert found.problems == []
    assert found.responses == [
        (2, "KZ-75", "university", "police", "experienced", "asked for money at the exam"),
        (3, "KZ-75", "university", "police", "none", None),
        (4, "KZ-71", "college", "health", "witnessed", None),
    ]


def test_a_semicolon_csv_with_a_bom_and_a_multiline_comment_reads_the_same() -> None:
    rows = [HEADER, ["KZ-75", "university", "land", "none", "line one\nline two"]]
    found = read_wave(csv_file(rows, ";", bom=True), FileFormat.CSV, None)
    assert found.problems == []
    assert found.responses == [(2, "KZ-75", "university", "land", "none", "line one\nline two")]


def test_the_same_rows_as_xlsx_read_like_the_csv() -> None:
    from_xlsx = read_wave(xlsx_file([HEADER, *GOOD, [None] * 5]), FileFormat.XLSX, None)
    from_csv = read_wave(csv_file([HEADER, *GOOD]), FileFormat.CSV, None)
    assert from_xlsx.problems == []
    assert from_xlsx.responses == from_csv.responses


def test_each_bad_cell_is_reported_with_its_row_and_column_and_the_row_is_not_kept() -> None:
    rows = [HEADER, GOOD[0],
            ["KZ-99", "university", "police", "none", ""],
            ["KZ-75", "kindergarten", "bribes", "maybe", ""],
            ["KZ-75", "university", "police", "", "bad\x00text"],
            ["KZ-75", "university", "police", "none", "", "extra"]]
    found = read_wave(csv_file(rows), FileFormat.CSV, None)
    assert [(p.row, p.column) for p in found.problems] == [
        (3, "region"), (4, "institution_type"), (4, "sector"), (4, "answer"), (5, "answer"),
        (5, "comment"), (6, None)]
    assert found.problem_count == 7
    assert [r[0] for r in found.responses] == [2]


def test_the_comment_text_never_appears_in_a_problem() -> None:
    found = read_wave(csv_file([HEADER, ["KZ-75", "university", "police", "none", "x" * 2001]]),
                      FileFormat.CSV, None)
    assert found.problems == [RowProblem(2, "comment", "longer than 2000 characters")]


def test_a_missing_or_unknown_column_refuses_the_header() -> None:
    found = read_wave(csv_file([["region", "sector", "answer", "student_name"], ["KZ-75"]]),
                      FileFormat.CSV, None)
    assert {(p.row, p.column) for p in found.problems} == {(1, "student_name"),
                                                           (1, "institution_type")}
    assert found.responses == []


def test_rows_outside_the_callers_regions_are_refused() -> None:
    found = read_wave(csv_file([HEADER, *GOOD]), FileFormat.CSV, frozenset({"KZ-75"}))
    assert [(p.row, p.column) for p in found.problems] == [(4, "region")]


def test_an_empty_file_a_header_alone_and_blank_rows_are_refused_as_holding_no_responses() -> None:
    assert read_wave(io.BytesIO(b""), FileFormat.CSV, None).problems[0].row == 1
    only_header = read_wave(csv_file([HEADER, ["", "", "", "", ""]]), FileFormat.CSV, None)
    assert [p.problem for p in only_header.problems] == ["the file holds no responses"]


def test_a_file_that_is_not_what_it_claims_is_refused_not_crashed_on() -> None:
    not_xlsx = read_wave(csv_file([HEADER, *GOOD]), FileFormat.XLSX, None)
    not_utf8 = read_wave(io.BytesIO(b"region,institution_type,sector,answer\n\xff\xfe,,,\n"),
                         FileFormat.CSV, None)
    assert not_xlsx.problem_count == 1 and "xlsx" in not_xlsx.problems[0].problem
    assert not_utf8.problem_count == 1 and "UTF-8" in not_utf8.problems[0].problem


def test_problems_are_counted_all_but_listed_up_to_the_bound() -> None:
    rows = [HEADER] + [["KZ-00", "university", "police", "none", ""]] * (MAX_PROBLEMS + 10)
    found = read_wave(csv_file(rows), FileFormat.CSV, None)
    assert found.problem_count == MAX_PROBLEMS + 10
    assert len(found.problems) == MAX_PROBLEMS


def test_cells_count_answers_per_region_institution_and_sector_without_any_comment() -> None:
    found = read_wave(csv_file([HEADER, *GOOD]), FileFormat.CSV, None)
    cells = [c.model_dump(mode="json") for c in count_cells(found.responses)]
    assert cells == [
        {"region": "KZ-71", "institution_type": "college", "sector": "health",
         "experienced": 0, "witnessed": 1, "none": 0},
        {"region": "KZ-75", "institution_type": "university", "sector": "police",
         "experienced": 1, "witnessed": 0, "none": 1},
    ]
