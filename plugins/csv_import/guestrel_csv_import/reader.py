"""Reading a CSV export row by row: the header, each row's kind of record, and every problem of a
row as a FieldError in the column at fault. A bad row never stops the reading."""
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from guestrel.plugins.plugin_api import FieldError, ImportRow, PayloadError
from guestrel_csv_import import decoding
from guestrel_csv_import.records import BUILDERS, COLUMNS, Cells, Context

RECORD_TYPE = "record_type"
RECORD_TYPES = {
    "profile": "profile", "profiles": "profile", "guest": "profile", "guests": "profile",
    "preference": "preference", "preferences": "preference",
    "stay": "stay", "stays": "stay",
}
KNOWN_COLUMNS = frozenset({RECORD_TYPE}.union(*COLUMNS.values()))
DELIMITERS = (",", ";", "\t")
# What a problem of the row as a whole is reported against, as no column is at fault.
ROW = "row"


def _column_name(title: str) -> str:
    """Header titles as spreadsheets write them ("Given Name", "given-name") as column names."""
    return "_".join(title.strip().lower().replace("-", " ").split())


def _delimiter(text: str) -> str:
    """Excel writes commas, or semicolons where the comma is the decimal sign, and tabs in
    "Unicode text": whichever the header line holds most of."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


@dataclass(frozen=True)
class Header:
    names: list
    # Columns that hold data of a kind of record, once each.
    columns: frozenset
    # What a file without a record_type column holds, from its columns.
    file_type: str | None

    @classmethod
    def read(cls, titles: list) -> "Header":
        names = [_column_name(title) for title in titles]
        counts = Counter(names)
        columns = frozenset(name for name in names if name in KNOWN_COLUMNS and counts[name] == 1)
        file_type = None
        if RECORD_TYPE not in columns:
            file_type = "stay" if "stay_id" in columns else "preference" if "category" in columns else "profile"
        return cls(names, columns, file_type)

    def problem(self, name: str) -> str | None:
        """Why a value in the column `name` cannot be read, or None when it can."""
        if not name:
            return "This column has no name in the header."
        if name not in KNOWN_COLUMNS:
            return f"guestrel does not read a column {name}; remove it or leave it empty."
        if name not in self.columns:
            return f"The file has more than one column {name}."
        return None


def _record_type(cells: dict, header: Header, errors: list) -> str | None:
    if header.file_type is not None:
        return header.file_type
    text = cells.get(RECORD_TYPE, "").strip().lower()
    record_type = RECORD_TYPES.get(text)
    if record_type is None:
        errors.append(FieldError(RECORD_TYPE, "Write profile, preference or stay."))
    return record_type


def _row(number: int, row: list, header: Header, context: Context, encoding: str | None) -> ImportRow:
    """The row's events, or every problem found in it. `encoding` is given when the file holds
    bytes that are not valid in it, so that the cells holding them are refused."""
    errors, cells = [], {}
    if any(cell.strip() for cell in row[len(header.names):]):
        errors.append(FieldError(ROW, "This row has more cells than the header has columns."))
    for name, cell in zip(header.names, row):
        if not cell.strip():
            continue
        problem = header.problem(name)
        if problem is None and encoding is not None and decoding.undecodable(cell):
            problem = f"This value is not valid {encoding.upper()} text; save the file as CSV UTF-8 and import it again."
        if problem is not None:
            errors.append(FieldError(name or ROW, problem))
        else:
            cells[name] = cell
    record_type = _record_type(cells, header, errors)
    if record_type is None:
        return ImportRow(number, errors=tuple(errors))
    for name in sorted(cells.keys() - {RECORD_TYPE} - set(COLUMNS[record_type])):
        errors.append(FieldError(name, f"This column is not read for {record_type} rows; leave it empty."))
    reading = Cells(cells, header.columns, errors)
    events = BUILDERS[record_type](reading, context)
    if errors:
        return ImportRow(number, errors=tuple(errors))
    return ImportRow(number, events=tuple(events))


def read_rows(body: bytes, encoding: str, context: Context) -> Iterator[ImportRow]:
    """One ImportRow per row under the header, numbered from 1 as they stand in the file. Empty
    rows (spreadsheets leave some at the end) hold no record and are passed over."""
    text, used_encoding = decoding.decode(body, encoding)
    marked = used_encoding if decoding.undecodable(text) else None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = Header.read(next(rows))
    except StopIteration:
        return
    except csv.Error as error:
        raise PayloadError(f"The header row cannot be read as CSV: {error}.") from error
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield ImportRow(number, errors=(FieldError(ROW, f"This row cannot be read as CSV: {error}."),))
            continue
        if any(cell.strip() for cell in row):
            yield _row(number, row, header, context, marked)
