"""Quarterly return workbooks: write the template, read filled-in workbooks into tidy rows.

Reading uses python-calamine (fast, no formulas evaluated, macros never run); header names are
matched through ``header_aliases.csv`` so new wordings are a data change, not a code change.
Every problem is pinned to the sheet, Excel row number and column letter a person sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from data import indicators, periods
from geo.regions import Resolver, default_resolver

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
    "注",
    "说明",
)
TOTAL_NAMES = ("合计", "总计", "全市合计", "全省合计", "小计")


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str | None
    field: str | None
    value: object
    rule: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["value"] = None if self.value is None else str(self.value)
        return d


@dataclass
class ReadResult:
    """Tidy rows read from a workbook and the problems met on the way."""

    rows: pd.DataFrame  # sheet, row, region_raw, region_code, period, indicator, value, column
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _clean_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)  # trailing unit in brackets
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=1)
def header_aliases() -> dict[str, str]:
    table = pd.read_csv(ALIASES, dtype=str)
    return {_clean_header(a): f for f, a in zip(table.field, table.alias, strict=True)}


def match_header(value: object) -> str | None:
    """Return the field a header cell names, or None."""
    if value is None or str(value).strip() == "":
        return None
    return header_aliases().get(_clean_header(value))


def to_number(value: object) -> float | None:
    """Parse numbers typed as text: full-width digits, thousands separators, spaces."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "—", "/"):
        return None
    return float(text)


# ----------------------------------------------------------------------------- template / writer
def write_return(
    path: Path | str,
    period: str,
    values: pd.DataFrame,
    resolver: Resolver | None = None,
    by_sheet: str | None = "stat_parent_code",
    title_suffix: str = "农业转移人口落户情况统计表",
    note: str | None = None,
) -> Path:
    """Write a quarterly return workbook in the template layout.

    Parameters
    ----------
    values : frame with ``region_code`` and one column per reported indicator (NaN = blank).
    by_sheet : registry column whose value groups rows into sheets (one sheet per city), or None.
    """
    resolver = resolver or default_resolver()
    reg = resolver.registry.set_index("code")
    wb = Workbook()
    wb.remove(wb.active)
    frame = values.copy()
    frame["_group"] = frame.region_code.map(reg[by_sheet]) if by_sheet else "610000"
    for group, part in frame.groupby("_group", sort=True):
        name = reg.at[group, "name"] if group in reg.index else str(group)
        if (part.region_code == "610403").all():
            name = "杨凌示范区"
        _write_sheet(wb.create_sheet(name[:31]), period, part, reg, title_suffix, note)
    _write_instructions(wb.create_sheet("填表说明"), period)
    path = Path(path)
    wb.save(path)
    return path


def _write_sheet(ws, period, part, reg, title_suffix, note) -> None:
    inds = indicators.REPORTED
    ws.append([f"{periods.label(period)}{title_suffix}"])
    ws.append([f"填报期：{period}", None, "单位：人、张"])
    ws.append(["区划代码", "地区名称"] + [f"{i.name_zh}（{i.unit}）" for i in inds])
    bold = Font(bold=True)
    for c in ws[3]:
        c.font = bold
        c.alignment = Alignment(wrap_text=True, vertical="center")
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    ws["A1"].font = Font(bold=True, size=14)
    for r in part.itertuples(index=False):
        name = reg.at[r.region_code, "stat_name"] or reg.at[r.region_code, "name"]
        row = [r.region_code, name]
        for i in inds:
            v = getattr(r, i.code, None)
            row.append(
                None if v is None or pd.isna(v) else (int(v) if float(v).is_integer() else float(v))
            )
        ws.append(row)
    last = ws.max_row
    dv = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="整数",
        error="请填写非负整数",
    )
    ws.add_data_validation(dv)
    dv.add(f"C4:{get_column_letter(2 + len(inds))}{max(last, 4)}")
    for row in ws.iter_rows(min_row=4, max_row=last):
        for c in row[2:]:
            c.protection = Protection(locked=False)
    if note:
        ws.append([])
        ws.append([note])
    ws.append([])
    ws.append(["填表人：", None, "审核人：", None, "填报日期："])
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 14
    for k in range(len(inds)):
        ws.column_dimensions[get_column_letter(3 + k)].width = 16
    ws.freeze_panes = "C4"
    ws.protection.sheet = True  # codes and names locked; value cells unlocked above


def _write_instructions(ws, period) -> None:
    ws.append(["填表说明 / Instructions"])
    ws.append([f"填报期 / Period: {period}"])
    ws.append(["区划代码、地区名称已预填并锁定；请在数值列填写非负整数，单位为人（居住证为张）。"])
    ws.append([])
    ws.append(["指标代码", "指标名称", "单位", "类型", "定义", "Definition"])
    for i in indicators.REPORTED:
        ws.append([i.code, i.name_zh, i.unit, i.kind, i.definition_zh, i.definition_en])
    ws.column_dimensions["B"].width = 32
    ws.column_dimensions["E"].width = 60


# ----------------------------------------------------------------------------- reader
def read_return(
    source: Path | str | bytes,
    period: str | None = None,
    resolver: Resolver | None = None,
) -> ReadResult:
    """Read every sheet of a return workbook into tidy rows, collecting problems."""
    resolver = resolver or default_resolver()
    wb = (
        CalamineWorkbook.from_filelike(__import__("io").BytesIO(source))
        if isinstance(source, bytes)
        else CalamineWorkbook.from_path(str(source))
    )
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for sheet in wb.sheet_names:
        grid = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        part = _read_sheet(sheet, grid, period, resolver, problems)
        if part is not None:
            frames.append(part)
    cols = ["sheet", "row", "column", "region_raw", "region_code", "period", "indicator", "value"]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    if not frames and not problems:
        problems.append(Problem("", None, None, None, None, "no_header", "未找到可识别的表头"))
    return ReadResult(rows[cols], problems)


def _read_sheet(sheet, grid, period, resolver, problems) -> pd.DataFrame | None:
    header_row, fields = None, {}
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = {c: match_header(v) for c, v in enumerate(row)}
        found = {c: f for c, f in found.items() if f}
        if len(found) >= 2 and {"region_code", "region_name"} & set(found.values()):
            header_row, fields = r, found
            break
    if header_row is None:
        return None
    above = " ".join(str(v) for row in grid[:header_row] for v in row if v not in (None, ""))
    factor = 1
    m = re.search(r"单位[:：]\s*(万人|千人|人|万张|张)", unicodedata.normalize("NFKC", above))
    if m:
        factor = UNIT_FACTORS[m.group(1)]
    sheet_period = period or periods.find_period(above)
    col_of = {f: c for c, f in fields.items()}
    value_cols = [(c, f) for c, f in fields.items() if f in indicators.REPORTED_CODES]
    records = []
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        excel_row = r + 1
        cells = [v for v in row if v not in (None, "")]
        if not cells:
            continue
        first = unicodedata.normalize("NFKC", str(cells[0])).strip()
        if first.startswith(NOTE_PREFIXES):
            continue
        raw_code = row[col_of["region_code"]] if "region_code" in col_of else None
        raw_name = row[col_of["region_name"]] if "region_name" in col_of else None
        label = raw_name if raw_name not in (None, "") else raw_code
        if any(str(x).replace(" ", "").strip() in TOTAL_NAMES for x in (raw_code, raw_name) if x):
            continue
        res = resolver.resolve(raw_code) if raw_code not in (None, "") else None
        if res is None or not res.ok:
            res = resolver.resolve(raw_name) if raw_name not in (None, "") else res
        col = get_column_letter(col_of.get("region_code", col_of.get("region_name", 0)) + 1)
        has_values = any(c < len(row) and row[c] not in (None, "") for c, _ in value_cols)
        if (res is None or not res.ok) and not has_values:
            continue  # a note or caption row below or inside the table, not data
        if res is None or not res.ok:
            problems.append(
                Problem(
                    sheet,
                    excel_row,
                    col,
                    "region",
                    label,
                    "unknown_region",
                    f"无法识别的地区：{label}" + (f"（{res.note}）" if res and res.note else ""),
                )
            )
            continue
        row_period = sheet_period
        if "period" in col_of and row[col_of["period"]] not in (None, ""):
            try:
                row_period = periods.parse_period(row[col_of["period"]])
            except periods.PeriodError as exc:
                problems.append(
                    Problem(
                        sheet,
                        excel_row,
                        get_column_letter(col_of["period"] + 1),
                        "period",
                        row[col_of["period"]],
                        "bad_period",
                        str(exc),
                    )
                )
                continue
        if row_period is None:
            problems.append(
                Problem(
                    sheet,
                    excel_row,
                    None,
                    "period",
                    None,
                    "no_period",
                    "未找到填报期（标题、期别列或年份/季度列）",
                )
            )
            continue
        for c, f in value_cols:
            v = row[c] if c < len(row) else None
            try:
                num = to_number(v)
            except ValueError:
                problems.append(
                    Problem(
                        sheet,
                        excel_row,
                        get_column_letter(c + 1),
                        f,
                        v,
                        "not_a_number",
                        f"不是数字：{v}",
                    )
                )
                continue
            if num is None:
                continue
            records.append(
                (
                    sheet,
                    excel_row,
                    get_column_letter(c + 1),
                    str(label),
                    res.code,
                    row_period,
                    f,
                    num * factor,
                )
            )
    return pd.DataFrame(
        records,
        columns=[
            "sheet",
            "row",
            "column",
            "region_raw",
            "region_code",
            "period",
            "indicator",
            "value",
        ],
    )


def validate_rows(rows: pd.DataFrame, today_period: str | None = None) -> list[Problem]:
    """Row rules: non-negative whole counts, urban <= total, no duplicates, no future period."""
    out: list[Problem] = []
    now = today_period or periods.current_quarter()
    for r in rows.itertuples(index=False):
        ind = indicators.get(r.indicator)
        if r.value < 0:
            out.append(
                Problem(
                    r.sheet,
                    r.row,
                    r.column,
                    r.indicator,
                    r.value,
                    "negative",
                    f"{ind.name_zh}不能为负数：{r.value:g}",
                )
            )
        elif r.value != int(r.value):
            out.append(
                Problem(
                    r.sheet,
                    r.row,
                    r.column,
                    r.indicator,
                    r.value,
                    "not_integer",
                    f"{ind.name_zh}应为整数：{r.value:g}",
                )
            )
        if periods.is_quarter(r.period) and r.period > now:
            out.append(
                Problem(
                    r.sheet,
                    r.row,
                    r.column,
                    "period",
                    r.period,
                    "future_period",
                    f"填报期 {r.period} 尚未到来",
                )
            )
    dup = rows[rows.duplicated(["region_code", "period", "indicator"], keep="first")]
    for r in dup.drop_duplicates(["region_code", "period"]).itertuples(index=False):
        out.append(
            Problem(
                r.sheet,
                r.row,
                None,
                "region",
                r.region_raw,
                "duplicate",
                f"地区 {r.region_code} 在 {r.period} 重复填报",
            )
        )
    wide = rows.pivot_table(
        index=["region_code", "period"], columns="indicator", values="value", aggfunc="first"
    )
    where = rows.drop_duplicates(["region_code", "period", "indicator"]).set_index(
        ["region_code", "period", "indicator"]
    )
    for ind in indicators.REPORTED:
        if ind.not_above and ind.code in wide and ind.not_above in wide:
            bad = wide[wide[ind.code] > wide[ind.not_above]]
            for (code, per), vals in bad.iterrows():
                loc = where.loc[(code, per, ind.code)]
                out.append(
                    Problem(
                        loc.sheet,
                        int(loc.row),
                        loc.column,
                        ind.code,
                        vals[ind.code],
                        "urban_gt_total",
                        f"{ind.name_zh} {vals[ind.code]:g} 大于 "
                        f"{indicators.get(ind.not_above).name_zh} {vals[ind.not_above]:g}",
                    )
                )
    return out
