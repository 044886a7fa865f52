"""One worksheet's table read into value blocks, in stages, every problem pinned to a cell:

1. ``_layout``: what the header and the lines above it say (the value columns, a year's
   quarter columns, the sheet's unit and period, a unit row or 栏次 row under the header);
2. ``_body``: the rows under the header, only the columns it names, without blank, note and
   repeated header rows;
3. ``_regions``: each row's region, resolved once per distinct code and name; total rows;
4. ``_row_periods``: each row's quarter (a column, year + quarter columns, else the sheet's);
5. ``_numbers``: a value column's numbers, with its unit applied;
6. the county rows as blocks of values (``_blocks``), the total and city rows as totals to
   check (``_totals``), and a 全年合计 column against its quarters (``quarters.year_totals``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from data.intake import long_table, spans
from data.intake.cells import (
    TOTAL_TOLERANCE,
    UNIT_FACTORS,
    blank_cells,
    cell_at,
    is_blank,
    nfkc,
    numbers_in,
    row_unit_scale,
    split_number,
    unit_fits,
    unit_named,
)
from data.intake.headers import (
    SILENT_HEADERS,
    field_name,
    is_column_numbers_row,
    names_a_quarter,
    nearest_field,
    norm_text,
    split_header,
)
from data.intake.problems import Problem, show_value
from data.intake.quarters import VALUE_FIELDS, quarter_columns, year_quarter, year_totals
from data.intake.rows import (
    city_in_total_label,
    is_total_label,
    note_rows,
    period_line,
    period_lines,
    repeated_header_rows,
)
from data.keys import first_positions
from data.reference import indicators, periods
from geo.regions import Resolver

SHEET_UNIT = re.compile(r"单位[:：]\s*(万人|千人|人|万张|张)")


@dataclass
class Layout:
    """What a sheet's header and the lines above it say."""

    name: str
    header: object  # data.intake.headers.Header
    grid: list  # the title, the header and the two lines under it
    above: str  # the text above the header, one line
    sheet_unit: str | None
    sheet_period: str | None
    # (column, indicator, its quarter when the column is a quarter's, else None: the row's)
    value_cols: list[tuple]
    units: dict = field(default_factory=dict)  # a column's own unit (header or unit row)
    start: int = 0  # the first row under the header (and its unit / 栏次 rows)
    long: bool = False  # one row per indicator (long_table): value_cols come from the rows
    # a wide table's 单位 column: each row's unit text ("" where blank), for the value columns
    # whose heading states none
    row_units: np.ndarray | None = None
    # title lines under the header that start a table of another quarter: (sheet row, quarter)
    blocks: list = field(default_factory=list)

    @property
    def col_of(self) -> dict:
        return {f: c for c, f in self.header.fields.items()}

    def factor(self, c: int) -> int:
        return UNIT_FACTORS.get(self.units.get(c) or self.sheet_unit or "人", 1)


@dataclass
class Regions:
    """Each row's region: its code|name key, the sheet's distinct keys with their label,
    resolved code and level, and which rows are totals or of no known region."""

    key_codes: np.ndarray
    labels_u: np.ndarray
    codes_u: np.ndarray
    label: pd.Series
    codes: pd.Series
    levels: pd.Series
    is_total: pd.Series
    ok: pd.Series  # rows of a known region (or a total), a period yet to be checked


def read_sheet(sheet, header, period, resolver, records, problems, totals) -> set[str]:
    """Read ``sheet`` under ``header``: its county values appended to ``records`` as blocks,
    its total rows to ``totals``, every problem to ``problems``. Returns the indicators it has
    values of (a long table's rows name them; quarter columns take them from above or the
    title)."""
    layout = _layout(sheet, header, period, problems)
    if layout is None:
        return set()
    read = _body(sheet, layout, problems)
    if read is None:
        return set()
    body, blank = read
    layout.value_cols = [(c, f, q) for c, f, q in layout.value_cols if c in body.columns]
    cu = layout.col_of.get("unit")
    if cu is not None and not layout.long and cu in body.columns:
        layout.row_units = body[cu].where(~blank[cu], "").to_numpy(dtype=object)
    found: list[Problem] = []  # the regions' problems come after a formula's, as read
    regions = _regions(layout, body, blank, resolver, found)
    if layout.long:
        row_field = long_table.row_indicators(layout, body, blank, regions.ok, found)
    _formula_values(sheet, layout, body, regions, problems)
    problems += found
    per = _row_periods(layout, body, blank, regions, problems)
    numbers = partial(_numbers, layout, body, blank, regions.ok, problems)
    if layout.long:  # the value column read per indicator, over that indicator's rows
        each = partial(_numbers, layout, body, blank)
        parsed = long_table.values(layout, body, blank, regions.ok, problems, row_field, each)
    else:
        parsed = {(c, f): numbers(c, f) for c, f, _ in layout.value_cols}
    records.extend(_blocks(layout, body, regions, per, parsed))
    totals.extend(_totals(layout, body, regions, per, parsed, resolver))
    problems += year_totals(layout, parsed, numbers, regions)
    problems += _part_sums(layout, parsed, numbers, regions)
    return {f for _, f, _ in layout.value_cols}


_UNIT_HEADINGS = ("单位", "计量单位", "unit", "units")


def _unit_column(header) -> None:
    """A column headed 单位 beside the region's name (which 单位 names where it stands alone)
    holds each row's unit: it becomes the header's unit column, no extra column."""
    if "unit" in header.fields.values():
        return
    for c, label in list(header.extra.items()):
        if split_header(label)[0] in _UNIT_HEADINGS:
            header.fields[c] = "unit"
            del header.extra[c]
            return


def _part_sums(layout, parsed: dict, numbers, regions) -> list[Problem]:
    """A column that totals flows the sheet has columns for (落户人数合计 | 其中：农业转移人口 |
    其他常住人口): each row's total checked against the sum of its parts, never stored."""
    out = []
    for c, (fields, column) in layout.header.sums.items():
        parts = [parsed[(pc, f)] for pc, f, q in layout.value_cols if f in fields and q is None]
        if len(parts) != len(fields):
            continue
        stated = numbers(c, fields[0])
        computed = pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))
        gap = (stated - computed).abs() > TOTAL_TOLERANCE
        for r in stated.index[regions.ok & stated.notna() & computed.notna() & gap]:
            out.append(
                Problem(layout.name, int(r), get_column_letter(c + 1), None, stated[r],
                        "parts_total_mismatch",
                        {"label": regions.label[r], "column": column,
                         "stated": f"{stated[r]:,.0f}", "computed": f"{computed[r]:,.0f}"})
            )  # fmt: skip
    return out


def _layout(sheet, header, period, problems) -> Layout | None:
    """The sheet's value columns, unit and period from its header and title; None (with the
    problem said) when it has nothing to read."""
    grid = sheet.head(header.row + 3)
    name = sheet.name
    above = " ".join(str(v) for row in grid[: header.row] for v in row if not is_blank(v))
    sheet_unit = _sheet_unit(grid[: header.row], header)
    _unit_column(header)
    sheet_period = (
        period
        or periods.find_period(above)
        or period_line(grid[: header.row])
        or periods.find_period(name)
        or _year_end(header, grid, above, name)
    )
    value_cols = [(c, f, None) for c, f in header.fields.items() if f in VALUE_FIELDS]
    value_cols += quarter_columns(header, above, name, period, problems)
    span = spans.title_span(header, grid, sheet_period, value_cols, name)
    if span is not None:  # 2023年1-6月: a span of the year that is no quarter, said once
        problems.append(span)
        return None
    if not value_cols and header.quarters:
        return None  # the quarter columns' problem is said
    long = not value_cols and long_table.is_long(header.fields)
    if not value_cols and not long:  # a region column but nothing to report
        names = "、".join(i.name_zh for i in indicators.REPORTED)
        problems += spans.span_problems(header, name) or [
            Problem(name, header.row + 1, None, None, None, "no_indicator_column", {"names": names})
        ]
        return None
    layout = Layout(name, header, grid, above, sheet_unit, sheet_period,
                    value_cols, dict(header.units), long=long)  # fmt: skip
    problems += _header_problems(layout)
    layout.start = _under_header(sheet, layout)
    return layout if layout.start < sheet.height else None


_UNIT_STATEMENT = re.compile(r"^\s*(?:计量)?(?:单位|units?)\s*[:：]", re.I)


def _sheet_unit(top: list[list], header) -> str | None:
    """The unit the lines above the header state for the sheet (单位：万人, in a cell of its own
    or inside a longer one; Unit: 10,000 persons), or a cell of the header row that is such a
    statement rather than a column's name (it is then no extra column)."""
    plain = [unicodedata.normalize("NFKC", str(v)) for row in top for v in row if not is_blank(v)]
    m = SHEET_UNIT.search(" ".join(plain))
    if m:
        return m.group(1)
    for text in plain:
        if _UNIT_STATEMENT.match(text) and unit_named(text):
            return unit_named(text)
    stated = {c: unit_named(t) for c, t in header.extra.items() if _UNIT_STATEMENT.match(str(t))}
    stated = {c: u for c, u in stated.items() if u}
    for c in stated:
        del header.extra[c]
    return next(iter(stated.values()), None)


def _year_end(header, grid: list, above: str, name: str) -> str | None:
    """A table whose every value column is a stock under a title or sheet name that names a
    quarter's last day (2023年6月末人口情况): that quarter; of year-end stocks (年末常住人口,
    年底户籍人口) under a year alone (2023年人口情况): that year's fourth quarter."""
    cells = grid[header.row]
    values = [c for c, f in header.fields.items() if f in VALUE_FIELDS]
    if values and all(indicators.get(header.fields[c]).kind == "stock" for c in values):
        found = periods.find_quarter_end(above) or periods.find_quarter_end(name)
        if found:
            return found
    said = [str(cells[c]) if c < len(cells) else "" for c in values]
    # a stock's column says 年末 (its "of which" parts need not), none says 季末 / 本季
    year_end = (
        bool(values)
        and all(indicators.get(header.fields[c]).kind == "stock" for c in values)
        and any(re.search("年末|年底", t) for t in said)
        and not any(re.search("季", t) for t in said)
    )
    year = (periods.find_year(above) or periods.find_year(name)) if year_end else None
    return f"{year}Q4" if year else None


def _header_problems(layout: Layout) -> list[Problem]:
    """A header cell that could be two fields (an error), and columns no field is named by
    (a warning, with the nearest field's name when one is near)."""
    header, name, out = layout.header, layout.name, []
    for c, candidates in header.ambiguous.items():
        label = layout.grid[header.row][c] if c < len(layout.grid[header.row]) else ""
        names = "、".join(field_name(f) for f in candidates)
        out.append(
            Problem(name, header.row + 1, get_column_letter(c + 1), None, label,
                    "ambiguous_header", {"label": label, "names": names})
        )  # fmt: skip
    out += spans.span_problems(header, name)
    for c, label in header.extra.items():
        if split_header(label)[0] in SILENT_HEADERS:
            continue
        near = nearest_field(label)
        out.append(
            Problem(
                name,
                header.row + 1,
                get_column_letter(c + 1),
                None,
                label,
                "extra_column_near" if near else "extra_column",
                {"label": label, "column": field_name(near)} if near else {"label": label},
                "warning",
            )
        )
    return out


def _under_header(sheet, layout: Layout) -> int:
    """The first row of values: right under the header, in either order, a row of units
    (人 / 万人 / 张, taken as the columns' units) and the column-number row of statistical
    forms (栏次: 甲 乙 1 2 3 …) are skipped."""
    start = layout.header.row + 1
    for _ in range(2):
        if start >= sheet.height:
            break
        row = layout.grid[start]
        cells = {c: norm_text(v) for c, v in enumerate(row) if not is_blank(v)}
        if cells and all(unit_named(v) for v in cells.values()):
            layout.units.update({c: unit_named(v) for c, v in cells.items()})
            start += 1
        elif is_column_numbers_row(list(cells.values())):
            start += 1
    return start


def named_columns(sheet, header) -> list[int]:
    """The columns read under a header: those it names (fields, quarters, year totals)."""
    named = {*header.fields, *header.quarters, *header.year_total, *header.sums}
    return sorted(named & set(range(sheet.width)))


def _body(sheet, layout: Layout, problems) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The rows under the header (indexed by their Excel row numbers) and which cells are
    blank, without blank, note and repeated header rows; an Excel error cell in a named
    column said as a problem. Below the header only the columns it names are read: a wide
    sheet's other columns (remarks, numbering, unlabelled) never become Python values, and a
    row that holds nothing else is a blank row."""
    header = layout.header
    named = named_columns(sheet, header)
    body = pd.DataFrame(sheet.cells(layout.start, named), columns=named, dtype=object, copy=False)
    sheet.release()  # the parsed cells (a wide sheet's hundred MB) go before the work on rows
    body.index = pd.RangeIndex(layout.start + 1, layout.start + 1 + len(body))
    blank = body.apply(blank_cells)
    keep = ~blank.all(axis=1) & ~note_rows(body, blank)
    cells = layout.grid[header.row]
    labels = {c: cells[c] for c in header.fields if c < len(cells)}
    keep &= ~repeated_header_rows(body, blank, header.fields, labels)
    lines = period_lines(body, blank, keep)
    layout.blocks = [(int(r), q) for r, q in lines.dropna().items()]
    keep &= lines.isna()
    body, blank = body[keep], blank[keep]
    if body.empty:
        return None
    # an Excel error (#DIV/0!, #N/A ...) reaches us as an empty cell: inside the table it is
    # an error of its own, never a silently missing value
    for (r, c), err in sorted(sheet.errors.items()):
        if c in header.fields and r + 1 in body.index:
            problems.append(
                Problem(layout.name, r + 1, get_column_letter(c + 1), header.fields[c], err,
                        "excel_error", {"value": err})
            )  # fmt: skip
    return body, blank


def _column(layout: Layout, body, blank, name: str) -> pd.Series:
    """A field's cells, blank ones as "" (a field the header lacks: all "")."""
    return _column_at(body, blank, layout.col_of.get(name))


def _column_at(body, blank, c: int | None) -> pd.Series:
    """Column ``c``'s cells, blank ones as "" (no such column: all "")."""
    if c is None or c not in body.columns:
        return pd.Series("", index=body.index, dtype=object)
    return body[c].where(~blank[c], "")


def _sheet_year(layout: Layout) -> int | None:
    """The year the lines above the header, the sheet's name or its period give."""
    found = periods.find_year(layout.above) or periods.find_year(layout.name)
    if found is None and layout.sheet_period:
        found = periods.year_of(layout.sheet_period)
    return found


def _period_cell(value: object, year: int | None, bare: bool) -> str:
    """A period cell's quarter; with ``year`` (the sheet's), a quarter named without its year
    (二季度, Q2; a plain 2 where ``bare``: a 季度 column's) is that year's."""
    if year is not None and periods.quarter_number(value, bare=bare) is not None:
        return year_quarter(year, value)
    return periods.parse_period(value)


def _regions(layout: Layout, body, blank, resolver: Resolver, problems) -> Regions:
    """Each row's region, resolved once per distinct code|name (a return repeats its regions)
    and spread over the rows; a code and a name that are two regions, and a region no one
    knows (with the nearest name), said where the row has values."""
    raw_code, raw_name = (_column(layout, body, blank, f) for f in ("region_code", "region_name"))
    label = raw_name.where(raw_name != "", raw_code).astype(str).str.strip()
    key_codes, key_uniques = pd.factorize(raw_code.astype(str) + "|" + raw_name.astype(str))
    is_total_u = np.array([is_total_label(k) for k in key_uniques], dtype=bool)
    is_total = pd.Series(is_total_u[key_codes], index=body.index)
    first = first_positions(key_codes)
    code_in, name_in = raw_code.to_numpy(dtype=object), raw_name.to_numpy(dtype=object)
    disagree: dict[tuple, tuple[str, str]] = {}  # code and name, both known, not one region
    codes_u = np.array(
        [
            None if is_total_u[k] else _resolve(resolver, code_in[i], name_in[i], disagree)
            for k, i in enumerate(first)
        ],
        dtype=object,
    )
    codes = pd.Series(codes_u[key_codes], index=body.index, dtype=object)
    unknown = codes.isna() & ~is_total
    value_cols = [c for c, _, _ in layout.value_cols]
    has_values = ~blank[value_cols].all(axis=1) if value_cols else is_total & False
    col_of = layout.col_of
    letter = get_column_letter(col_of.get("region_code", col_of.get("region_name")) + 1)
    for r in body.index[unknown & has_values]:
        problems.append(
            _unknown_region(layout.name, int(r), letter, raw_code[r], raw_name[r], label[r],
                            disagree, resolver)
        )  # fmt: skip
    levels_u = np.array([resolver.level_of(c) if c else None for c in codes_u], dtype=object)
    return Regions(
        key_codes=key_codes.astype(np.int32),
        labels_u=label.to_numpy(dtype=object)[first],  # a label is its code|name key's
        codes_u=codes_u,
        label=label,
        codes=codes,
        levels=pd.Series(levels_u[key_codes], index=body.index, dtype=object),
        is_total=is_total,
        ok=~unknown,
    )


def _resolve(resolver: Resolver, code: object, name: object, disagree: dict) -> str | None:
    """A row's region from its code and name: the code's, else the name's; None when both
    are known but are two regions (noted in ``disagree``) or neither is known."""
    res = resolver.resolve(code) if not is_blank(code) else None
    by_name = resolver.resolve(name) if not is_blank(name) else None
    if res is not None and res.ok and by_name is not None and by_name.ok:
        if res.code != by_name.code:  # e.g. two county names swapped
            disagree[(code, name)] = (res.code, by_name.code)
            return None
    if (res is None or not res.ok) and by_name is not None:
        res = by_name
    return res.code if res is not None and res.ok else None


def _unknown_region(sheet, row, letter, code, name, label, disagree, resolver) -> Problem:
    if (code, name) in disagree:
        by_code, by_name = disagree[(code, name)]
        params = {
            "code": by_code,
            "code_name": resolver.name_of(by_code),
            "name": str(name).strip(),
            "name_code": by_name,
        }
        return Problem(sheet, row, letter, "region", label, "code_name_mismatch", params)
    near = resolver.suggest(label)
    if near:
        params = {"region": label, "near": near}
        return Problem(sheet, row, letter, "region", label, "unknown_region_near", params)
    return Problem(sheet, row, letter, "region", label, "unknown_region", {"region": label})


def _formula_values(sheet, layout: Layout, body, regions: Regions, problems) -> None:
    """A value computed by a formula is read as the result Excel last saved: said, not
    silent (a total row's formulas are expected)."""
    stored = {c for c, _, _ in layout.value_cols}
    taken = [
        ref
        for (r, c), ref in sorted(sheet.formulas.items())
        if c in stored and r + 1 in body.index and not regions.is_total[r + 1]
    ]
    if taken:
        cells = ", ".join(taken[:5]) + (f" … (+{len(taken) - 5})" if len(taken) > 5 else "")
        problems.append(
            Problem(layout.name, None, None, None, None, "formula_value", {"cells": cells},
                    "warning")
        )  # fmt: skip


def _row_periods(layout: Layout, body, blank, regions: Regions, problems) -> pd.Series:
    """Each row's period: a column, year + quarter columns, else the title / sheet name /
    override. A year column beside a period column (Year | Quarter) makes that column the
    quarter's. Rows whose period cell is no period, or that have none where a column's
    period is the row's, are said and taken out of ``regions.ok``."""
    col_of, name = layout.col_of, layout.name
    per = pd.Series(layout.sheet_period, index=body.index, dtype=object)
    for start, quarter in layout.blocks:  # a second table's title: its quarter from there on
        per[body.index > start] = quarter
    quarter_field = "quarter" if "quarter" in col_of else "period"
    by_year = "year" in col_of and quarter_field in col_of
    # a 季度 column with neither a year nor a period column: its cells are the periods
    # (2023年第二季度); a period cell that names only a quarter (三季度, Q3) is of the year
    # the title or the sheet's name gives
    year = _sheet_year(layout) if not by_year else None
    # a plain 3 is the third quarter only in a 季度 column
    bare = "quarter" in col_of or (
        "period" in col_of
        and names_a_quarter(cell_at(layout.grid, layout.header.row, col_of["period"]))
    )
    if "quarter" in col_of and not by_year and "period" not in col_of:
        col_of = {**col_of, "period": col_of["quarter"]}
    if by_year or "period" in col_of:
        memo: dict[tuple, str | None] = {}

        def parse(a: object, b: object) -> str | None:
            if (a, b) not in memo:
                try:
                    memo[(a, b)] = _period_cell(a, year, bare) if b is None else year_quarter(a, b)
                except (periods.PeriodError, TypeError, ValueError):
                    memo[(a, b)] = None
            return memo[(a, b)]

        field = quarter_field if by_year else "period"
        pcol = col_of[field]
        raw_p = _column_at(body, blank, pcol)
        if not by_year:
            p_codes, p_uniques = pd.factorize(raw_p.to_numpy(dtype=object), use_na_sentinel=False)
            parsed_u = [parse(a, None) if a != "" else layout.sheet_period for a in p_uniques]
            parsed = np.array(parsed_u, dtype=object)[p_codes]
        else:
            years = _column(layout, body, blank, "year")
            parsed = [
                parse(y, q) if y != "" else layout.sheet_period
                for y, q in zip(years, raw_p, strict=True)
            ]
        per = pd.Series(parsed, index=body.index, dtype=object)
        bad = regions.ok & per.isna() & (raw_p != "")
        for r in body.index[bad]:
            problems.append(
                Problem(name, int(r), get_column_letter(pcol + 1), "period", raw_p[r],
                        "bad_period", {"value": show_value(raw_p[r])})
            )  # fmt: skip
        regions.ok &= ~bad
    if any(q is None for _, _, q in layout.value_cols):  # columns whose period is the row's
        for r in body.index[regions.ok & per.isna()]:
            problems.append(Problem(name, int(r), None, "period", None, "no_period", {}))
    return per


def _numbers(layout: Layout, body, blank, ok, problems, c: int, f: str) -> pd.Series:
    """Column ``c``'s numbers as ``f`` counts them (its unit applied), each cell that is
    no number (or of another unit's kind) said as a problem. On the column's arrays: a
    107-county return reads its 77 value columns in a few ms."""
    raw = body[c].to_numpy(dtype=object)
    empty = blank[c].to_numpy()
    num = numbers_in(np.where(empty, None, raw))
    retry = np.isnan(num) & ~empty
    scale = np.full(len(num), float(layout.factor(c)))
    wrong_unit = np.zeros(len(num), dtype=bool)
    ind = indicators.get(f)
    by_row = layout.row_units is not None and c not in layout.units  # a 单位 column's unit
    if by_row:
        row_unit_scale(layout.row_units, ind, scale, wrong_unit, ~empty)
        num[wrong_unit] = np.nan
    if retry.any():
        at = np.flatnonzero(retry)
        cleaned = [split_number(v) for v in raw[at]]
        texts = np.array([t for t, _ in cleaned], dtype=object)
        num[at] = np.asarray(pd.to_numeric(texts, errors="coerce"), dtype=float)
        # a unit written in the cell ("5万人", "120人") wins over the column's; one of
        # another kind ("5张" among persons) leaves the cell unread
        for i, (_, unit) in zip(at, cleaned, strict=True):
            if unit is None:
                continue
            if unit_fits(unit, ind.unit):
                scale[i] = UNIT_FACTORS[unit]
            else:
                num[i], wrong_unit[i] = np.nan, True
    bad = np.isnan(num) & ~empty & np.asarray(ok, dtype=bool)
    for i in np.flatnonzero(bad):
        said = raw[i]  # with the unit column's unit it was refused for: 50000户
        if wrong_unit[i] and by_row:
            said = f"{show_value(raw[i])}{layout.row_units[i]}"
        problems.append(
            Problem(layout.name, int(body.index[i]), get_column_letter(c + 1), f, raw[i],
                    "wrong_unit" if wrong_unit[i] else "not_a_number",
                    {"value": said, "name": ind.name_zh, "unit": ind.unit})
        )  # fmt: skip
    # a unit's factor can leave float noise (0.07 x 10,000 = 700.0000000000001): rounded
    # far below a person, so a count stays whole and a real fraction still shows
    return pd.Series((num * scale).round(6), index=body.index)


def _blocks(layout: Layout, body, regions: Regions, per: pd.Series, parsed: dict) -> list[dict]:
    """The county rows' values, one block per value column. The region and period of each
    row are codes into the sheet's few distinct values, so a block costs an integer per row,
    never a new array of objects (``read._tidy`` builds the columns from them)."""
    county_any = regions.ok & ~regions.is_total & (regions.levels == "county")
    county = county_any & per.notna()  # a quarter column's period is its own
    row_numbers = np.asarray(body.index)
    per_codes, per_u = pd.factorize(per.to_numpy(dtype=object))
    per_codes = per_codes.astype(np.int32)
    out = []
    for c, f, quarter in layout.value_cols:
        num = parsed[(c, f)]
        take = ((county_any if quarter else county) & num.notna()).to_numpy()
        n = int(take.sum())
        if not n:
            continue
        out.append(
            {
                "sheet": layout.name,
                "row": row_numbers[take],
                "column": get_column_letter(c + 1),
                "region_raw": (regions.key_codes[take], regions.labels_u),
                "region_code": (regions.key_codes[take], regions.codes_u),
                "period": (
                    (np.zeros(n, dtype=np.int32), np.array([quarter], dtype=object))
                    if quarter
                    else (per_codes[take], np.asarray(per_u, dtype=object))
                ),
                "indicator": f,
                "value": num.to_numpy(dtype=float)[take],
                "raw": body[c].to_numpy(dtype=object)[take],
            }
        )
    return out


def _totals(layout: Layout, body, regions: Regions, per, parsed, resolver) -> list[dict]:
    """The total and city rows (合计, 小计, 西安市 …) with their values per period, to be
    checked against the sum of their rows (never stored)."""
    levels = regions.levels
    subtotal = regions.ok & (regions.is_total | (levels.notna() & (levels != "county")))
    out = []
    for r in body.index[subtotal]:
        by_period: dict[str, dict] = {per[r]: {}} if per[r] is not None else {}
        for c, f, quarter in layout.value_cols:
            v = parsed[(c, f)][r]
            if pd.notna(v) and (quarter or per[r]) is not None:
                by_period.setdefault(quarter or per[r], {})[f] = (
                    float(v),
                    get_column_letter(c + 1),
                )
        label = regions.label[r]
        code = regions.codes[r] or city_in_total_label(label, resolver)
        for p, vals in by_period.items():
            out.append(
                {
                    "sheet": layout.name,
                    "row": int(r),
                    "region_code": code,
                    "label": label,
                    "period": p,
                    "values": vals,
                    # a bare 小计 sums the rows since the previous total row, not the whole sheet
                    "block": code is None and "小计" in nfkc(str(label)),
                }
            )
    return out
