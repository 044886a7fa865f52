"""A year's quarters as columns of a return (一季度 | 二季度 | … | 全年合计): which quarter and
indicator each column holds, the year total checked against its quarters, and a row's quarter
from year and quarter cells."""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

from data.intake.cells import TOTAL_TOLERANCE
from data.intake.headers import field_name, fields_named_in
from data.intake.problems import Problem
from data.reference import indicators, periods

VALUE_FIELDS = frozenset(indicators.REPORTED_CODES)


def year_quarter(year: object, quarter: object) -> str:
    """A row's quarter from its year and quarter cells; a quarter cell that names its own
    year (2018Q3 under Quarter) is taken as it is."""
    try:
        whole = periods.parse_period(quarter)
    except periods.PeriodError:
        return periods.year_quarter(year, quarter)
    if not periods.is_quarter(whole):
        return periods.year_quarter(year, quarter)
    return whole


def quarter_columns(header, above: str, sheet: str, override, problems) -> list[tuple]:
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
    for c, (quarter, field_code) in header.quarters.items():
        if quarter.startswith("Q") and year is None:
            problems.append(
                Problem(sheet, header.row + 1, None, "period", None, "quarters_no_year",
                        {"columns": letters})
            )  # fmt: skip
            return []
        if field_code is None and len(named) != 1:
            rule = "quarters_two_indicators" if named else "quarters_no_indicator"
            params = {"columns": letters, "names": "、".join(field_name(f) for f in named)}
            problems.append(Problem(sheet, header.row + 1, None, None, None, rule, params))
            return []
        out.append(
            (c, field_code or named[0], f"{year}{quarter}" if quarter.startswith("Q") else quarter)
        )
    return out


def year_totals(layout, parsed: dict, numbers, regions) -> list[Problem]:
    """A 全年合计 column beside quarter columns: each row's total is checked against the sum of
    its quarters (a flow's); a stock has no year total, so the column is only named."""
    header, value_cols, sheet = layout.header, layout.value_cols, layout.name
    cells, ok, label = layout.grid[header.row], regions.ok, regions.label
    out = []
    for c, field_code in header.year_total.items():
        fields = {f for _, f, q in value_cols if q}
        f = field_code or (next(iter(fields)) if len(fields) == 1 else None)
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
