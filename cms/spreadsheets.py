"""CSV files people make in spreadsheets: values written safe for them (every app's
exports) and files read from them (bulk awards, invitations), with the same limits and the
same words for what is wrong."""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from accounts.errors import LeapError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 2000


def spreadsheet_safe(value) -> str:
    """A value a spreadsheet shows as text: a leading = + - @ would otherwise make a
    formula out of an e-mail address, a title or a revocation reason."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file; the column names are line 1
    values: dict[str, str]  # every known column, stripped; "" when the cell is empty


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit // 1024} KB"


def _names(names: list[str], joiner: str) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def _header_problems(header: list[str], required: list[str], optional: list[str]) -> list[str]:
    if len(header) == 1 and ";" in header[0]:
        return ["Separate the columns with commas, not semicolons (save as “CSV”)."]
    problems = []
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(
            f"The file has no {_names(missing, 'or')} column. Its first line must name the "
            f"columns, e.g. “{','.join(required + optional)}” (missing: {', '.join(missing)})."
        )
    known = set(required) | set(optional)
    unknown = sorted({name for name in header if name and name not in known})
    if unknown:
        problems.append(
            f"The first line has unknown column{'s' if len(unknown) > 1 else ''} "
            f"{_names(unknown, 'and')}; use only {', '.join(required + optional)}."
        )
    for name in sorted({name for name in header if name and header.count(name) > 1}):
        times = header.count(name)
        problems.append(
            f"The column “{name}” appears {'twice' if times == 2 else f'{times} times'} "
            "in the first line."
        )
    return problems


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise LeapError(
                [f"Line {end + 1} cannot be read as CSV ({error}); check its quotes."]
            ) from None
        yield end + 1, cells
        end = reader.line_num


def csv_rows(
    data: bytes,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    max_bytes: int = CSV_MAX_BYTES,
    max_rows: int = CSV_MAX_ROWS,
) -> list[CsvRow]:
    """The rows of a CSV file whose first line names its columns (any case, in any order;
    `required` must be there, `optional` may be). UTF-8, with or without the byte-order mark
    spreadsheets write. Blank rows, and rows of empty cells, are skipped but still counted in
    line numbers. Raises LeapError listing what is wrong with the file as a whole; checking
    each row's values is the caller's work."""
    required, optional = list(required), list(optional)
    if len(data) > max_bytes:
        raise LeapError(
            [f"The file is larger than {_size(max_bytes)}; split it into smaller files."]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LeapError(
            [
                "The file is not UTF-8 text. Save the file as CSV in UTF-8 (“CSV UTF-8” in "
                "Excel) and upload it again."
            ]
        ) from None
    records = _records(text)
    header = [name.strip().lower() for name in next(records, (1, []))[1]]
    problems = _header_problems(header, required, optional)
    if problems:
        raise LeapError(problems)
    columns = [(index, name) for index, name in enumerate(header) if name]
    named = {index for index, _ in columns}
    rows = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for index, cell in enumerate(cells) if index not in named):
            problems.append(
                f"Line {line} has a value outside the named columns; put text that contains "
                "commas in double quotes."
            )
        values = dict.fromkeys(required + optional, "")
        values.update((name, cells[index].strip()) for index, name in columns if index < len(cells))
        rows.append(CsvRow(line=line, values=values))
    if not rows:
        problems.append("The file has no rows below the column names.")
    elif len(rows) > max_rows:
        problems = [f"The file has {len(rows)} rows; upload at most {max_rows} at a time."]
    if problems:
        raise LeapError(problems)
    return rows
