"""Files people download (CSV, XLSX), on the way out: a text cell that a spreadsheet would run
as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's CSV
injection list) is prefixed with an apostrophe, while numbers stay numbers
(``neutralise_frame``). The exports, the CLI and the pages all write through here.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text that would start a formula in a spreadsheet, prefixed with ``'``; any other
    value (numbers included) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame) -> bytes:
    """A frame as CSV for download or export: UTF-8 with a BOM (opens in Excel), formula-like
    text neutralised."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame, sheet_name: str = "data") -> bytes:
    """A frame as an XLSX workbook, formula-like text neutralised (openpyxl would otherwise
    write a text beginning with ``=`` as a live formula)."""
    import io

    buf = io.BytesIO()
    neutralise_frame(frame).to_excel(buf, index=False, sheet_name=sheet_name)
    return buf.getvalue()


def neutralise_frame(frame):
    """A copy of a pandas frame whose text cells (and column names) are ``neutralise``d;
    numeric columns are left as they are."""
    from pandas.api import types

    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if not (types.is_numeric_dtype(dtype) or types.is_datetime64_any_dtype(dtype)):
            out[col] = out[col].astype(object).map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
