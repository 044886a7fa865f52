"""Validation of tidy return rows: a pandera schema for every value, then cross-row rules
(duplicates, urban <= total, subtotal rows, scope, missing counties, renamed regions), the
comparison with stored values, and the warnings against each region's own history
(``history_rules``: robust outliers, unit slips, stock jumps).

Errors block the whole file; warnings need an explicit confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data import settings
from data.heap import release_freed_memory
from data.intake.cells import TOTAL_TOLERANCE
from data.intake.frames import codes_of, distinct_rows
from data.intake.history_rules import history_warnings
from data.intake.problems import Problem, ReadResult
from data.keys import distinct as distinct_keys
from data.keys import first_of_equal
from data.reference import indicators, periods
from geo.regions import PROVINCE_CODE, Resolver, counties_of, default_resolver

LARGE_RETURN = 100_000  # values; after each step of one this big, freed memory is handed back

_MIN = {
    i.code: (i.min_value if i.min_value is not None else -np.inf) for i in indicators.INDICATORS
}
_MAX = {i.code: (i.max_value if i.max_value is not None else np.inf) for i in indicators.INDICATORS}

# Keys have few distinct values (categoricals in a read return): each distinct value is checked
# once and every row holding a bad one is reported.
KEY_SCHEMAS = {
    "region_code": pa.SeriesSchema(str, pa.Check.str_matches(r"^\d{6}$", name="bad_code")),
    "indicator": pa.SeriesSchema(
        str, pa.Check.isin(indicators.REPORTED_CODES, name="bad_indicator")
    ),
    "period": pa.SeriesSchema(str, pa.Check.str_matches(r"^\d{4}Q[1-4]$", name="not_quarter")),
}
# the value checks, in the order their findings are said
VALUE_CHECKS = ("negative", "not_integer", "below_min", "above_max")


@lru_cache(maxsize=64)
def value_schema(lo: float, hi: float) -> pa.SeriesSchema:
    """The checks of one indicator's values, ``lo``..``hi`` its plausible range (a negative
    value is said as negative, never as below the range)."""
    return pa.SeriesSchema(
        float,
        [
            pa.Check(lambda v: v >= 0, name="negative"),
            pa.Check(lambda v: (v < 0) | (v == np.floor(v)), name="not_integer"),
            pa.Check(lambda v: (v < 0) | (v >= lo), name="below_min"),
            pa.Check(lambda v: v <= hi, name="above_max"),
        ],
        coerce=False,
    )


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1e4 else f"{value:g}"


def _region_problem(r, rule: str, resolver: Resolver, **params) -> Problem:
    """A problem with a row's region (code and current name in the message)."""
    region = f"{r.region_code} {resolver.name_of(r.region_code)}"
    return Problem(
        r.sheet, int(r.row), None, "region", r.region_raw, rule, {"region": region, **params}
    )


def _failures(rows: pd.DataFrame) -> list[tuple[int, str]]:
    """(row position, check name) of every failed check, keys first, in schema order."""
    found: list[tuple[int, str]] = []
    for col, schema in KEY_SCHEMAS.items():
        codes, distinct = codes_of(rows[col])
        distinct = pd.Series(distinct, dtype=object).astype(str)
        try:
            schema.validate(distinct, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        bad = cases.dropna(subset=["index"])["index"].astype(int).to_numpy()
        rule = schema.checks[0].name  # one check per key
        found += [(int(i), rule) for i in np.flatnonzero(np.isin(codes, bad))]
    # each indicator's values against its own range: a slice at a time, never a frame of
    # bounds beside a million values
    codes, distinct = codes_of(rows.indicator)
    values = rows.value.to_numpy(dtype=float)
    by_value = []
    for k in distinct_keys(codes):
        code = distinct[k] if k >= 0 else None
        at = np.flatnonzero(codes == k)
        schema = value_schema(_MIN.get(code, -np.inf), _MAX.get(code, np.inf))
        try:
            schema.validate(pd.Series(values[at]), lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.dropna(subset=["index"])
            by_value += [
                (int(at[int(i)]), str(c))
                for i, c in zip(cases["index"], cases["check"], strict=True)
            ]
    found += sorted(by_value, key=lambda f: (VALUE_CHECKS.index(f[1]), f[0]))
    return found


def _schema_problems(rows: pd.DataFrame) -> list[Problem]:
    out = []
    seen = set()
    for index, check in _failures(rows):
        if (index, check) in seen:
            continue
        seen.add((index, check))
        r = rows.iloc[index]
        case_check = check
        ind = indicators.BY_CODE.get(r.indicator)
        name = ind.name_zh if ind else r.indicator
        params = {"name": name, "value": _fmt(r.value), "raw": r.raw}
        if case_check == "above_max":
            params["max"] = f"{_MAX[r.indicator]:,.0f}"
        if case_check == "below_min":
            params["min"] = f"{_MIN[r.indicator]:g}"
        if case_check == "not_quarter":
            params = {"period": r.period}
        out.append(Problem(r.sheet, int(r.row), r.column, r.indicator, r.raw, case_check, params))
    return out


def _cross_row(
    rows: pd.DataFrame, result: ReadResult, resolver: Resolver, today: str
) -> list[Problem]:
    out: list[Problem] = []
    for per in sorted(p for p in rows.period.unique() if p > today):
        r = rows[rows.period == per].iloc[0]
        out.append(
            Problem(r.sheet, int(r.row), None, "period", per, "future_period", {"period": per})
        )
    # integer keys: region x period, and region x period x indicator
    r_codes, _ = codes_of(rows.region_code)
    p_codes, p_uni = codes_of(rows.period)
    i_codes, i_uni = codes_of(rows.indicator)
    rp = r_codes.astype(np.int64) * max(len(p_uni), 1) + p_codes
    rpi = rp * max(len(i_uni), 1) + i_codes
    first = first_of_equal(rpi)
    dup_rows = np.flatnonzero(~first)
    if len(dup_rows):
        seen_rp: set[int] = set()
        for k in dup_rows:
            if rp[k] in seen_rp:
                continue
            seen_rp.add(int(rp[k]))
            out.append(
                _region_problem(rows.iloc[k], "duplicate", resolver, period=rows.period.iloc[k])
            )
    code_of = {c: k for k, c in enumerate(i_uni)}
    value = rows.value.to_numpy(dtype=float)
    for ind in indicators.REPORTED:
        if not ind.not_above or ind.code not in code_of or ind.not_above not in code_of:
            continue
        part = first & (i_codes == code_of[ind.code])
        mine = pd.Series(np.flatnonzero(part), index=rp[part])
        other = pd.Series(
            value[first & (i_codes == code_of[ind.not_above])],
            index=rp[first & (i_codes == code_of[ind.not_above])],
        )
        both = pd.DataFrame({"pos": mine}).join(other.rename("other"), how="inner")
        bad = both[value[both.pos.to_numpy()] > both.other.to_numpy()].sort_values("pos")
        other_ind = indicators.get(ind.not_above)
        for pos, other_value in zip(bad.pos, bad.other, strict=True):
            r = rows.iloc[int(pos)]
            out.append(
                Problem(
                    r.sheet,
                    int(r.row),
                    r.column,
                    ind.code,
                    r.value,
                    "urban_gt_total",
                    {
                        "name": ind.name_zh,
                        "value": f"{r.value:,.0f}",
                        "other": other_ind.name_zh,
                        "other_value": f"{other_value:,.0f}",
                    },
                )
            )
    out += _totals(rows, result.totals, resolver)
    return out


def _against_stored(rows: pd.DataFrame, history: pd.DataFrame) -> list[Problem]:
    """urban ≤ total where only one of the two comes in the file and the other is stored for
    that region and period (a partial return): the file's value is checked against the stored
    one. Where both are in the file ``_cross_row`` has checked them."""
    out: list[Problem] = []
    if history.empty:
        return out
    keys = ["region_code", "period"]
    rows = rows.astype({"region_code": object, "period": object, "indicator": object})
    for ind in indicators.REPORTED:
        if not ind.not_above:
            continue
        for mine, other in ((ind.code, ind.not_above), (ind.not_above, ind.code)):
            part = rows[rows.indicator == mine]
            both = rows[rows.indicator == other][keys].assign(_in_file=True)
            part = part.merge(both, on=keys, how="left")
            part = part[part._in_file.isna()]  # the other one is not in the file
            held = history[history.indicator == other][[*keys, "value"]]
            part = part.merge(held.rename(columns={"value": "other_value"}), on=keys)
            urban, total = (
                (part.value, part.other_value)
                if mine == ind.code
                else (part.other_value, part.value)
            )
            for r in part[(urban > total).to_numpy()].itertuples(index=False):
                out.append(
                    Problem(
                        r.sheet,
                        int(r.row),
                        r.column,
                        mine,
                        r.value,
                        "urban_gt_stored_total",
                        {
                            "name": indicators.get(mine).name_zh,
                            "value": f"{r.value:,.0f}",
                            "other": indicators.get(other).name_zh,
                            "other_value": f"{r.other_value:,.0f}",
                            "period": r.period,
                        },
                    )
                )
    return out


def _partial(members: pd.DataFrame, total: dict, resolver: Resolver) -> bool:
    """Whether a named city's or the province's total (西安市小计, 全省合计) covers counties the
    file has no row of (a bare 小计 or 合计 sums the rows it is under: never partial)."""
    if total.get("block") or total["region_code"] is None:  # 小计 / 合计: of the rows above
        return False
    try:
        covered = set(counties_of(total["region_code"], resolver))
    except ValueError:
        return False
    return not covered <= set(members.region_code.astype(str).unique())


def _members(rows: pd.DataFrame, total: dict, resolver: Resolver, after: int) -> pd.DataFrame:
    """The county rows a total row sums: a named city's counties, the rows since the previous
    total row (``after``) for a bare 小计, else every row of its sheet and period."""
    part = rows[(rows.sheet == total["sheet"]) & (rows.period == total["period"])]
    code = total["region_code"]
    if total.get("block"):
        return part[(part.row > after) & (part.row < total["row"])]
    if code is None or code == PROVINCE_CODE:
        return part
    reg = resolver.registry.set_index("code")
    parents = part.region_code.map(reg.stat_parent_code)
    admin = part.region_code.map(reg.parent_code)
    return part[(parents == code) | (admin == code)]


def _totals(rows: pd.DataFrame, totals: list[dict], resolver: Resolver) -> list[Problem]:
    out = []
    for total in totals:
        after = max(
            (
                t["row"]
                for t in totals
                if (t["sheet"], t["period"]) == (total["sheet"], total["period"])
                and t["row"] < total["row"]
            ),
            default=0,
        )
        members = _members(rows, total, resolver, after)
        sums = members.groupby("indicator").value.sum()
        partial = _partial(members, total, resolver)
        for ind, (stated, column) in total["values"].items():
            computed = float(sums.get(ind, 0.0))
            # a total over counties the file does not hold (a province's, in a city's file)
            # can only be too small: the missing counties' values are unknown, never negative
            if (stated < computed - TOTAL_TOLERANCE) or (
                not partial and abs(stated - computed) > TOTAL_TOLERANCE
            ):
                out.append(
                    Problem(
                        total["sheet"],
                        total["row"],
                        column,
                        ind,
                        stated,
                        "totals_mismatch",
                        {
                            "label": total["label"],
                            "name": indicators.get(ind).name_zh,
                            "stated": f"{stated:,.0f}",
                            "computed": f"{computed:,.0f}",
                        },
                    )
                )
    return out


def _scope(rows: pd.DataFrame, scope: Sequence[str], resolver: Resolver) -> list[Problem]:
    """One error per region of the file outside the regions the uploader may report for."""
    allowed = {c for code in scope for c in counties_of(code, resolver)}
    names = "、".join(f"{code} {resolver.name_of(resolver.resolve(code).code)}" for code in scope)
    return [
        _region_problem(r, "out_of_scope", resolver, scope=names)
        for r in rows[~rows.region_code.isin(allowed)].drop_duplicates("region_code").itertuples()
    ]


def _missing_counties(rows: pd.DataFrame, resolver: Resolver) -> list[Problem]:
    """A sheet that holds two or more counties of a city for a quarter should hold them all."""
    reg = resolver.registry
    counties = reg[reg.level == "county"].set_index("code").stat_parent_code
    present = distinct_rows(rows, ["sheet", "period", "region_code"])[
        ["sheet", "period", "region_code"]
    ]
    present = present.assign(city=present.region_code.map(counties))
    present = present[present.city.notna() & (present.city != PROVINCE_CODE)]
    expected = counties.value_counts()
    n = present.groupby(["sheet", "period", "city"]).size()
    short = n[(n >= 2) & (n < n.index.get_level_values("city").map(expected).to_numpy())]
    out = []
    for (sheet, per, city), _ in short.items():
        have = set(present[(present.sheet == sheet) & (present.period == per)].region_code)
        missing = sorted(set(counties[counties == city].index) - have)
        out.append(
            Problem(
                sheet,
                None,
                None,
                "region",
                None,
                "missing_county",
                {
                    "city": resolver.name_of(city),
                    "period": per,
                    "counties": "、".join(resolver.name_of(c) for c in missing),
                },
                "warning",
            )
        )
    return out


def _renamed(rows: pd.DataFrame, resolver: Resolver) -> list[Problem]:
    """Old codes or names resolved through the crosswalk: said, so nobody is surprised."""
    out = []
    for r in distinct_rows(rows, ["region_raw", "region_code"]).itertuples(index=False):
        res = resolver.resolve(r.region_raw)
        if res.ok and res.alias_kind == "renamed":
            out.append(
                Problem(
                    r.sheet,
                    int(r.row),
                    None,
                    "region",
                    r.region_raw,
                    "old_region",
                    {
                        "raw": r.region_raw,
                        "code": r.region_code,
                        "name": resolver.name_of(r.region_code),
                    },
                    "warning",
                )
            )
    return out


def validate(
    result: ReadResult,
    history: pd.DataFrame | None = None,
    scope: str | Sequence[str] | None = None,
    today: str | None = None,
    resolver: Resolver | None = None,
) -> list[Problem]:
    """All problems of a read return: reading problems first, then the rules above.

    Parameters
    ----------
    history : current stored observations (region_code, indicator, period, value) for the
        cross-period rules; None skips them.
    scope : the regions the uploader may report for (province, city or county codes; one
        code or several); None: any. Rows outside are errors naming each region.
    today : the current quarter (default: from the clock); later periods are errors.
    """
    resolver = resolver or default_resolver()
    rows = result.rows
    if not isinstance(rows.index, pd.RangeIndex) or rows.index.start != 0:
        rows = rows.reset_index(drop=True)
    problems = list(result.problems)
    limit = int(settings.get("max_rows"))
    n_rows = result.n_rows
    if n_rows > limit:
        return problems + [Problem.of_file("too_many_rows", rows=f"{n_rows:,}", limit=f"{limit:,}")]
    if rows.empty:
        if not any(p.severity == "error" for p in problems):
            if result.totals:  # only 合计 / city rows: the return is filed county by county
                first = result.totals[0]
                problems.append(
                    Problem(
                        first["sheet"],
                        first["row"],
                        None,
                        "region",
                        first["label"],
                        "only_totals",
                        {"label": first["label"]},
                    )
                )
            else:
                problems.append(Problem.of_file("no_data"))
        return problems
    large = len(rows) >= LARGE_RETURN
    problems += _schema_problems(rows)
    if large:
        release_freed_memory()  # pandera's copies and masks
    problems += _cross_row(rows, result, resolver, today or periods.current_quarter())
    if scope:
        problems += _scope(rows, (scope,) if isinstance(scope, str) else tuple(scope), resolver)
    problems += _missing_counties(rows, resolver)
    problems += _renamed(rows, resolver)
    if history is not None:
        if large:
            release_freed_memory()  # the cross-row rules' pivots
        problems += _against_stored(rows, history)
        problems += history_warnings(rows, history)
    return _one_per_cell(problems)


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """One finding per problem: a cell with an error gets no warning besides (a negative
    value is not also an outlier)."""
    wrong = {(p.sheet, p.row, p.column) for p in problems if p.severity == "error" and p.row}
    return [
        p
        for p in problems
        if p.severity == "error" or not p.row or (p.sheet, p.row, p.column) not in wrong
    ]
