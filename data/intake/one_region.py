"""A single region's table: no region's column, the region named above the table or by the
sheet's name (蓝田县2023年第二季度落户情况 over 指标 | 数值, or over a row of indicator columns), as
a county office writes its own return. Such a sheet is read as the grid with a region's
column put before it (区划代码 in the header row, the named region's code on every row under
it), and every cell the reading names is mapped back to where it is in the sheet (the
region's own cells to the cell that named it) by ``across.restore``.

Found only where no sheet has a header with a region's column and the regions do not run
across: a header of indicators (or a long table's 指标 | 数值) under lines, or on a sheet
whose name, names exactly one region."""

from __future__ import annotations

import numpy as np

from data.intake.across import Across
from data.intake.cells import is_blank
from data.intake.headers import HEADER_SCAN_ROWS, find_header
from data.intake.workbook import Sheet
from geo.regions import Resolver


def find_one_region(sheet: Sheet, resolver: Resolver) -> Across | None:
    """The single region's layout of ``sheet``, or None."""
    header = find_header(sheet, regional=False)
    if header is None:
        return None
    named = _region_cell(sheet.head(header.row), resolver)
    if named is None:
        codes = resolver.named_in(sheet.name)
        if len(codes) != 1:
            return None
        named = (next(iter(codes)), None)
    code, cell = named
    rows = [list(r) for r in sheet.head(sheet.height)]  # the whole sheet only once it is one
    width = max(map(len, rows), default=0)
    grid, where = [], {}
    for r, row in enumerate(rows):
        row = row + [""] * (width - len(row))
        if r < header.row:
            first = ""
        elif r == header.row:
            first = "区划代码"
        else:
            first = code if any(not is_blank(v) for v in row) else ""
        grid.append([first, *row])
        where |= {(r, c + 1): (r, c) for c in range(width)}
        if r > header.row and cell is not None:
            where[(r, 0)] = cell  # the region of every row is the cell that named it
    cells = np.array(grid, dtype=object) if grid else np.full((0, 0), "", dtype=object)
    return Across(cells, where, cell[0] if cell else 0, header.row, [])


def _region_cell(rows: list[list], resolver: Resolver) -> tuple[str, tuple[int, int]] | None:
    """The one region the lines above the header name, and the cell that names it."""
    found = {}
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for c, value in enumerate(row):
            if is_blank(value) or not isinstance(value, str):
                continue
            for code in resolver.named_in(value):
                found.setdefault(code, (r, c))
    return next(iter(found.items())) if len(found) == 1 else None
