"""A return laid out across: the regions along a row (地区名称, maybe 区划代码 above or below
it), one indicator per row under them, named in a label column on the left (a small city's
four counties side by side, as printed tables often run). Such a sheet is read as the grid a
return down the page would be — the title lines as they are, a header of the region rows'
labels and the indicator names, a row per region column — and every cell the reading names
(a problem, a value's cell, a total) is mapped back to where it is in the sheet.

Found only where no header is: a row whose cells (right of the label column) name two regions
or more, directly above rows whose label names an indicator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from data.intake.cells import is_blank, unit_named
from data.intake.headers import OF_WHICH, match_header, norm_text, split_header
from data.intake.quarters import VALUE_FIELDS
from data.intake.rows import is_total_label
from data.intake.workbook import Sheet
from geo.regions import Resolver

MAX_ROWS = 200  # an across table is a few indicators high; a longer sheet is read down
LABEL_COLUMNS = 3  # the label column is one of the first three (after 序号, 栏次)
REGION_LEVELS = ("county", "city", "province")


@dataclass
class Across:
    """The sheet read down: ``grid``, and for each of its cells the sheet's own (0-based
    row, column); ``names_row``: the sheet row of the region names (a region's own cell)."""

    grid: np.ndarray
    where: dict[tuple[int, int], tuple[int, int]]
    names_row: int
    header_row: int  # the grid's header row
    columns: list[int]  # the sheet column of each grid row under the header


def find_across(sheet: Sheet, resolver: Resolver) -> Across | None:
    """The across layout of ``sheet``, or None."""
    if sheet.height > MAX_ROWS or sheet.height < 2:
        return None
    rows = [list(r) for r in sheet.head(sheet.height)]
    width = max(map(len, rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    label_col, indicator_rows = _indicator_rows(rows)
    if not indicator_rows:
        return None
    first = indicator_rows[0]
    region_rows = _region_rows(rows, label_col, first, resolver)
    if not region_rows:
        return None
    # from the first column that names a region, every column with a region cell (one no one
    # knows is then said, never dropped); a 单位 column may stand before them
    start = min(
        c
        for c in range(label_col + 1, width)
        if any(_is_region(rows[r][c], resolver) for r in region_rows)
    )
    columns = [c for c in range(start, width) if any(not is_blank(rows[r][c]) for r in region_rows)]
    units = _unit_column(rows, label_col, columns, indicator_rows)
    top = min(region_rows)
    header = [_region_label(rows, r, label_col, resolver) for r in region_rows]
    header += [_with_unit(rows[i][label_col], units.get(i)) for i in indicator_rows]
    keys = [*region_rows, *indicator_rows]
    grid = [list(rows[r]) for r in range(top)]
    where = {(r, c): (r, c) for r in range(top) for c in range(width)}
    h = len(grid)
    grid.append(header)
    where |= {(h, j): (r, label_col) for j, r in enumerate(keys)}
    for k, c in enumerate(columns):
        grid.append([rows[r][c] for r in keys])
        where |= {(h + 1 + k, j): (r, c) for j, r in enumerate(keys)}
    wide = max(map(len, grid))
    cells = np.array([row + [""] * (wide - len(row)) for row in grid], dtype=object)
    return Across(cells, where, region_rows[-1], h, columns)


def _indicator_rows(rows: list[list]) -> tuple[int, list[int]]:
    """The label column and the rows whose label there names an indicator, with the "of
    which" rows (其中：城镇) under one; none when fewer than one names an indicator."""
    found: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        for c in range(min(LABEL_COLUMNS, len(row))):
            if isinstance(row[c], str) and match_header(row[c]) in VALUE_FIELDS:
                found.setdefault(c, []).append(i)
                break
    if not found:
        return 0, []
    label_col = max(found, key=lambda c: len(found[c]))
    named = found[label_col]
    out = [
        i
        for i in range(named[0], len(rows))
        if i in named or OF_WHICH.match(norm_text(rows[i][label_col]))
    ]
    return label_col, out


def _is_region(value: object, resolver: Resolver) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, str) and is_total_label(value):
        return True
    res = resolver.resolve(value)
    return res.ok and resolver.level_of(res.code) in REGION_LEVELS


def _region_rows(rows: list[list], label_col: int, first: int, resolver: Resolver) -> list[int]:
    """The rows right above the first indicator row whose cells name two regions or more
    (names, codes: up to two such rows), top down."""
    out = []
    for r in range(first - 1, -1, -1):
        named = sum(_is_region(v, resolver) for v in rows[r][label_col + 1 :])
        if named >= 2:
            out.append(r)
            if len(out) == 2:
                break
        elif out or any(not is_blank(v) for v in rows[r][label_col + 1 :]):
            break  # the rows above the regions are the title's
    return sorted(out)


def _region_label(rows: list[list], r: int, label_col: int, resolver: Resolver) -> str:
    """A region row's header: its own label when that names a region field, else by what
    its cells are (codes or names)."""
    own = rows[r][label_col]
    if isinstance(own, str) and match_header(own) in ("region_code", "region_name"):
        return own
    cells = [v for v in rows[r][label_col + 1 :] if not is_blank(v)]
    codes = sum(str(v).strip().removesuffix(".0").isdigit() for v in cells)
    return "区划代码" if codes > len(cells) / 2 else "地区名称"


def _unit_column(rows, label_col: int, columns: list[int], indicator_rows: list[int]) -> dict:
    """Each indicator row's unit from a 单位 column between the labels and the regions."""
    if not columns:
        return {}
    for c in range(label_col + 1, min(columns)):
        cells = {i: rows[i][c] for i in indicator_rows if not is_blank(rows[i][c])}
        units = {i: unit_named(v) for i, v in cells.items()}
        if units and all(units.values()):
            return units
    return {}


def _with_unit(label: object, unit: str | None) -> object:
    if unit is None or split_header(label)[1]:
        return label
    return f"{label}（{unit}）"


def as_sheet(sheet: Sheet, across: Across) -> Sheet:
    """The sheet read down, under its own name."""
    return Sheet(sheet.name, across.grid, hidden=sheet.hidden)


def _letter_index(letter: str) -> int:
    return column_index_from_string(letter) - 1


def restore(across: Across, problems: list, records: list[dict], totals: list[dict]) -> None:
    """Every cell the reading of the grid named, put back where it is in the sheet: problems
    (in place), value blocks and totals (one per value: across, a block is a row of values)."""
    for p in problems:
        p.row, p.column = _place(across, p.row, p.column)
    split = []
    for block in records:
        j = _letter_index(block["column"])
        for k, t_row in enumerate(block["row"]):
            o_row, o_col = across.where[(int(t_row) - 1, j)]
            one = {
                name: (value[0][k : k + 1], value[1])
                if isinstance(value, tuple)
                else value[k : k + 1]
                if isinstance(value, np.ndarray)
                else value
                for name, value in block.items()
            }
            one["row"] = np.array([o_row + 1], dtype=np.int64)
            one["column"] = get_column_letter(o_col + 1)
            split.append(one)
    records[:] = split
    moved = []
    for total in totals:
        for ind, (stated, letter) in total["values"].items():
            o_row, o_col = across.where[(total["row"] - 1, _letter_index(letter))]
            moved.append(
                {**total, "row": o_row + 1, "block": False,
                 "values": {ind: (stated, get_column_letter(o_col + 1))}}
            )  # fmt: skip
    totals[:] = moved


def _place(across: Across, row: int | None, column: str | None) -> tuple:
    """A grid cell (1-based row, letter; either may be None) as the sheet's."""
    if row is None:
        return row, column
    r = row - 1
    if column is not None and (r, _letter_index(column)) in across.where:
        o_row, o_col = across.where[(r, _letter_index(column))]
        return o_row + 1, get_column_letter(o_col + 1)
    if r > across.header_row and r - across.header_row - 1 < len(across.columns):
        # a row's problem (its region) is the region's own cell
        return across.names_row + 1, get_column_letter(
            across.columns[r - across.header_row - 1] + 1
        )
    return row, column
