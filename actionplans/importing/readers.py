"""Readers: a CSV, an XLSX sheet or the tables of a DOCX, into one uniform grid of rows.

Every reader refuses what it cannot read safely with :class:`ImportRejected` and a message a
plan manager can act on, before any of the file is interpreted: files over the size limit,
empty files, password-protected or old-style workbooks, macros, zip bombs, damaged files,
formulas with no saved value, documents with no table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from foundation.uploads import what_content_is, zip_expands_too_far

MAX_FILE_BYTES = 20 * 1024 * 1024
# A workbook or document may unpack to this much in all, and (the evidence check's rule)
# to no more than 100 times its compressed size once past 1 MB.
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
# ... and each XML part (a sheet, its shared strings, the document) to this much. openpyxl's
# time grows faster than the size of a sheet: a 5 MB sheet of the worst shape we tried takes
# it about 2.5 s on one core (8 MB, 4.4 s; 12 MB, 6 s; a sheet just under the old 200 MB cap,
# minutes). A 500-action plan's sheet is well under 1 MB.
MAX_PART_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_ROWS = 20000
MAX_COLUMNS = 60

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
ACCEPTED_TEXT = "I import .xlsx, .docx or .csv files: save the plan as one of those and import that."
# Text that starts as markup (HTML, XML, SVG) is a web page or an export, not a CSV.
_MARKUP = re.compile(r"\A\s*<(?:[A-Za-z!?/])")


class ImportRejected(Exception):
    """The file cannot be imported; ``message`` says why and what to do, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Cell:
    value: Any = None  # str, date, datetime, int, float or None
    bold: bool = False
    # "" for an ordinary cell; "across" for the covered part of a cell merged across columns;
    # "down" for a cell merged down from the row above (its value is repeated here).
    merged: str = ""

    @property
    def text(self) -> str:
        value = self.value
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.date() if value.time() == dt.time(0) else value
        if isinstance(value, dt.date | dt.datetime):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").strip()


@dataclass
class GridRow:
    number: int  # as the person sees it: the sheet's row number, the CSV record, the table row
    cells: list[Cell]
    label: str = ""
    spans_all: bool = False  # one cell merged across the whole row

    def text(self, index: int) -> str:
        return self.cells[index].text if index < len(self.cells) else ""

    def cell(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else Cell()

    @property
    def filled(self) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c.text and c.merged != "across"]

    @property
    def is_blank(self) -> bool:
        return not self.filled

    @property
    def bold(self) -> bool:
        filled = self.filled
        return bool(filled) and all(self.cells[i].bold for i in filled)


@dataclass
class Grid:
    rows: list[GridRow]
    source: str  # "csv", "xlsx" or "docx"
    filename: str
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


# --- entry point -----------------------------------------------------------------------------


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _read_bytes(source: str | os.PathLike | BinaryIO) -> bytes:
    limit = f"the largest file I can import is {_size_text(MAX_FILE_BYTES)}"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ImportRejected(f"I could not open the file: {exc.strerror or exc}.") from exc
        if size > MAX_FILE_BYTES:
            raise ImportRejected(f"The file is {_size_text(size)}; {limit}. Split the plan or remove images.")
        return path.read_bytes()
    try:
        position = source.tell()
        source.seek(0, os.SEEK_END)
        size = source.tell() - position
        source.seek(position)
    except (AttributeError, OSError, io.UnsupportedOperation):
        size = None
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRejected(f"The file is {_size_text(size)}; {limit}. Split the plan or remove images.")
    data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(f"The file is over {_size_text(MAX_FILE_BYTES)}; {limit}.")
    return data


def read_file(source, *, filename: str | None = None, sheet: str | None = None) -> Grid:
    """Read a plan file (a path or an open binary file) into a :class:`Grid`.

    ``filename`` gives the name the person uploaded (its extension says what the file
    should be); ``sheet`` chooses a worksheet by name, or a DOCX table ("Table 2")."""
    if filename is None:
        filename = os.path.basename(str(source)) if isinstance(source, str | os.PathLike) else "upload"
    data = _read_bytes(source)
    extension = Path(filename).suffix.lower()
    if not data.strip():
        raise ImportRejected("The file is empty.")
    if extension in (".xlsm", ".xltm", ".xlsb", ".docm", ".dotm"):
        raise ImportRejected(
            f"{filename} is a macro-enabled file ({extension}). Macros are never imported: save it as "
            f"{'.xlsx' if extension.startswith('.x') else '.docx'} and import that."
        )
    if data.startswith(OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data or (
            "EncryptionInfo".encode("utf-16-le") in data
        ):
            raise ImportRejected(
                f"{filename} is password-protected. Remove the password (File, Info, Protect) and import it again."
            )
        raise ImportRejected(
            f"{filename} is an old-style Office file (.xls or .doc). Save it as .xlsx or .docx and import that."
        )
    if data.startswith(ZIP_SIGNATURE) or extension in (".xlsx", ".docx"):
        kind = _open_zip_kind(data, filename, extension)
        if kind == "xlsx":
            return read_xlsx(data, filename=filename, sheet=sheet)
        return read_docx(data, filename=filename, table=sheet)
    if extension in (".pdf", ".doc", ".xls", ".odt", ".ods", ".rtf"):
        raise ImportRejected(f"I cannot read {extension} files. Save the plan as .xlsx, .docx or .csv and import that.")
    # Anything else is read as a CSV only if it is text: judged by its content, not its name,
    # so that an SVG, a web page saved as .txt or a PDF with no extension is refused rather
    # than shown as junk columns.
    what = what_content_is(data)
    if what:
        if what in ("an SVG image", "a web page (HTML)"):
            raise ImportRejected(f"{filename} is {what}, not a plan I can read. {ACCEPTED_TEXT}")
        raise ImportRejected(f"{filename} is not a text (CSV) file I can read: it is {what}. {ACCEPTED_TEXT}")
    return read_csv(data, filename=filename)


def _open_zip_kind(data: bytes, filename: str, extension: str) -> str:
    damaged = f"{filename} is damaged or is not really an {extension.lstrip('.') or 'Office'} file. Open it in Office, save it again and retry."
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ImportRejected(damaged) from exc
    too_far = (
        f"far more than a plan needs, and it is refused as unsafe. Save it again with only the plan in it "
        f"(no other sheets, images or empty formatted rows) and import that; a plan may unpack to "
        f"{_size_text(MAX_UNCOMPRESSED_BYTES)} in all and {_size_text(MAX_PART_BYTES)} a sheet."
    )
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportRejected(f"{filename} holds {len(entries):,} parts, {too_far}")
    unpacked = sum(e.file_size for e in entries)
    if zip_expands_too_far(unpacked, sum(e.compress_size for e in entries), max_unpacked=MAX_UNCOMPRESSED_BYTES):
        raise ImportRejected(f"{filename} unpacks to {_size_text(unpacked)} from {_size_text(len(data))}, {too_far}")
    for entry in entries:
        # Pictures are copied, not parsed; every other part is XML that the reader parses.
        if entry.file_size > MAX_PART_BYTES and "/media/" not in entry.filename:
            raise ImportRejected(
                f"{filename}: its part {entry.filename} unpacks to {_size_text(entry.file_size)}, {too_far}"
            )
    names = {e.filename for e in entries}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportRejected(f"{filename} contains macros. Save it without macros (.xlsx or .docx) and import that.")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "EncryptedPackage" in names:
        raise ImportRejected(f"{filename} is password-protected. Remove the password and import it again.")
    raise ImportRejected(damaged)


# --- CSV -------------------------------------------------------------------------------------


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise ImportRejected(f"{filename} is not a text (CSV) file I can read. Save the plan as .csv, .xlsx or .docx.")
    return text


def _records(text: str, delimiter: str, limit: int | None = None, *, sample: bool = True) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for record in reader:
            out.append(record)
            if limit and len(out) >= limit:
                break
    except csv.Error as exc:
        if limit and sample:
            return out
        raise ImportRejected(f"The CSV file is malformed near record {len(out) + 1}: {exc}.") from exc
    return out


def _delimiter(text: str) -> str:
    sample = text[:65536]
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t", "|"):
        counts = Counter(len(r) for r in _records(sample, delimiter, limit=60) if any(c.strip() for c in r))
        if not counts:
            continue
        width, frequency = counts.most_common(1)[0]
        score = (frequency, width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, *, filename: str = "upload.csv") -> Grid:
    csv.field_size_limit(MAX_FILE_BYTES)
    text = _decode(data, filename)
    if _MARKUP.match(text):
        raise ImportRejected(f"{filename} is a web page or other markup (HTML or XML), not a plan I can read. {ACCEPTED_TEXT}")
    # Stop one past the limit: a file of a million short lines is refused without holding them all.
    records = _records(text, _delimiter(text), limit=MAX_ROWS + 1, sample=False)
    if len(records) > MAX_ROWS:
        raise ImportRejected(f"The file has more than {MAX_ROWS} rows; the most I import at once is {MAX_ROWS}.")
    rows = []
    for number, record in enumerate(records, start=1):
        cells = [Cell(value=value.strip() or None) for value in record[:MAX_COLUMNS]]
        rows.append(GridRow(number=number, cells=cells, label=f"row {number}"))
    if not any(not r.is_blank for r in rows):
        raise ImportRejected("The file is empty.")
    return Grid(rows=rows, source="csv", filename=filename)


# --- XLSX ------------------------------------------------------------------------------------


def read_xlsx(data: bytes, *, filename: str = "upload.xlsx", sheet: str | None = None) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from actionplans.importing.columns import header_score

    def load(data_only: bool):
        try:
            return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, rich_text=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
            raise ImportRejected(
                f"{filename} is damaged or is not an Excel workbook I can read. Open it in Excel, save it again and retry."
            ) from exc

    workbook = load(data_only=False)
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"] or list(workbook.worksheets)
    names = [ws.title for ws in visible]
    if sheet:
        chosen = next((ws for ws in workbook.worksheets if ws.title == sheet), None) or next(
            (ws for ws in workbook.worksheets if ws.title.strip().lower() == sheet.strip().lower()), None
        )
        if chosen is None:
            raise ImportRejected(f'{filename} has no sheet called "{sheet}". Its sheets are: {", ".join(names)}.')
        candidates = [chosen]
    else:
        candidates = visible

    grids = []
    for ws in candidates:
        rows, formulas = _sheet_rows(ws)
        grid = Grid(rows=rows, source="xlsx", filename=filename, sheet=ws.title, sheets=names)
        grids.append((grid, formulas, ws.title))
        if sheet:
            break
    scored = [(header_score(g), -i, g, f, t) for i, (g, f, t) in enumerate(grids)]
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    _, _, grid, formulas, title = scored[0]
    if all(r.is_blank for r in grid.rows):
        raise ImportRejected(f'The sheet "{title}" in {filename} is empty.')
    if formulas:
        _use_cached_values(load(data_only=True)[title], grid, formulas)
    return grid


def _sheet_rows(ws) -> tuple[list[GridRow], list[tuple[int, int, str]]]:
    if ws.max_row > MAX_ROWS:
        raise ImportRejected(f'The sheet "{ws.title}" has {ws.max_row} rows; the most I import at once is {MAX_ROWS}.')
    merged: dict[tuple[int, int], tuple[str, int, int]] = {}
    spans_all_rows: set[int] = set()
    for rng in ws.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                if (row, col) == (rng.min_row, rng.min_col):
                    continue
                kind = "down" if col == rng.min_col else "across"
                merged[(row, col)] = (kind, rng.min_row, rng.min_col)
    formulas = []
    raw: list[tuple[int, list[Cell]]] = []
    last_col = 0
    for row in ws.iter_rows(max_col=min(ws.max_column, MAX_COLUMNS)):
        cells = []
        for c in row:
            value = c.value
            if isinstance(value, str) and c.data_type == "f":
                formulas.append((c.row, c.column, c.coordinate))
            elif isinstance(value, dt.time):
                value = value.strftime("%H:%M")
            elif isinstance(value, str):
                value = value.strip() or None
            cells.append(Cell(value=value, bold=bool(c.font and c.font.b)))
        if not row:
            continue
        number = row[0].row
        for col, cell in enumerate(cells, start=1):
            if (number, col) in merged:
                kind, top, left = merged[(number, col)]
                cell.merged = kind
                if kind == "down":
                    cell.value = ws.cell(top, left).value
        if any(c.text for c in cells):
            last_col = max(last_col, max(i for i, c in enumerate(cells, start=1) if c.text))
        raw.append((number, cells))
    for rng in ws.merged_cells.ranges:
        if rng.min_col == 1 and rng.max_col >= last_col > 1 and rng.min_row == rng.max_row:
            spans_all_rows.add(rng.min_row)
    rows = [
        GridRow(number=n, cells=cells[:last_col], label=f"row {n}", spans_all=n in spans_all_rows)
        for n, cells in raw
    ]
    return rows, formulas


def _use_cached_values(ws, grid: Grid, formulas: list[tuple[int, int, str]]) -> None:
    by_number = {r.number: r for r in grid.rows}
    missing = []
    for row, col, coordinate in formulas:
        value = ws.cell(row, col).value
        if value is None:
            missing.append(coordinate)
            continue
        target = by_number.get(row)
        if target and col - 1 < len(target.cells):
            target.cells[col - 1].value = value
    if missing:
        shown = ", ".join(missing[:5]) + (" and others" if len(missing) > 5 else "")
        raise ImportRejected(
            f"The sheet has formulas with no saved value (cell {shown}). Open it in Excel, save it, "
            "or paste the formulas as values (Copy, Paste Special, Values), and import it again."
        )
    first = formulas[0][2]
    grid.warnings.append(
        (formulas[0][0], f"The sheet has {len(formulas)} formula(s) (first in {first}); their saved values were imported.")
    )


# --- DOCX ------------------------------------------------------------------------------------


def _tc_text(tc) -> str:
    from docx.text.paragraph import Paragraph

    return "\n".join(Paragraph(p, None).text for p in tc.p_lst).strip()


def qn(tag: str) -> str:
    from docx.oxml.ns import qn as _qn

    return _qn(tag)


def _tc_bold(tc) -> bool:
    runs = [r for r in tc.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
    if not runs:
        return False
    for run in runs:
        rpr = run.find(qn("w:rPr"))
        bold = rpr.find(qn("w:b")) if rpr is not None else None
        if bold is None or bold.get(qn("w:val")) in ("0", "false", "off"):
            return False
    return True


def _table_rows(tbl) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for tr in tbl.tr_lst:
        cells: list[Cell] = [Cell(merged="across") for _ in range(tr.grid_before)]
        for tc in tr.tc_lst:
            span = max(tc.grid_span, 1)
            column = len(cells)
            vmerge = tc.vMerge
            if vmerge == "continue" and rows and column < len(rows[-1]):
                above = rows[-1][column]
                cell = Cell(value=above.value, bold=above.bold, merged="down")
            else:
                cell = Cell(value=_tc_text(tc) or None, bold=_tc_bold(tc))
            cells.append(cell)
            cells.extend(Cell(merged="across") for _ in range(span - 1))
        rows.append(cells)
    return rows


def read_docx(data: bytes, *, filename: str = "upload.docx", table: str | None = None) -> Grid:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from actionplans.importing.columns import header_score

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportRejected(
            f"{filename} is damaged or is not a Word document I can read. Open it in Word, save it again and retry."
        ) from exc
    tables = [_table_rows(t._tbl) for t in document.tables]
    tables = [t for t in tables if t]
    if not tables:
        raise ImportRejected(f"{filename} has no table. The plan must be a table in the document.")

    # A table split across pages arrives as several tables of the same width, often each
    # repeating the heading row: join them into one and drop the repeats.
    groups: list[list[tuple[int, list[list[Cell]]]]] = []
    for index, rows in enumerate(tables, start=1):
        width = max(len(r) for r in rows)
        if groups and max(len(r) for r in groups[-1][0][1]) == width:
            groups[-1].append((index, rows))
        else:
            groups.append([(index, rows)])
    names = [f"Table {g[0][0]}" if len(g) == 1 else f"Tables {g[0][0]}-{g[-1][0]}" for g in groups]
    grids = []
    for name, group in zip(names, groups, strict=True):
        header = [c.text for c in group[0][1][0]]
        grid_rows: list[GridRow] = []
        for part, (index, rows) in enumerate(group):
            for row_index, cells in enumerate(rows, start=1):
                if part and row_index == 1 and [c.text for c in cells] == header:
                    continue
                texts = [c for c in cells if c.merged != "across"]
                spans_all = len(texts) == 1 and len(cells) > 1 and cells[0].merged != "across"
                grid_rows.append(
                    GridRow(
                        number=len(grid_rows) + 1, cells=cells, label=f"table {index}, row {row_index}", spans_all=spans_all
                    )
                )
        grids.append(Grid(rows=grid_rows, source="docx", filename=filename, sheet=name, sheets=names))
    if table:
        wanted = re.sub(r"\D", "", table)
        chosen = [g for g in grids if g.sheet.lower() == table.strip().lower()] or [
            g for g in grids if wanted and wanted in re.findall(r"\d+", g.sheet)
        ]
        if not chosen:
            raise ImportRejected(f'{filename} has no "{table}". Its tables are: {", ".join(names)}.')
        return chosen[0]
    return max(grids, key=lambda g: (header_score(g), len(g.rows)))
