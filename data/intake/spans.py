"""Spans that are no quarter: a column of an indicator over another span (累计, 上年同期,
比上年增长: ``Header.spans``) and a title naming several quarters (2023年1-6月, 上半年). Neither
is ever stored as a quarter's figure; each is said once, at its cell."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from data.intake.cells import is_blank
from data.intake.problems import Problem, other_span_problem
from data.reference import periods


def span_problems(header, name: str) -> list[Problem]:
    """A column of an indicator over another span (累计, 上年同期): beside the quarter's own
    column of it, a reader's aid and ignored (a warning); alone, an error at its cell, since
    storing it as the quarter's figure would be wrong."""
    own = set(header.fields.values()) | {f for _, f in header.quarters.values() if f}
    return [
        other_span_problem(name, header.row + 1, get_column_letter(c + 1), label, f, kind, f in own)
        for c, (f, kind, label) in header.spans.items()
    ]


def title_span(header, grid, sheet_period, value_cols, name) -> Problem | None:
    """Where the sheet's period must come from its title (no period, year or quarter column
    and a column without its own quarter) and the title names a span of the year that is no
    quarter (2023年1-6月, 2023年上半年): that, said once at its cell, not a missing period at
    every row."""
    rowwise = {"period", "year", "quarter"} & set(header.fields.values())
    if sheet_period or rowwise or not any(q is None for _, _, q in value_cols):
        return None
    for r, row in enumerate(grid[: header.row]):
        for c, cell in enumerate(row):
            said = periods.find_span(cell) if not is_blank(cell) else None
            if said:
                return Problem(name, r + 1, get_column_letter(c + 1), "period", cell,
                               "period_not_a_quarter", {"value": said})  # fmt: skip
    said = periods.find_span(name)  # the sheet's (a CSV file's) name
    if said is None:
        return None
    return Problem(name, None, None, "period", name, "period_not_a_quarter", {"value": said})
