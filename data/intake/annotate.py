"""A copy of an uploaded workbook with every problem cell highlighted and commented, plus a
校验结果 sheet listing all problems: the report a statistician fixes the file from."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from data.intake.problems import Problem
from data.intake.workbook import WorkbookError, detect_kind, open_workbook

FILL = {
    "error": PatternFill("solid", fgColor="F8B4B4"),
    "warning": PatternFill("solid", fgColor="FDE68A"),
}
REPORT_SHEET = "校验结果"


def _append_as_text(ws, values: list) -> None:
    """Append a row whose texts stay texts: openpyxl would store a text beginning with ``=``
    as a live formula (``=cmd|"/c calc"!A1`` from an upload would run in the copy)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _base_workbook(content: bytes):
    if detect_kind(content) == "xlsx":
        try:
            # keep_vba keeps an .xlsm's macros as bytes; they are never run
            return load_workbook(io.BytesIO(content), keep_vba=True), True
        except Exception:  # noqa: BLE001 - fall back to the values read by calamine
            pass
    wb = Workbook()
    wb.remove(wb.active)
    try:
        for sheet in open_workbook(content):
            ws = wb.create_sheet(sheet.name[:31])
            for row in sheet.rows():
                _append_as_text(ws, [None if v == "" else v for v in row])
    except WorkbookError:
        pass
    return wb, False


def annotate(content: bytes, problems: list[Problem], lang: str = "zh") -> bytes:
    """Return .xlsx bytes: the upload with problem cells filled and commented."""
    wb, _ = _base_workbook(content)
    for p in problems:
        if not p.sheet or p.sheet not in wb.sheetnames or p.row is None:
            continue
        ws = wb[p.sheet]
        cell = ws[f"{p.column or 'A'}{p.row}"]
        cell.fill = FILL[p.severity]
        text = p.message(lang)
        old = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment(old + text, "urbdash", width=320, height=120)
    if REPORT_SHEET in wb.sheetnames:
        del wb[REPORT_SHEET]
    ws = wb.create_sheet(REPORT_SHEET, 0)
    ws.append(
        ["级别", "工作表", "行", "列", "字段", "值", "规则", "说明"]
        if lang == "zh"
        else ["severity", "sheet", "row", "column", "field", "value", "rule", "message"]
    )
    for p in problems:
        d = p.as_dict(lang)
        _append_as_text(
            ws,
            [
                d["severity"],
                d["sheet"],
                d["row"],
                d["column"],
                d["field"],
                d["value"],
                d["rule"],
                d["message"],
            ],
        )
    ws.column_dimensions["H"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
