"""CSV files from spreadsheets: the one reader behind bulk awards and invitations, and
values written safe for spreadsheets."""

import pytest

from accounts.errors import LeapError
from cms.spreadsheets import CSV_MAX_ROWS, CsvRow, csv_rows, spreadsheet_safe

COLUMNS = {"required": ["email", "badge"], "optional": ["narrative"]}


def problems(data: bytes, **limits) -> list[str]:
    with pytest.raises(LeapError) as error:
        csv_rows(data, **COLUMNS, **limits)
    return error.value.problems


def test_rows_come_with_every_known_column_and_their_real_line_numbers():
    data = (
        "\ufeff Email ,BADGE\r\n"  # what Excel writes: a byte-order mark, CRLF, any case
        "\r\n"
        "ana@school.example, data-driven \r\n"
        ",,\r\n"  # a row of empty cells, as spreadsheets leave behind
        'ben@school.example,"a badge\r\nover two lines"\r\n'
        "cy@school.example,mentoring\r\n"
    ).encode()
    assert csv_rows(data, **COLUMNS) == [
        CsvRow(3, {"email": "ana@school.example", "badge": "data-driven", "narrative": ""}),
        CsvRow(
            5,
            {"email": "ben@school.example", "badge": "a badge\r\nover two lines", "narrative": ""},
        ),
        CsvRow(7, {"email": "cy@school.example", "badge": "mentoring", "narrative": ""}),
    ]


def test_every_problem_with_the_column_names_is_listed_at_once():
    assert problems(b"Email,grade,email,notes\nx,y,z,w\n") == [
        "The file has no “badge” column. Its first line must name the columns, e.g. "
        "“email,badge,narrative” (missing: badge).",
        "The first line has unknown columns “grade” and “notes”; use only email, badge, narrative.",
        "The column “email” appears twice in the first line.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email;badge\nx;y\n", "Separate the columns with commas, not semicolons"),
        ("email,badge\nzoë,x\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"", "The file has no “email” or “badge” column."),
        (b"email,badge\n\n,\n", "The file has no rows below the column names."),
        (b"email,badge\na,b,c\n", "Line 2 has a value outside the named columns"),
        (b'email,badge\n"a,b\n', "Line 2 cannot be read as CSV"),
    ],
)
def test_files_that_cannot_be_used_say_why(data, message):
    [problem] = problems(data)
    assert problem.startswith(message)


def test_trailing_empty_columns_and_cells_are_ignored():
    rows = csv_rows(b"email,badge,,\na@school.example,b,,\n", **COLUMNS)
    assert rows == [CsvRow(2, {"email": "a@school.example", "badge": "b", "narrative": ""})]


def test_size_and_row_limits():
    assert problems(b"email,badge\n" + b"a,b\n" * 600, max_bytes=2048) == [
        "The file is larger than 2 KB; split it into smaller files."
    ]
    assert problems(b"email,badge\n" + b"a,b\n" * 3, max_rows=2) == [
        "The file has 3 rows; upload at most 2 at a time."
    ]
    # The shared limits: as many rows as both callers allow, and no more than 1 MB.
    assert len(csv_rows(b"email,badge\n" + b"a,b\n" * CSV_MAX_ROWS, **COLUMNS)) == CSV_MAX_ROWS
    assert problems(b"email,badge\n" + b"a,b\n" * (CSV_MAX_ROWS + 1)) == [
        f"The file has {CSV_MAX_ROWS + 1} rows; upload at most {CSV_MAX_ROWS} at a time."
    ]
    assert problems(b"email,badge\n" + b"a,b\n" * (2**20 // 4)) == [
        "The file is larger than 1 MB; split it into smaller files."
    ]


def test_values_that_would_run_as_formulas_are_written_as_text():
    assert spreadsheet_safe("=HYPERLINK(evil)") == "'=HYPERLINK(evil)"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("ana@school.example") == "ana@school.example"
    assert spreadsheet_safe(None) == ""
