"""Read filled-in quarterly returns into tidy rows, pinning every problem to a cell.

Reading uses python-calamine through ``data.workbook`` (fast; formulas are not evaluated and
macros never run). Header names are matched through ``header_aliases.csv``, so a new wording is
a data change. Accepted without editing the file: title and unit lines above the header, one- or
two-row and merged headers, units per column (``常住人口（万人）``) or per sheet (``单位：万人``),
columns in any order, extra columns (ignored with a warning), codes as numbers or text, old codes
and names, the period in a column, in year + quarter columns, in the title or the sheet name,
full-width digits, thousands separators, numbers stored as text, notes below the table, and
``合计``/``小计`` or city rows, which are checked against the sum of their rows and not stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data.intake import across, one_region
from data.intake.headers import (
    HEADER_SCAN_ROWS,
    field_name,
    find_header,
    nearest_field,
)
from data.intake.long_table import is_long
from data.intake.problems import Problem, ReadResult
from data.intake.quarters import VALUE_FIELDS
from data.intake.sheet import read_sheet
from data.intake.workbook import WorkbookError, open_workbook
from data.keys import distinct
from data.reference import indicators
from geo.regions import Resolver, default_resolver

ROW_COLUMNS = [
    "sheet",
    "row",
    "column",
    "region_raw",
    "region_code",
    "period",
    "indicator",
    "value",
    "raw",
]
# Few distinct values over up to a million rows (sheet, column, region, period, indicator):
# kept as categoricals with sorted categories (sorting by code is sorting by text), the cell's
# own content as plain objects. Nothing is copied into new string arrays, which is most of the
# time and memory of a large return.
CONSTANT_COLUMNS = ("sheet", "column", "indicator")  # one value per block of rows


def read_return(
    source: Path | str | bytes,
    period: str | None = None,
    resolver: Resolver | None = None,
    filename: str | None = None,
) -> ReadResult:
    """Read every worksheet of a return into tidy rows, collecting located problems.

    Parameters
    ----------
    source : the workbook's bytes or path (a CSV file is read as one sheet).
    period : a period that overrides whatever the file says (e.g. chosen on the upload page).
    filename : the uploaded file's name: a CSV file's one sheet is named after it.
    """
    resolver = resolver or default_resolver()
    content = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = filename or (None if isinstance(source, bytes) else Path(source).name)
    try:
        sheets = open_workbook(content, Path(name).stem if name else "CSV")
    except WorkbookError as exc:
        return ReadResult(
            pd.DataFrame(columns=ROW_COLUMNS),
            [Problem.of_file(exc.rule, **exc.params)],
        )
    # the cell grids (a big sheet's million Python objects) are gone before the rows are made
    records, problems, totals, read_sheets, carried = _read_sheets(sheets, period, resolver)
    rows = _tidy(records) if records else pd.DataFrame(columns=ROW_COLUMNS)
    not_carried = [f for f in indicators.REPORTED_CODES if f not in carried] if carried else []
    return ReadResult(rows, problems, totals, read_sheets, not_carried)


def _read_sheets(sheets: list, period: str | None, resolver: Resolver):
    """Every sheet with a header: its value blocks, problems, total rows, and its name; and
    the indicators the sheets read have columns for."""
    records: list[dict] = []
    problems: list[Problem] = []
    totals: list[dict] = []
    read_sheets = []
    carried: set[str] = set()
    headers = [find_header(sheet) for sheet in sheets]
    laid_across: dict[int, tuple[across.Across, object]] = {}  # the layout, the sheet read down
    for k, sheet in enumerate(sheets):  # no header with values: perhaps the regions run across
        found = None if _has_values(headers[k]) else across.find_across(sheet, resolver)
        if found is None and not _has_values(headers[k]):  # or one region, named above
            found = one_region.find_one_region(sheet, resolver)
        down = across.as_sheet(sheet, found) if found is not None else None
        header = find_header(down) if down is not None else None
        if _has_values(header):
            laid_across[k], headers[k] = (found, down), header
    with_values = [_has_values(h) for h in headers]
    for k, (sheet, header, values) in enumerate(zip(sheets, headers, with_values, strict=True)):
        if header is None or (not values and any(with_values)):
            continue  # e.g. a list of region codes beside the return
        if sheet.hidden:  # never read unseen: the person filing may not know it is there
            params = {"sheet": sheet.name}
            problems.append(
                Problem(sheet.name, None, None, None, None, "hidden_sheet", params, "warning")
            )
            continue
        read_sheets.append(sheet.name)
        carried |= set(header.fields.values()) & VALUE_FIELDS
        if k in laid_across:  # read down, then every cell named put back where it is
            mine: tuple[list, list, list] = ([], [], [])
            found, down = laid_across[k]
            carried |= read_sheet(down, header, period, resolver, *mine)
            across.restore(found, mine[1], mine[0], mine[2])
            records += mine[0]
            problems += mine[1]
            totals += mine[2]
        else:
            carried |= read_sheet(sheet, header, period, resolver, records, problems, totals)
        sheet.release()  # also where no row was read: the cells go before the next sheet's
    if not read_sheets and not problems:
        problems.append(Problem.of_file("no_header", sheets="、".join(s.name for s in sheets)))
        problems += [hint for sheet in sheets if (hint := _header_hint(sheet))]
    return records, problems, totals, read_sheets, carried


def _has_values(header) -> bool:
    """A header that names a value column (or quarter columns, or a long table's)."""
    if header is None:
        return False
    return bool(set(header.fields.values()) & VALUE_FIELDS or header.quarters) or is_long(
        header.fields
    )


def _header_hint(sheet) -> Problem | None:
    """Where no header is recognised: the likeliest header row of a sheet (the one with the
    most text cells near the top) with the field each cell could be (区县名称 → 地区名称?)."""
    best: list[str] = []
    for row in sheet.head(HEADER_SCAN_ROWS):
        texts = [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
        if len(texts) > len(best):
            best = texts
    if len(best) < 2:
        return None
    cells = []
    for text in best:
        near = nearest_field(text)
        cells.append(f"{text} → {field_name(near)}?" if near else text)
    return Problem(sheet.name, None, None, None, None, "header_hint", {"cells": "；".join(cells)})


def _coded(parts: list[tuple[np.ndarray, np.ndarray]]) -> pd.Categorical:
    """A column given per block as codes into its sheet's distinct values, as one categorical
    of the values the blocks use (categories sorted by text, as the column's order is)."""
    used = [(codes, values, distinct(codes)) for codes, values in parts]
    cats = sorted({values[i] for _, values, at in used for i in at}, key=str)
    index = pd.Index(cats, dtype=object)
    out = []
    for codes, values, at in used:
        remap = np.full(len(values), -1, dtype=np.int64)
        remap[at] = index.get_indexer(pd.Index(values[at], dtype=object))
        out.append(remap[codes])
    return pd.Categorical.from_codes(np.concatenate(out), categories=index)


def _constant(values: list, lengths: list[int]) -> pd.Categorical:
    """A column that is one value per block (sheet, column letter, indicator) as codes."""
    cats = sorted(set(values))
    code = {c: i for i, c in enumerate(cats)}
    codes = np.concatenate(
        [np.full(n, code[v], dtype=np.int32) for v, n in zip(values, lengths, strict=True)]
    )
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=object))


def _tidy(records: list[dict]) -> pd.DataFrame:
    """One frame from the per-column blocks of every sheet (``sheet._blocks``). Each column's
    blocks are let go once the column is built, so a big return never holds two copies."""
    lengths = [len(r["row"]) for r in records]
    cols = {}
    for name in ROW_COLUMNS:
        parts = [r.pop(name) for r in records]
        if name in CONSTANT_COLUMNS:
            cols[name] = _constant(parts, lengths)
        elif name == "row":
            cols[name] = np.concatenate(parts).astype(np.int64)
        elif name == "value":
            cols[name] = np.concatenate(parts).astype(float)
        elif isinstance(parts[0], tuple):  # (codes, the sheet's distinct values)
            cols[name] = _coded(parts)
        else:
            cols[name] = pd.Series(np.concatenate(parts), dtype=object)  # the cells' own
        del parts
    return pd.DataFrame(cols)  # built in ROW_COLUMNS order: no reordering copy


__all__ = ["read_return"]
