"""Quarterly return template: the workbook statisticians download, fill in and upload.

One sheet per city (杨凌示范区 on its own), one row per county with code and name prefilled and
locked, the reported indicators as columns with Chinese headers and units, whole-number input
validation on the value cells, the period in the title and a 填表说明 sheet defining each
indicator. The demo generator writes its workbooks with the same function.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from data.i18n import formats
from data.reference import indicators, periods
from geo.regions import PROVINCE_CODE, Resolver, counties_of, default_resolver, unit_names


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
    frame["_group"] = frame.region_code.map(reg[by_sheet]) if by_sheet else PROVINCE_CODE
    for group, part in frame.groupby("_group", sort=True):
        name = reg.at[group, "name"] if group in reg.index else str(group)
        own = part.region_code.unique()
        if len(own) == 1 and reg.at[own[0], "stat_parent_code"] == PROVINCE_CODE:
            name = unit_names(resolver.registry)[own[0]]  # 杨凌示范区: a unit of its own
        _write_sheet(wb.create_sheet(name[:31]), period, part, reg, title_suffix, note)
    _write_instructions(wb.create_sheet("填表说明"), period)
    if isinstance(path, str | Path):
        path = Path(path)
    wb.save(path)  # a path or a binary file object (the download button's buffer)
    return path


def _write_sheet(ws, period, part, reg, title_suffix, note) -> None:
    inds = indicators.REPORTED
    ws.append([f"{formats.period_label(period)}{title_suffix}"])
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


def template_bytes(period: str, scope: str | None = None) -> bytes:
    """The template as bytes, for a download button."""
    import io

    buf = io.BytesIO()
    write_template(buf, period, scope)
    return buf.getvalue()


def write_template(path, period: str, scope: str | None = None):
    """Write an empty return for ``period`` covering ``scope`` (see ``geo.regions.counties_of``)."""
    period = periods.parse_period(period)
    if not periods.is_quarter(period):
        raise periods.PeriodError(f"a return is quarterly: {period!r} is not a quarter")
    frame = pd.DataFrame({"region_code": counties_of(scope)})
    for code in indicators.REPORTED_CODES:
        frame[code] = None
    return write_return(path, period, frame)
