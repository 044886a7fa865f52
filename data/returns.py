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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from data import indicators, messages, periods
from data.workbook import Sheet, WorkbookError, open_workbook
from geo.regions import PROVINCE_CODE, Resolver, default_resolver

ALIASES = Path(__file__).resolve().parent / "header_aliases.csv"
HEADER_SCAN_ROWS = 20
UNIT_FACTORS = {"人": 1, "张": 1, "个": 1, "万人": 10_000, "万张": 10_000, "千人": 1_000}
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
SILENT_HEADERS = ("序号", "行次")
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


@dataclass
class Problem:
    """One finding, located where a person sees it (sheet, Excel row, column letter)."""

    sheet: str
    row: int | None
    column: str | None
    field: str | None
    value: object
    rule: str
    params: dict = field(default_factory=dict)
    severity: str = "error"

    def message(self, lang: str = "zh") -> str:
        return messages.t(f"rule.{self.rule}", lang, **self.params)

    def as_dict(self, lang: str = "zh") -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": _show(self.value),
            "rule": self.rule,
            "message": self.message(lang),
            "severity": self.severity,
        }


def _show(value: object) -> str | None:
    """A cell value as a person typed it: 50000.0 read from Excel shows as 50000."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class ReadResult:
    """Tidy rows read from a workbook and the problems met on the way."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)  # subtotal rows, checked by validate
    sheets: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def problems_frame(problems: list[Problem], lang: str = "zh") -> pd.DataFrame:
    """Problems as a table for the upload page (one row per problem, located)."""
    cols = ["severity", "sheet", "row", "column", "message", "field", "value", "rule"]
    return pd.DataFrame([p.as_dict(lang) for p in problems], columns=cols)


def _norm(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


_BRACKET = re.compile(r"[(（\[]([^()（）\[\]]*)[)）\]]$")


def split_header(value: object) -> tuple[str, str | None]:
    """``'常住人口（万人）'`` -> (``'常住人口'``, ``'万人'``); names are normalised."""
    text = _norm(value)
    m = _BRACKET.search(text)
    if m:
        unit = m.group(1).replace("单位:", "").replace("单位", "")
        return text[: m.start()], unit if unit in UNIT_FACTORS else None
    return text, None


@lru_cache(maxsize=1)
def header_aliases() -> dict[str, str]:
    table = pd.read_csv(ALIASES, dtype=str)
    return {split_header(a)[0]: f for f, a in zip(table.field, table.alias, strict=True)}


def match_header(value: object) -> str | None:
    """Return the field a header cell names, or None."""
    if value is None or str(value).strip() == "":
        return None
    return header_aliases().get(split_header(value)[0])


def to_number(value: object) -> float | None:
    """Parse numbers typed as text: full-width digits, thousands separators, spaces."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(value)
        return None
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "—", "/", "--"):
        return None
    return float(text)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _cell(grid: list[list], r: int, c: int) -> object:
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else ""


def _fill_merged(sheet: Sheet, last_row: int) -> list[list]:
    """Copy of the top rows with merged header cells filled from their top-left cell."""
    top = [list(row) for row in sheet.grid[:last_row]]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= last_row:
            continue
        value = _cell(top, r0, c0)
        for r in range(r0, min(r1, last_row - 1) + 1):
            while len(top[r]) <= c1:
                top[r].append("")
            for c in range(c0, c1 + 1):
                top[r][c] = value
    return top


@dataclass
class _Header:
    row: int  # last header row (0-based)
    fields: dict[int, str]  # column -> field
    units: dict[int, str]  # column -> unit from the header text
    extra: dict[int, str]  # column -> unmatched header text


def _find_header(sheet: Sheet) -> _Header | None:
    top = _fill_merged(sheet, HEADER_SCAN_ROWS + 1)
    best: _Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(top))):
        for depth in (1, 2):
            if depth == 2 and r + 1 >= len(top):
                continue
            width = max(len(top[r]), len(top[r + depth - 1]))
            fields, units, extra = {}, {}, {}
            for c in range(width):
                upper = _cell(top, r, c)
                lower = _cell(top, r + 1, c) if depth == 2 else ""
                tries = (
                    [upper] if depth == 1 else [lower, f"{upper}{lower}", f"{lower}{upper}", upper]
                )
                for text in tries:
                    f = match_header(text) if not _blank(text) else None
                    if f and f not in fields.values():
                        fields[c] = f
                        unit = split_header(lower if not _blank(lower) else upper)[1]
                        unit = unit or split_header(upper)[1]
                        if unit:
                            units[c] = unit
                        break
                else:
                    label = f"{upper}{lower if lower != upper else ''}".strip()
                    if label and not _blank(label):
                        extra[c] = label
            if not ({"region_code", "region_name"} & set(fields.values())) or len(fields) < 2:
                continue
            candidate = _Header(r + depth - 1, fields, units, extra)
            if best is None or len(fields) > len(best.fields):
                best = candidate
        if best is not None and r > best.row:
            break
    return best


def _quarter_from(year: object, quarter: object) -> str:
    y = int(to_number(year))
    q = _norm(quarter).replace("第", "").replace("季度", "").replace("季", "").replace("q", "")
    return periods.parse_period(f"{y}Q{periods.ZH_DIGITS.get(q[:1], q[:1])}")


def read_return(
    source: Path | str | bytes,
    period: str | None = None,
    resolver: Resolver | None = None,
) -> ReadResult:
    """Read every worksheet of a return into tidy rows, collecting located problems.

    Parameters
    ----------
    source : the workbook's bytes or path.
    period : a period that overrides whatever the file says (e.g. chosen on the upload page).
    """
    resolver = resolver or default_resolver()
    content = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        sheets = open_workbook(content)
    except WorkbookError as exc:
        return ReadResult(
            pd.DataFrame(columns=ROW_COLUMNS),
            [Problem("", None, None, None, None, exc.rule, exc.params)],
        )
    records: list[tuple] = []
    problems: list[Problem] = []
    totals: list[dict] = []
    read_sheets = []
    for sheet in sheets:
        header = _find_header(sheet)
        if header is None:
            continue
        read_sheets.append(sheet.name)
        _read_sheet(sheet, header, period, resolver, records, problems, totals)
    if not read_sheets:
        problems.append(
            Problem(
                "",
                None,
                None,
                None,
                None,
                "no_header",
                {"sheets": "、".join(s.name for s in sheets)},
            )
        )
    rows = pd.DataFrame(records, columns=ROW_COLUMNS)
    return ReadResult(rows, problems, totals, read_sheets)


def _read_sheet(sheet, header, period, resolver, records, problems, totals) -> None:
    grid = sheet.grid
    name = sheet.name
    fields = header.fields
    col_of = {f: c for c, f in fields.items()}
    above = " ".join(str(v) for row in grid[: header.row + 1 - 1] for v in row if not _blank(v))
    sheet_unit = None
    m = re.search(r"单位[:：]\s*(万人|千人|人|万张|张)", unicodedata.normalize("NFKC", above))
    if m:
        sheet_unit = m.group(1)
    sheet_period = period or periods.find_period(above) or periods.find_period(name)
    value_cols = [(c, f) for c, f in fields.items() if f in indicators.REPORTED_CODES]
    for f in indicators.REPORTED_CODES:
        if f not in col_of:
            problems.append(
                Problem(
                    name,
                    header.row + 1,
                    None,
                    f,
                    None,
                    "missing_column",
                    {"name": indicators.get(f).name_zh},
                )
            )
    for c, label in header.extra.items():
        if split_header(label)[0] not in SILENT_HEADERS:
            problems.append(
                Problem(
                    name,
                    header.row + 1,
                    get_column_letter(c + 1),
                    None,
                    label,
                    "extra_column",
                    {"label": label},
                    "warning",
                )
            )
    start = header.row + 1
    # a row of units right under the header (人 / 万人 / 张)
    units = dict(header.units)
    if start < len(grid):
        cells = {c: _norm(v) for c, v in enumerate(grid[start]) if not _blank(v)}
        if cells and all(v.strip("()（）") in UNIT_FACTORS for v in cells.values()):
            units.update({c: v.strip("()（）") for c, v in cells.items()})
            start += 1

    def factor(c: int) -> int:
        unit = units.get(c) or sheet_unit or "人"
        return UNIT_FACTORS.get(unit, 1)

    region_col = col_of.get("region_code", col_of.get("region_name"))
    region_letter = get_column_letter(region_col + 1)
    for r in range(start, len(grid)):
        row = grid[r]
        if all(_blank(v) for v in row):
            continue
        excel_row = r + 1
        first = unicodedata.normalize("NFKC", str(next(v for v in row if not _blank(v)))).strip()
        if first.startswith(NOTE_PREFIXES):
            continue
        raw_code = _cell(grid, r, col_of["region_code"]) if "region_code" in col_of else ""
        raw_name = _cell(grid, r, col_of["region_name"]) if "region_name" in col_of else ""
        label = str(raw_name if not _blank(raw_name) else raw_code).strip()
        has_values = any(not _blank(_cell(grid, r, c)) for c, _ in value_cols)
        is_total = any(
            w in _norm(x) for x in (raw_code, raw_name) if not _blank(x) for w in TOTAL_WORDS
        )
        res = None
        if not is_total:
            res = resolver.resolve(raw_code) if not _blank(raw_code) else None
            if (res is None or not res.ok) and not _blank(raw_name):
                res = resolver.resolve(raw_name)
        if not is_total and (res is None or not res.ok):
            if not has_values:
                continue  # a caption or note row, not data
            problems.append(
                Problem(
                    name,
                    excel_row,
                    region_letter,
                    "region",
                    label,
                    "unknown_region",
                    {"region": label},
                )
            )
            continue
        row_period = sheet_period
        try:
            if "period" in col_of and not _blank(_cell(grid, r, col_of["period"])):
                row_period = periods.parse_period(_cell(grid, r, col_of["period"]))
            elif (
                "year" in col_of
                and "quarter" in col_of
                and not _blank(_cell(grid, r, col_of["year"]))
            ):
                row_period = _quarter_from(
                    _cell(grid, r, col_of["year"]), _cell(grid, r, col_of["quarter"])
                )
        except (periods.PeriodError, TypeError, ValueError):
            pc = col_of.get("period", col_of.get("quarter"))
            raw = _cell(grid, r, pc)
            problems.append(
                Problem(
                    name,
                    excel_row,
                    get_column_letter(pc + 1),
                    "period",
                    raw,
                    "bad_period",
                    {"value": raw},
                )
            )
            continue
        if row_period is None:
            problems.append(Problem(name, excel_row, None, "period", None, "no_period", {}))
            continue
        values = {}
        for c, f in value_cols:
            v = _cell(grid, r, c)
            try:
                num = to_number(v)
            except ValueError:
                problems.append(
                    Problem(
                        name,
                        excel_row,
                        get_column_letter(c + 1),
                        f,
                        v,
                        "not_a_number",
                        {"value": v, "name": indicators.get(f).name_zh},
                    )
                )
                continue
            if num is not None:
                values[(c, f)] = (num * factor(c), v)
        level = None if is_total else resolver.level_of(res.code)
        if is_total or level != "county":
            totals.append(
                {
                    "sheet": name,
                    "row": excel_row,
                    "region_code": None if is_total else res.code,
                    "label": label,
                    "period": row_period,
                    "values": {
                        f: (v, get_column_letter(c + 1)) for (c, f), (v, _) in values.items()
                    },
                }
            )
            continue
        for (c, f), (num, raw) in values.items():
            records.append(
                (
                    name,
                    excel_row,
                    get_column_letter(c + 1),
                    label,
                    res.code,
                    row_period,
                    f,
                    num,
                    raw,
                )
            )


__all__ = ["Problem", "ReadResult", "read_return", "match_header", "to_number", "PROVINCE_CODE"]
