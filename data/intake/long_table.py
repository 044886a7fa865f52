"""A long table: one row per region, period and indicator (区划代码 | 统计期 | 指标名称 | 数值,
maybe a 计量单位), as databases and reporting systems export a return. A row's indicator is
what its cell names, read by the same rules as a column's name; the value column is then read
once per indicator named, over that indicator's rows only, and a 计量单位 cell scales its row's
value as a unit in a header scales a column's."""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from data.intake.cells import UNIT_FACTORS, unit_fits, unit_named
from data.intake.headers import field_name, match_header, other_span, split_header
from data.intake.problems import Problem, other_span_problem, show_value
from data.intake.quarters import VALUE_FIELDS
from data.reference import indicators

LONG_FIELDS = frozenset({"indicator", "value"})


def is_long(fields: dict) -> bool:
    """Whether a header's fields (column -> field) are a long table's."""
    return LONG_FIELDS <= set(fields.values())


def row_indicators(layout, body, blank, ok: pd.Series, problems) -> pd.Series:
    """Each row's indicator, and the layout's value columns set to the value column once per
    indicator named. A row with a value whose indicator cell names none is said and taken out
    of ``ok``."""
    c, cv = layout.col_of["indicator"], layout.col_of["value"]
    cells = body[c].where(~blank[c], "")
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
    named = [match_header(u) if u != "" else None for u in uniques]
    named = np.array([f if f in VALUE_FIELDS else None for f in named], dtype=object)
    # 累计农业转移人口落户人数 names an indicator over another span: its rows are not read
    spans = {i: (f, other_span(u)) for i, (u, f) in enumerate(zip(uniques, named, strict=True))}
    spans = {i: fk for i, fk in spans.items() if fk[0] is not None and fk[1] is not None}
    other = np.isin(codes, list(spans))
    field = pd.Series(named[codes], index=body.index, dtype=object).mask(other)
    own = set(field[ok].dropna())
    for i, (f, kind) in spans.items():
        r = body.index[np.flatnonzero(codes == i)[0]]
        at = get_column_letter(c + 1)
        problems.append(other_span_problem(layout.name, int(r), at, cells[r], f, kind, f in own))
    ok &= ~other
    bad = ok & field.isna() & ~blank[cv]
    names = "、".join(field_name(f) for f in indicators.REPORTED_CODES)
    for r in body.index[bad]:
        problems.append(
            Problem(layout.name, int(r), get_column_letter(c + 1), None, cells[r],
                    "unknown_indicator", {"value": show_value(cells[r]) or "", "names": names})
        )  # fmt: skip
    ok &= ~bad
    found = [f for f in indicators.REPORTED_CODES if f in set(field[ok].dropna())]
    layout.value_cols = [(cv, f, None) for f in found]
    return field


def values(layout, body, blank, ok: pd.Series, problems, field: pd.Series, numbers) -> dict:
    """The value column read per indicator (``numbers(ok, problems, c, f)`` reads a column as
    ``f`` counts it), NaN on the rows of other indicators, each row scaled by its 计量单位."""
    factor = _row_factors(layout, body, blank, field, ok, problems)
    out = {}
    for c, f, _ in layout.value_cols:
        mine = field == f
        num = numbers(ok & mine, problems, c, f)
        if factor is not None:
            num = (num * factor).round(6)
        out[(c, f)] = num.where(mine)
    return out


def _row_factors(layout, body, blank, field, ok, problems) -> np.ndarray | None:
    """Each row's unit as a factor over the value column's own: the 计量单位 cell's, else the
    one its indicator's name carries (季末常住人口（万人）); None when no row has one. A unit
    of another kind than the row's indicator (户 for persons) is said and the row taken out
    of ``ok``."""
    c, cv = layout.col_of.get("unit"), layout.col_of["value"]
    ci = layout.col_of["indicator"]
    named = body[ci].where(~blank[ci], "").map(lambda v: split_header(v)[1] or "" if v else "")
    cells = named if c is None else body[c].where(~blank[c], "").where(lambda v: v != "", named)
    if not (cells != "").any():
        return None
    base = layout.factor(cv)
    out = np.ones(len(body))
    memo: dict[tuple, float | None] = {}
    for i, (cell, f) in enumerate(zip(cells, field, strict=True)):
        if f is None or cell == "":
            continue
        if (cell, f) not in memo:
            unit = unit_named(cell)
            fits = unit is not None and unit_fits(unit, indicators.get(f).unit)
            memo[(cell, f)] = UNIT_FACTORS[unit] / base if fits else None
        if memo[(cell, f)] is None:
            r = body.index[i]
            if ok[r]:
                ind = indicators.get(f)
                problems.append(
                    Problem(layout.name, int(r), get_column_letter((c if c is not None else ci) + 1),
                            f, cell, "unknown_unit", {"name": ind.name_zh, "unit": ind.unit,
                                                     "value": show_value(cell)})
                )  # fmt: skip
                ok[r] = False
        else:
            out[i] = memo[(cell, f)]
    return out
