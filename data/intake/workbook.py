"""Open an uploaded workbook safely and hand back its sheets as grids of cell values.

Checks run on the bytes before any parser sees them: size limit, file type by signature (not
by name), encrypted (password-protected) Office files, zip bombs by declared uncompressed size
and ratio, XML entity declarations (refused with defusedxml), and formulas whose results were
never cached by Excel. Macros in .xlsm files are never run: only cell values are read. A file
that is neither zip nor OLE is read as a text table (CSV, ``data.intake.text_table``) when it
decodes as one, within the same row and cell limits.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import os
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from python_calamine import CalamineWorkbook

from data import settings
from data.i18n.formats import first_of
from data.intake import html_table, text_table

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 300 * 1024 * 1024  # declared total, bytes
MAX_RATIO = 200  # declared uncompressed / compressed, per member
PROLOG_BYTES = 4096
# rows a sheet may declare beyond the data-row limit: titles, header and notes
HEADER_ALLOWANCE = 50


class WorkbookError(Exception):
    """A file that cannot be read as a workbook: ``rule`` names the check, ``params`` fill the
    message template ``rule.<rule>`` of the message catalogue."""

    def __init__(self, rule: str, **params):
        super().__init__(rule)
        self.rule = rule
        self.params = params


@dataclass
class Sheet:
    """One worksheet. Its rows are held as Python values only as far as a reader asks: the top
    rows (titles and header) whole, the rows below only in the columns the reader names, so
    a wide sheet's unnamed columns never become millions of Python objects."""

    name: str
    grid: np.ndarray | None = None  # a text table's cells, all held, as a 2-D array of str
    merged: list = field(default_factory=list)
    hidden: bool = False
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # Excel error cells
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # read by cached value
    parsed: object = None  # a workbook's sheet as calamine parsed it (in Rust, not yet Python)
    _head: list[list] = field(default_factory=list, repr=False)

    @property
    def height(self) -> int:
        """Rows, counted from Excel row 1."""
        if self.parsed is None:
            return self.grid.shape[0]
        end = self.parsed.end
        return 0 if end is None else end[0] + 1

    @property
    def width(self) -> int:
        """Columns, counted from column A."""
        if self.parsed is None:
            return self.grid.shape[1]
        end = self.parsed.end
        return 0 if end is None else end[1] + 1

    def head(self, n: int) -> list[list]:
        """The first ``n`` rows, every column: ``head(n)[r][c]`` is the cell at Excel row r+1,
        column c+1."""
        if self.parsed is None:
            return self.grid[:n].tolist()
        if n > len(self._head) and len(self._head) < self.height:
            self._head = self.parsed.to_python(skip_empty_area=False, nrows=max(n, HEAD_ROWS))
        return self._head[:n]

    def rows(self, start: int = 0, columns: list[int] | None = None) -> list[list]:
        """Rows from ``start`` (0-based) to the last, each with the cells of ``columns`` (in
        that order; '' beyond the sheet), or every column when ``columns`` is None."""
        if self.parsed is None:
            if columns is None:
                return self.grid[start:].tolist()
            return self.cells(start, columns).tolist()
        if columns is None:
            return self.parsed.to_python(skip_empty_area=False)[start:]
        return self.cells(start, columns).tolist()

    def cells(self, start: int, columns: list[int], chunk: int = 4096) -> np.ndarray:
        """``rows(start, columns)`` as one 2-D object array, filled a few thousand rows at a
        time: the per-row lists of a long sheet never exist all at once (their millions of
        small allocations, once freed, would stay behind as a fragmented heap)."""
        height = max(self.height - start, 0)
        if self.parsed is None:  # a text table: a slice of the cells it holds
            out = np.full((height, len(columns)), "", dtype=object)
            inside = [i for i, c in enumerate(columns) if c < self.width]
            out[:, inside] = self.grid[start:, [columns[i] for i in inside]]
            return out
        out = np.empty((height, len(columns)), dtype=object)
        # calamine's rows begin at Excel row 1 but at the first column holding a value
        first = self.parsed.start[1] if self.parsed.start is not None else 0
        at = [c - first for c in columns]
        rows = itertools.islice(self.parsed.iter_rows(), start, None)
        # a row that holds every column named is picked in C; each row is let go once picked
        pick = operator.itemgetter(*at) if at and min(at) >= 0 else None
        top = max(at, default=-1)
        for r in range(0, height, chunk):
            picked = [
                pick(row)
                if pick is not None and len(row) > top
                else [row[i] if 0 <= i < len(row) else "" for i in at]
                for row in itertools.islice(rows, chunk)
            ]
            out[r : r + len(picked)] = np.array(picked, dtype=object).reshape(len(picked), len(at))
        return out

    def release(self) -> None:
        """Let go of the parsed cells once the rows wanted are read (a wide sheet's are a
        hundred MB in Rust): afterwards only the rows already held can be read."""
        if self.parsed is not None:
            self._head = self.head(HEAD_ROWS)
            self.grid, self.parsed = text_table.grid_of(self._head), None

    def is_empty(self) -> bool:
        """No cell holds a value (read a row at a time, stopping at the first value)."""
        if self.parsed is None:
            return not (self.grid != "").any()
        if any(v not in ("", None) for row in self.head(HEAD_ROWS) for v in row):
            return False
        rows = itertools.islice(self.parsed.iter_rows(), HEAD_ROWS, None)
        return not any(v not in ("", None) for row in rows for v in row)


# rows a sheet holds whole from the top: more than the header scan looks at
# (``headers.HEADER_SCAN_ROWS``) with the unit and column-number lines under a header
HEAD_ROWS = 32


def _limit_bytes() -> int:
    return int(float(settings.get("max_upload_mb")) * 1024 * 1024)


def detect_kind(content: bytes) -> str:
    """'xlsx' (any OOXML zip), 'xls' (OLE compound file) or 'unknown', by signature."""
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE_MAGIC):
        return "xls"
    return "unknown"


def _is_encrypted_ole(content: bytes) -> bool:
    # An encrypted .xlsx is an OLE container holding EncryptionInfo + EncryptedPackage streams;
    # the stream names are stored in UTF-16 in the directory sectors.
    return "EncryptedPackage".encode("utf-16-le") in content or (
        "EncryptionInfo".encode("utf-16-le") in content
    )


_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml$")
_ROW_TOKENS = (b"<row ", b"<row>")
_CELL_TOKENS = (b"<c ", b"<c>")
_MARK_TOKENS = (b"<f", b't="e"')  # a formula, an error-typed cell


@dataclass
class Measure:
    """What the sheets of an xlsx hold, counted while streaming their XML (never trusting a
    declared dimension): the most rows of a sheet, all cells, and the sheet parts that have
    any formula or error cell (the only ones ``scan_cells`` then parses)."""

    rows: int = 0
    cells: int = 0
    marked: set[str] = field(default_factory=set)


def _count(tail: bytes, chunk: bytes, token: bytes) -> int:
    """``token``'s occurrences in ``chunk`` and across its start (``tail``: what came before)."""
    k = len(token) - 1
    return chunk.count(token) + (tail[-k:] + chunk[:k]).count(token)


# What zipfile and zlib raise on a damaged archive: a bad CRC or broken deflate data, sizes
# or offsets that lie, a compression method byte overwritten into one zipfile cannot read.
DAMAGED_ARCHIVE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)


def measure(content: bytes, chunk_bytes: int = 1 << 20) -> Measure:
    """Stream every sheet part once, 1 MB at a time, counting rows and cells. A damaged
    member (bad CRC, broken deflate data, sizes that lie) is the damaged-file refusal."""
    out = Measure()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            for name in zf.namelist():
                if not _SHEET_PART.match(name):
                    continue
                rows, tail, marked = 0, b"", False
                with zf.open(name) as fh:
                    while chunk := fh.read(chunk_bytes):
                        rows += sum(_count(tail, chunk, t) for t in _ROW_TOKENS)
                        out.cells += sum(_count(tail, chunk, t) for t in _CELL_TOKENS)
                        marked = marked or any(_count(tail, chunk, t) for t in _MARK_TOKENS)
                        tail = chunk[-8:]
                out.rows = max(out.rows, rows)
                if marked:
                    out.marked.add(name)
    except DAMAGED_ARCHIVE:
        raise WorkbookError("corrupt_zip") from None
    return out


def _check_zip(content: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except DAMAGED_ARCHIVE:
        raise WorkbookError("corrupt_zip") from None
    if any(i.flag_bits & 0x1 for i in infos):  # a zip password (zip -P): nothing can be read
        raise WorkbookError("encrypted")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise WorkbookError(
            "zip_bomb", size_mb=round(total / 2**20), limit_mb=MAX_UNCOMPRESSED // 2**20
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20:
            raise WorkbookError(
                "zip_bomb", size_mb=round(total / 2**20), limit_mb=MAX_UNCOMPRESSED // 2**20
            )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise WorkbookError("not_a_workbook")
    try:
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with zf.open(info) as fh:
                head = fh.read(PROLOG_BYTES)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                # let defusedxml name the offence; anything with a DTD is refused
                try:
                    safe_fromstring(head.decode("utf-8", "replace") + "<x/>")
                except DefusedXmlException:
                    pass
                except Exception:  # noqa: BLE001 - the prolog alone need not be well-formed
                    pass
                raise WorkbookError("xml_entities", part=info.filename)
            if info.filename in ("[Content_Types].xml", "xl/workbook.xml"):
                with zf.open(info) as fh:
                    safe_fromstring(fh.read())
    except DefusedXmlException as exc:
        raise WorkbookError("xml_entities", part=str(exc)) from None
    except DAMAGED_ARCHIVE:
        raise WorkbookError("corrupt_zip") from None
    except Exception as exc:  # noqa: BLE001 - malformed XML in a required part
        if exc.__class__.__name__ == "ParseError":
            raise WorkbookError("corrupt_zip") from None
        raise


_CACHED = re.compile(rb"<v>[^<]")  # a cached result; openpyxl writes <v /> when there is none
# a cell with content (an empty cell is self-closing, <c r="A1" s="1"/>, and never matches)
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?:[^>/]|/(?!>))*)>((?:(?!</c>).)*?)</c>', re.S)
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")


@dataclass
class CellScan:
    """What the fast reader cannot tell: formulas with no cached result, and cells whose value
    is an Excel error (#DIV/0!, #N/A ...; the reader gives those as empty cells)."""

    uncached: list[str] = field(default_factory=list)  # cell references, e.g. "C4"
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based
    cached: dict[tuple[int, int], str] = field(default_factory=dict)  # formula cells read by value


def _mentions(zf: zipfile.ZipFile, name: str) -> bool:
    """Whether a sheet's XML has any formula element or error-typed cell, read in 1 MB
    pieces (a big sheet is never held whole just to learn it has none)."""
    tail = b""
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            window = tail + chunk
            if b"<f" in window or b't="e"' in window:
                return True
            tail = chunk[-8:]
    return False


def scan_cells(content: bytes, marked: set[str] | None = None) -> dict[str, CellScan]:
    """Formulas without cached values and error cells, per sheet XML part (xlsx only); only
    the ``marked`` parts (``measure``: those with any formula or error cell) when given."""
    out: dict[str, CellScan] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for name in zf.namelist():
            if not _SHEET_PART.match(name):
                continue
            if (name not in marked) if marked is not None else not _mentions(zf, name):
                continue
            scan = CellScan()
            for m in _CELL.finditer(zf.read(name)):
                ref, attrs, inner = m.group(1).decode(), m.group(2), m.group(3)
                if b"<f" in inner and not _CACHED.search(inner):
                    scan.uncached.append(ref)
                elif b't="e"' in attrs:
                    value = _ERROR_VALUE.search(inner)
                    col, row = coordinate_from_string(ref)
                    scan.errors[(row - 1, column_index_from_string(col) - 1)] = (
                        value.group(1).decode() if value else "#ERROR"
                    )
                elif b"<f" in inner:  # a formula whose cached result is what is read
                    col, row = coordinate_from_string(ref)
                    scan.cached[(row - 1, column_index_from_string(col) - 1)] = ref
            if scan.uncached or scan.errors or scan.cached:
                out[name] = scan
    return out


def xls_error_cells(content: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Error cells (#DIV/0!, #N/A ...) of a legacy .xls, per sheet name, 0-based (row, col):
    calamine gives them as empty cells. Read with xlrd, whose .xls reader is the reference."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception:  # noqa: BLE001 - calamine read it; an xlrd failure only loses this check
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            found = {
                (r, c): xlrd.error_text_from_code.get(sheet.cell_value(r, c), "#ERROR")
                for r in range(sheet.nrows)
                for c, kind in enumerate(sheet.row_types(r))
                if kind == xlrd.XL_CELL_ERROR
            }
            if found:
                out[sheet.name] = found
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return out


def _sheet_part_names(content: bytes) -> dict[str, str]:
    """Map sheet XML part -> sheet name (for reporting formulas by sheet)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        wb = safe_fromstring(zf.read("xl/workbook.xml"))
        rels = safe_fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    ns_r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    targets = {r.get("Id"): r.get("Target").lstrip("/").removeprefix("xl/") for r in rels}
    out = {}
    for s in wb.iter():
        if s.tag.endswith("}sheet"):
            out["xl/" + targets.get(s.get(ns_r), "")] = s.get("name")
    return out


_SCAN = ThreadPoolExecutor(max_workers=1, thread_name_prefix="urbdash-xlsx-scan")


def _new_scan_pool_in_child() -> None:
    """A forked process (a test's child, a pre-forking server) inherits the pool object but
    not its worker thread: it would queue scans nobody runs. The child gets its own pool."""
    global _SCAN
    _SCAN = ThreadPoolExecutor(max_workers=1, thread_name_prefix="urbdash-xlsx-scan")


os.register_at_fork(after_in_child=_new_scan_pool_in_child)


def _text_sheet(content: bytes, name: str) -> Sheet:
    """A CSV file (or an HTML table saved as a workbook) as one sheet, within the same row
    and cell limits as a workbook."""
    merged: list = []
    try:
        if html_table.is_html_table(content):
            cells, merged = html_table.html_grid(text_table.decode(content)[0])
        else:
            cells = text_table.table(content)
    except text_table.NotText as exc:
        raise WorkbookError("not_excel" if exc.binary else "text_encoding") from None
    except csv.Error as exc:
        raise WorkbookError("unreadable", reason=str(exc)[:200]) from None
    limit = int(settings.get("max_rows"))
    if cells.shape[0] > limit + HEADER_ALLOWANCE:
        raise WorkbookError("too_many_rows", rows=f"{cells.shape[0]:,}", limit=f"{limit:,}")
    if cells.size > int(settings.get("max_cells")):
        most = int(settings.get("max_cells"))
        raise WorkbookError("too_many_cells", cells=f"{cells.size:,}", limit=f"{most:,}")
    if not any(v.strip() for v in cells.flat if v):  # stops at the first cell with a value
        raise WorkbookError("empty_workbook")
    return Sheet(name, cells, merged)


def open_workbook(content: bytes, name: str = "CSV") -> list[Sheet]:
    """Check ``content`` and return its worksheets as grids; raise WorkbookError if unsafe.
    A text table (CSV) is one sheet named ``name`` (the file's name, which may say the
    period)."""
    if not content:
        raise WorkbookError("empty_file")
    if len(content) > _limit_bytes():
        raise WorkbookError(
            "too_large",
            size_mb=round(len(content) / 2**20, 1),
            limit_mb=settings.get("max_upload_mb"),
        )
    kind = detect_kind(content)
    if kind == "unknown":
        return [_text_sheet(content, name)]
    if kind == "xls" and _is_encrypted_ole(content):
        raise WorkbookError("encrypted")
    formulas = None
    if kind == "xlsx":
        _check_zip(content)  # sizes first: nothing is decompressed before this passes
        # the limits before the parse, from what the sheets hold (streamed, counted), never
        # from a declared dimension: a sheet that says nothing or lies is measured the same
        held = measure(content)
        limit = int(settings.get("max_rows"))
        if held.rows > limit + HEADER_ALLOWANCE:
            raise WorkbookError("too_many_rows", rows=f"{held.rows:,}", limit=f"{limit:,}")
        most = int(settings.get("max_cells"))
        if held.cells > most:
            raise WorkbookError("too_many_cells", cells=f"{held.cells:,}", limit=f"{most:,}")
        # The formula scan parses the sheets with a formula or an error cell; it runs beside
        # calamine's parse (both leave the GIL), and its finding comes before any parse error.
        formulas = _SCAN.submit(scan_cells, content, held.marked)
    xls_errors = _SCAN.submit(xls_error_cells, content) if kind == "xls" else None
    parsed, failure = [], None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        meta = {m.name: m for m in wb.sheets_metadata}
        for name in wb.sheet_names:
            if str(meta[name].typ) != "SheetTypeEnum.WorkSheet":
                continue
            hidden = str(meta[name].visible) != "SheetVisibleEnum.Visible"
            parsed.append((name, wb.get_sheet_by_name(name), hidden))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error classes
        failure = exc
    try:
        scans = formulas.result() if formulas is not None else {}
    except DAMAGED_ARCHIVE:
        raise WorkbookError("corrupt_zip") from None
    names = _sheet_part_names(content) if scans else {}
    missing = [(part, scan.uncached) for part, scan in scans.items() if scan.uncached]
    if missing:
        part, cells = missing[0]
        raise WorkbookError(
            "formula_no_cache",
            sheet=names.get(part, part),
            cells=first_of(cells, 5, ", "),
        )
    errors = {names.get(part, part): scan.errors for part, scan in scans.items()}
    cached = {names.get(part, part): scan.cached for part, scan in scans.items()}
    if xls_errors is not None:
        errors = xls_errors.result()
    if failure is not None:
        text = str(failure).lower()
        if "password" in text or "encrypt" in text:
            raise WorkbookError("encrypted") from None
        raise WorkbookError("unreadable", reason=str(failure).splitlines()[0][:200]) from None
    sheets = [
        Sheet(
            name,
            merged=sh.merged_cell_ranges or [],
            hidden=hidden,
            errors=errors.get(name, {}),
            formulas=cached.get(name, {}),
            parsed=sh,
        )
        for name, sh, hidden in parsed
    ]
    if all(s.is_empty() for s in sheets):
        raise WorkbookError("empty_workbook")
    return sheets
