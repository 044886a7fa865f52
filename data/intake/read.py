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

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from data.intake.cells import (
    KINDLESS_UNITS,
    TOTAL_TOLERANCE,
    UNIT_FACTORS,
    blank_cells,
    is_blank,
    nfkc,
    split_number,
)
from data.intake.headers import (
    HEADER_SCAN_ROWS,
    SILENT_HEADERS,
    field_name,
    fields_named_in,
    find_header,
    header_aliases,
    is_column_numbers_row,
    nearest_field,
    norm_text,
    split_header,
)
from data.intake.problems import Problem, ReadResult, show_value
from data.intake.workbook import WorkbookError, open_workbook
from data.reference import indicators, periods
from geo.regions import Resolver, default_resolver

NOTE_PREFIXES = (
    "填表人",
    "审核人",
    "填报人",
    "负责人",
    "填报日期",
    "填表日期",
    "报出日期",
    "单位负责人",
    "统计负责人",
    "注",
    "说明",
    "备注",
)
TOTAL_WORDS = ("合计", "总计", "小计", "全省", "全市", "总数")
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
# Few distinct values over up to a million rows: kept as categoricals with sorted categories
# (sorting by code is sorting by text), the cell's own content as plain objects. Nothing is
# copied into new string arrays, which is most of the time and memory of a large return.
KEY_COLUMNS = ("sheet", "column", "region_raw", "region_code", "period", "indicator")
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


def _year_quarter(year: object, quarter: object) -> str:
    """A row's quarter from its year and quarter cells; a quarter cell that names its own
    year (2018Q3 under Quarter) is taken as it is."""
    try:
        whole = periods.parse_period(quarter)
    except periods.PeriodError:
        return periods.year_quarter(year, quarter)
    if not periods.is_quarter(whole):
        return periods.year_quarter(year, quarter)
    return whole


def _read_sheets(sheets: list, period: str | None, resolver: Resolver):
    """Every sheet with a header: its value blocks, problems, total rows, and its name; and
    the indicators the sheets read have columns for."""
    records: list[dict] = []
    problems: list[Problem] = []
    totals: list[dict] = []
    read_sheets = []
    carried: set[str] = set()
    headers = [find_header(sheet) for sheet in sheets]
    with_values = [h is not None and bool(set(h.fields.values()) & VALUE_FIELDS) for h in headers]
    for sheet, header, values in zip(sheets, headers, with_values, strict=True):
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
        _read_sheet(sheet, header, period, resolver, records, problems, totals)
        sheet.release()  # also where no row was read: the cells go before the next sheet's
    if not read_sheets and not problems:
        problems.append(Problem.of_file("no_header", sheets="、".join(s.name for s in sheets)))
        problems += [hint for sheet in sheets if (hint := _header_hint(sheet))]
    return records, problems, totals, read_sheets, carried


def _named_columns(sheet, header) -> list[int]:
    """The columns read under a header: those it names (fields, quarters, year totals)."""
    return sorted({*header.fields, *header.quarters, *header.year_total} & set(range(sheet.width)))


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
    used = [(codes, values, np.unique(codes)) for codes, values in parts]
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
    """One frame from the per-column blocks of every sheet (see KEY_COLUMNS). Each column's
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


def _read_sheet(sheet, header, period, resolver, records, problems, totals) -> None:
    grid = sheet.head(header.row + 3)  # the title, the header and the two lines under it
    name = sheet.name
    fields = header.fields
    col_of = {f: c for c, f in fields.items()}
    above = " ".join(str(v) for row in grid[: header.row + 1 - 1] for v in row if not is_blank(v))
    sheet_unit = None
    m = re.search(r"单位[:：]\s*(万人|千人|人|万张|张)", unicodedata.normalize("NFKC", above))
    if m:
        sheet_unit = m.group(1)
    sheet_period = (
        period
        or periods.find_period(above)
        or _period_line(grid[: header.row])
        or periods.find_period(name)
    )
    # (column, indicator, its quarter when the column is a quarter's, else None: the row's)
    value_cols = [(c, f, None) for c, f in fields.items() if f in indicators.REPORTED_CODES]
    value_cols += _quarter_columns(header, above, name, period, problems)
    if not value_cols and header.quarters:
        return  # the quarter columns' problem is said
    if not value_cols:  # a region column but nothing to report
        names = "、".join(i.name_zh for i in indicators.REPORTED)
        problems.append(
            Problem(name, header.row + 1, None, None, None, "no_indicator_column", {"names": names})
        )
        return
    for c, candidates in header.ambiguous.items():
        label = grid[header.row][c] if c < len(grid[header.row]) else ""
        problems.append(
            Problem(
                name,
                header.row + 1,
                get_column_letter(c + 1),
                None,
                label,
                "ambiguous_header",
                {"label": label, "names": "、".join(field_name(f) for f in candidates)},
            )
        )
    for c, label in header.extra.items():
        if split_header(label)[0] not in SILENT_HEADERS:
            near = nearest_field(label)
            problems.append(
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
    start = header.row + 1
    # right under the header, in either order: a row of units (人 / 万人 / 张) and the
    # column-number row of statistical forms (栏次: 甲 乙 1 2 3 …)
    units = dict(header.units)
    for _ in range(2):
        if start >= sheet.height:
            break
        cells = {c: norm_text(v) for c, v in enumerate(grid[start]) if not is_blank(v)}
        if cells and all(v.strip("()（）") in UNIT_FACTORS for v in cells.values()):
            units.update({c: v.strip("()（）") for c, v in cells.items()})
            start += 1
        elif is_column_numbers_row(list(cells.values())):
            start += 1
    if start >= sheet.height:
        return

    def factor(c: int) -> int:
        return UNIT_FACTORS.get(units.get(c) or sheet_unit or "人", 1)

    # below the header only the columns it names are read: a wide sheet's other columns
    # (remarks, numbering, unlabelled) never become Python values, and a row that holds
    # nothing else is a blank row
    named = _named_columns(sheet, header)
    body = pd.DataFrame(sheet.cells(start, named), columns=named, dtype=object, copy=False)
    sheet.release()  # the parsed cells (a wide sheet's hundred MB) go before the work on rows
    body.index = pd.RangeIndex(start + 1, start + 1 + len(body))  # Excel row numbers
    blank = body.apply(blank_cells)
    keep = ~blank.all(axis=1) & ~_note_rows(body, blank)
    labels = {c: grid[header.row][c] for c in fields if c < len(grid[header.row])}
    keep &= ~_repeated_header_rows(body, blank, fields, labels)
    body, blank = body[keep], blank[keep]
    if body.empty:
        return
    # an Excel error (#DIV/0!, #N/A ...) reaches us as an empty cell: inside the table it is
    # an error of its own, never a silently missing value
    for (r, c), err in sorted(sheet.errors.items()):
        if c in fields and r + 1 in body.index:
            problems.append(
                Problem(
                    name,
                    r + 1,
                    get_column_letter(c + 1),
                    fields[c],
                    err,
                    "excel_error",
                    {"value": err},
                )
            )

    def column(field_name: str) -> pd.Series:
        c = col_of.get(field_name)
        if c is None or c not in body.columns:
            return pd.Series("", index=body.index, dtype=object)
        return body[c].where(~blank[c], "")

    raw_code, raw_name = column("region_code"), column("region_name")
    label = raw_name.where(raw_name != "", raw_code).astype(str).str.strip()
    key = raw_code.astype(str) + "|" + raw_name.astype(str)
    # once per distinct code|name (a return repeats its regions)
    key_codes, key_uniques = pd.factorize(key)
    total_words = re.compile("|".join(TOTAL_WORDS))
    is_total_u = np.array(
        [bool(total_words.search(re.sub(r"\s+", "", nfkc(k)))) for k in key_uniques],
        dtype=bool,
    )
    is_total = pd.Series(is_total_u[key_codes], index=body.index)
    value_cols = [(c, f, q) for c, f, q in value_cols if c in body.columns]
    has_values = (
        ~blank[[c for c, _, _ in value_cols]].all(axis=1) if value_cols else is_total & False
    )
    # a value computed by a formula is read as the result Excel last saved: said, not silent
    stored_cols = {c for c, _, _ in value_cols}
    taken = [
        ref
        for (r, c), ref in sorted(sheet.formulas.items())
        if c in stored_cols and r + 1 in body.index and not is_total[r + 1]
    ]
    if taken:
        cells = ", ".join(taken[:5]) + (f" … (+{len(taken) - 5})" if len(taken) > 5 else "")
        problems.append(
            Problem(name, None, None, None, None, "formula_value", {"cells": cells}, "warning")
        )

    memo: dict[tuple, str | None] = {}
    disagree: dict[tuple, tuple[str, str]] = {}  # code and name, both known, not one region

    def resolve(code: object, region_name: object) -> str | None:
        k = (code, region_name)
        if k not in memo:
            res = resolver.resolve(code) if not is_blank(code) else None
            by_name = resolver.resolve(region_name) if not is_blank(region_name) else None
            if res is not None and res.ok and by_name is not None and by_name.ok:
                if res.code != by_name.code:  # e.g. two county names swapped
                    disagree[k] = (res.code, by_name.code)
                    memo[k] = None
                    return None
            if (res is None or not res.ok) and by_name is not None:
                res = by_name
            memo[k] = res.code if res is not None and res.ok else None
        return memo[k]

    # resolved once per distinct code|name, then spread over the rows
    first = np.unique(key_codes, return_index=True)[1]
    code_in, name_in = raw_code.to_numpy(dtype=object), raw_name.to_numpy(dtype=object)
    codes_u = np.array(
        [None if is_total_u[k] else resolve(code_in[i], name_in[i]) for k, i in enumerate(first)],
        dtype=object,
    )
    codes = pd.Series(codes_u[key_codes], index=body.index, dtype=object)
    unknown = codes.isna() & ~is_total
    region_letter = get_column_letter(col_of.get("region_code", col_of.get("region_name")) + 1)
    for r in body.index[unknown & has_values]:
        pair = (raw_code[r], raw_name[r])
        if pair in disagree:
            by_code, by_name = disagree[pair]
            params = {
                "code": by_code,
                "code_name": resolver.name_of(by_code),
                "name": str(raw_name[r]).strip(),
                "name_code": by_name,
            }
            problems.append(
                Problem(
                    name, int(r), region_letter, "region", label[r], "code_name_mismatch", params
                )
            )
            continue
        near = resolver.suggest(label[r])
        rule, params = (
            ("unknown_region_near", {"region": label[r], "near": near})
            if near
            else (
                "unknown_region",
                {"region": label[r]},
            )
        )
        problems.append(Problem(name, int(r), region_letter, "region", label[r], rule, params))
    ok = ~unknown

    # periods: a column, year + quarter columns, else the title / sheet name / override. A
    # year column beside a period column (Year | Quarter) makes that column the quarter's.
    per = pd.Series(sheet_period, index=body.index, dtype=object)
    pcol = None
    quarter_field = "quarter" if "quarter" in col_of else "period"
    by_year = "year" in col_of and quarter_field in col_of
    if by_year or "period" in col_of:
        pmemo: dict[tuple, str | None] = {}

        def parse(a: object, b: object) -> str | None:
            if (a, b) not in pmemo:
                try:
                    pmemo[(a, b)] = periods.parse_period(a) if b is None else _year_quarter(a, b)
                except (periods.PeriodError, TypeError, ValueError):
                    pmemo[(a, b)] = None
            return pmemo[(a, b)]

        if not by_year:
            pcol = col_of["period"]
            raw_p = column("period")
            p_codes, p_uniques = pd.factorize(raw_p.to_numpy(dtype=object), use_na_sentinel=False)
            parsed_u = [parse(a, None) if a != "" else sheet_period for a in p_uniques]
            parsed = np.array(parsed_u, dtype=object)[p_codes]
        else:
            pcol = col_of[quarter_field]
            raw_p = column(quarter_field)
            parsed = [
                parse(y, q) if y != "" else sheet_period
                for y, q in zip(column("year"), raw_p, strict=True)
            ]
        per = pd.Series(parsed, index=body.index, dtype=object)
        bad = ok & per.isna() & (raw_p != "")
        for r in body.index[bad]:
            problems.append(
                Problem(
                    name,
                    int(r),
                    get_column_letter(pcol + 1),
                    "period",
                    raw_p[r],
                    "bad_period",
                    {"value": show_value(raw_p[r])},
                )
            )
        ok &= ~bad
    if any(q is None for _, _, q in value_cols):  # columns whose period is the row's
        for r in body.index[ok & per.isna()]:
            problems.append(Problem(name, int(r), None, "period", None, "no_period", {}))

    levels_u = np.array([resolver.level_of(c) if c else None for c in codes_u], dtype=object)
    levels = pd.Series(levels_u[key_codes], index=body.index, dtype=object)
    county_any = ok & ~is_total & (levels == "county")  # for a quarter's column
    county = county_any & per.notna()
    subtotal = ok & (is_total | (levels.notna() & (levels != "county")))
    frames = []
    parsed_values = {}
    # the region and period of each row as codes into the sheet's few distinct values, so a
    # block costs an integer per row, never a new array of objects (see _tidy)
    row_numbers = np.asarray(body.index)
    key_rows = key_codes.astype(np.int32)
    labels_u = label.to_numpy(dtype=object)[first]  # a label is its code|name key's
    per_codes, per_u = pd.factorize(per.to_numpy(dtype=object))
    per_codes = per_codes.astype(np.int32)

    def numbers(c: int, f: str) -> pd.Series:
        """Column ``c``'s numbers as ``f`` counts them (its unit applied), each cell that is
        no number (or of another unit's kind) said as a problem."""
        raw = body[c]
        num = pd.to_numeric(raw.where(~blank[c]), errors="coerce")
        retry = num.isna() & ~blank[c]
        scale = np.full(len(num), float(factor(c)))
        wrong_unit = np.zeros(len(num), dtype=bool)
        if retry.any():
            cleaned = raw[retry].map(split_number)
            num.loc[retry] = pd.to_numeric(cleaned.str[0], errors="coerce")
            # a unit written in the cell ("5万人", "120人") wins over the column's; one of
            # another kind ("5张" among persons) leaves the cell unread
            own = cleaned.str[1].to_numpy(dtype=object)
            kind = indicators.get(f).unit[-1:]
            at = np.flatnonzero(retry.to_numpy())
            for i, unit in zip(at, own, strict=True):
                if unit is None:
                    continue
                if unit[-1:] == kind or unit in KINDLESS_UNITS:
                    scale[i] = UNIT_FACTORS[unit]
                else:
                    num.iloc[i], wrong_unit[i] = np.nan, True
        bad = num.isna() & ~blank[c] & ok
        for r, unit_slip in zip(body.index[bad], wrong_unit[bad.to_numpy()], strict=True):
            ind = indicators.get(f)
            problems.append(
                Problem(
                    name,
                    int(r),
                    get_column_letter(c + 1),
                    f,
                    raw[r],
                    "wrong_unit" if unit_slip else "not_a_number",
                    {"value": raw[r], "name": ind.name_zh, "unit": ind.unit},
                )
            )
        # a unit's factor can leave float noise (0.07 x 10,000 = 700.0000000000001): rounded
        # far below a person, so a count stays whole and a real fraction still shows
        return (num.astype(float) * scale).round(6)

    for c, f, quarter in value_cols:
        raw = body[c]
        num = parsed_values[(c, f)] = numbers(c, f)
        take = ((county_any if quarter else county) & num.notna()).to_numpy()
        n = int(take.sum())
        if n:
            frames.append(
                {
                    "sheet": name,
                    "row": row_numbers[take],
                    "column": get_column_letter(c + 1),
                    "region_raw": (key_rows[take], labels_u),
                    "region_code": (key_rows[take], codes_u),
                    "period": (
                        (np.zeros(n, dtype=np.int32), np.array([quarter], dtype=object))
                        if quarter
                        else (per_codes[take], np.asarray(per_u, dtype=object))
                    ),
                    "indicator": f,
                    "value": num.to_numpy(dtype=float)[take],
                    "raw": raw.to_numpy(dtype=object)[take],
                }
            )
    for r in body.index[subtotal]:
        by_period: dict[str, dict] = {per[r]: {}} if per[r] is not None else {}
        for c, f, quarter in value_cols:
            v = parsed_values[(c, f)][r]
            if pd.notna(v) and (quarter or per[r]) is not None:
                by_period.setdefault(quarter or per[r], {})[f] = (
                    float(v),
                    get_column_letter(c + 1),
                )
        code = codes[r] or _city_in_total_label(label[r], resolver)
        for p, vals in by_period.items():
            totals.append(
                {
                    "sheet": name,
                    "row": int(r),
                    "region_code": code,
                    "label": label[r],
                    "period": p,
                    "values": vals,
                    # a bare 小计 sums the rows since the previous total row, not the whole sheet
                    "block": code is None and "小计" in nfkc(str(label[r])),
                }
            )
    problems += _year_totals(
        header, grid[header.row], value_cols, parsed_values, numbers, ok, label, name
    )
    records.extend(frames)


# labels of a filing date above a table (填报日期：2019-07-05): never the period reported
FILING_DATE_WORDS = ("填报日期", "填表日期", "报出日期", "报送日期", "制表日期", "打印日期")


def _period_line(rows: list[list]) -> str | None:
    """The quarter a line above the header names by itself: a date cell, or a labelled value
    (填报期：2019-06-30, 统计时间 | 2019年6月 in the next cell); a filing date is not one."""
    for row in rows:
        label = ""
        for value in row:
            if is_blank(value):
                continue
            if not isinstance(value, str):
                text, label = value, label
            else:
                head, colon, text = nfkc(value).strip().partition(":")
                if colon and not text.strip():
                    label = head  # the value is in the next cell
                    continue
                label = head if colon else label
                text = text if colon else head
            if any(w in str(label) for w in FILING_DATE_WORDS):
                label = ""
                continue
            try:
                found = periods.parse_period(text.strip() if isinstance(text, str) else text)
            except (periods.PeriodError, TypeError, ValueError):
                label = ""
                continue
            if periods.is_quarter(found):
                return found
    return None


def _quarter_columns(header, above: str, sheet: str, override, problems) -> list[tuple]:
    """A year's quarters as columns: (column, indicator, quarter) for each, the year from the
    title, the sheet's name or the chosen period, the indicator from the header cell above
    the quarters or else from the title. What cannot be told is said once, at the header."""
    if not header.quarters:
        return []
    letters = "、".join(get_column_letter(c + 1) for c in header.quarters)
    year = periods.find_year(above) or periods.find_year(sheet)
    if year is None and override:
        year = periods.year_of(override)
    named = fields_named_in(above, VALUE_FIELDS) or fields_named_in(sheet, VALUE_FIELDS)
    out = []
    for c, (quarter, field) in header.quarters.items():
        if quarter.startswith("Q") and year is None:
            problems.append(
                Problem(sheet, header.row + 1, None, "period", None, "quarters_no_year",
                        {"columns": letters})
            )  # fmt: skip
            return []
        if field is None and len(named) != 1:
            rule = "quarters_two_indicators" if named else "quarters_no_indicator"
            params = {"columns": letters, "names": "、".join(field_name(f) for f in named)}
            problems.append(Problem(sheet, header.row + 1, None, None, None, rule, params))
            return []
        out.append(
            (c, field or named[0], f"{year}{quarter}" if quarter.startswith("Q") else quarter)
        )
    return out


def _year_totals(header, cells, value_cols, parsed, numbers, ok, label, sheet) -> list[Problem]:
    """A 全年合计 column beside quarter columns: each row's total is checked against the sum of
    its quarters (a flow's); a stock has no year total, so the column is only named."""
    out = []
    for c, field in header.year_total.items():
        fields = {f for _, f, q in value_cols if q}
        f = field or (next(iter(fields)) if len(fields) == 1 else None)
        parts = [parsed[(qc, qf)] for qc, qf, q in value_cols if q and qf == f]
        if f is None or not parts or indicators.get(f).kind != "flow":
            text = str(cells[c]) if c < len(cells) else ""
            out.append(
                Problem(sheet, header.row + 1, get_column_letter(c + 1), None, text,
                        "extra_column", {"label": text}, "warning")
            )  # fmt: skip
            continue
        stated = numbers(c, f)
        computed = pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))
        bad = ok & stated.notna() & computed.notna() & ((stated - computed).abs() > TOTAL_TOLERANCE)
        for r in stated.index[bad]:
            out.append(
                Problem(
                    sheet, int(r), get_column_letter(c + 1), f, stated[r], "year_total_mismatch",
                    {"label": label[r], "name": indicators.get(f).name_zh,
                     "stated": f"{stated[r]:,.0f}", "computed": f"{computed[r]:,.0f}"},
                )
            )  # fmt: skip
    return out


def _city_in_total_label(text: str, resolver: Resolver) -> str | None:
    """The city a total row names (铜川市小计, 小计（铜川市）), or None (合计, 全省合计)."""
    rest = re.sub("|".join(TOTAL_WORDS) + r"|[()（）:：\s]", "", nfkc(str(text)))
    if not rest:
        return None
    res = resolver.resolve(rest)
    return res.code if res.ok and resolver.level_of(res.code) == "city" else None


VALUE_FIELDS = frozenset(indicators.REPORTED_CODES)


def _repeated_header_rows(
    body: pd.DataFrame, blank: pd.DataFrame, fields: dict, labels: dict
) -> pd.Series:
    """Rows that repeat the header (a table pasted across pages, or printed with repeated
    title rows) or its unit line: a region cell holding its own column's header name (the
    header's own text, or a wording of the alias file: a county's name such as 宜君县 says
    县 but is no header), or no region at all and nothing but units in the other cells."""
    region_cols = [c for c, f in fields.items() if f in ("region_code", "region_name")]
    repeat = np.zeros(len(body), dtype=bool)
    for c in region_cols:
        codes, uniques = pd.factorize(body[c].to_numpy(dtype=object), use_na_sentinel=False)
        own = split_header(labels.get(c, ""))[0]
        named = [
            isinstance(u, str)
            and (split_header(u)[0] == own or header_aliases().get(split_header(u)[0]) == fields[c])
            for u in uniques
        ]
        repeat |= np.array(named, dtype=bool)[codes]
    empty = blank.to_numpy()
    at = [blank.columns.get_loc(c) for c in region_cols]  # the frame holds the named columns
    no_region = empty[:, at].all(axis=1) & ~empty.all(axis=1)
    for i in np.flatnonzero(no_region):
        cells = [v for v, b in zip(body.iloc[i], empty[i], strict=True) if not b]
        repeat[i] = all(
            isinstance(v, str) and norm_text(v).strip("()（）") in UNIT_FACTORS for v in cells
        )
    return pd.Series(repeat, index=body.index)


def _note_rows(body: pd.DataFrame, blank: pd.DataFrame) -> pd.Series:
    """Rows whose first non-empty cell starts with 填表人 / 审核人 / 注 ...: only text can,
    and each distinct text is looked at once (empty rows are the caller's to drop)."""
    empty = blank.to_numpy()
    lead = np.argmin(empty, axis=1)  # the first non-empty column (0 for an empty row)
    firsts = body.to_numpy(dtype=object)[np.arange(len(body)), lead]
    is_text = np.fromiter(map(type, firsts), object, len(firsts)) == str  # noqa: E721
    note = np.zeros(len(body), dtype=bool)
    if is_text.any():
        codes, uniques = pd.factorize(firsts[is_text])
        starts = [nfkc(u).strip().startswith(NOTE_PREFIXES) for u in uniques]
        note[is_text] = np.array(starts, dtype=bool)[codes]
    return pd.Series(note, index=body.index)


__all__ = ["read_return"]
