"""Validation of tidy return rows: a pandera schema for every value, then cross-row rules
(duplicates, urban <= total, subtotal rows, scope) and cross-period rules against the region's
own history (robust outliers, unit slips, stock jumps, missing counties).

Errors block the whole file; warnings need an explicit confirmation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data import indicators, periods, settings
from data.returns import Problem, ReadResult
from geo.regions import PROVINCE_CODE, Resolver, default_resolver

HISTORY_QUARTERS = 8  # quarters of a region's own history used by the robust rules
MIN_HISTORY = 4
OUTLIER_Z = 5.0  # robust z on log(1 + x): |x - median| / (IQR / 1.349), scale floored below
MAD_FLOOR = 0.15
UNIT_SLIP = 5_000  # value / typical value beyond this (or below its inverse): 万人 vs 人
STOCK_JUMP = 0.15  # a stock changing more than 15% in one quarter
TOTAL_TOLERANCE = 0.5

_MIN = {
    i.code: (i.min_value if i.min_value is not None else -np.inf) for i in indicators.INDICATORS
}
_MAX = {i.code: (i.max_value if i.max_value is not None else np.inf) for i in indicators.INDICATORS}

VALUE_SCHEMA = pa.DataFrameSchema(
    {
        "region_code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$", name="bad_code")),
        "indicator": pa.Column(str, pa.Check.isin(indicators.REPORTED_CODES, name="bad_indicator")),
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}Q[1-4]$", name="not_quarter")),
        "value": pa.Column(
            float,
            [
                pa.Check(lambda v: v >= 0, name="negative"),
                pa.Check(lambda v: (v < 0) | (v == np.floor(v)), name="not_integer"),
            ],
        ),
    },
    checks=[
        pa.Check(
            lambda df: (df.value < 0) | (df.value >= df.indicator.map(_MIN).fillna(-np.inf)),
            name="below_min",
        ),
        pa.Check(lambda df: df.value <= df.indicator.map(_MAX).fillna(np.inf), name="above_max"),
    ],
    strict=False,
    coerce=False,
)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1e4 else f"{value:g}"


def _schema_problems(rows: pd.DataFrame) -> list[Problem]:
    try:
        VALUE_SCHEMA.validate(rows, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out = []
    seen = set()
    for case in cases.itertuples(index=False):
        if case.index is None or pd.isna(case.index) or (case.index, case.check) in seen:
            continue
        seen.add((case.index, case.check))
        r = rows.loc[int(case.index)]
        ind = indicators.BY_CODE.get(r.indicator)
        name = ind.name_zh if ind else r.indicator
        params = {"name": name, "value": _fmt(r.value), "raw": r.raw}
        if case.check == "above_max":
            params["max"] = f"{_MAX[r.indicator]:,.0f}"
        if case.check == "below_min":
            params["min"] = f"{_MIN[r.indicator]:g}"
        if case.check == "not_quarter":
            params = {"period": r.period}
        out.append(
            Problem(r.sheet, int(r.row), r.column, r.indicator, r.raw, str(case.check), params)
        )
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
    dup = rows[rows.duplicated(["region_code", "period", "indicator"], keep="first")]
    for r in dup.drop_duplicates(["region_code", "period"]).itertuples(index=False):
        out.append(
            Problem(
                r.sheet,
                int(r.row),
                None,
                "region",
                r.region_raw,
                "duplicate",
                {
                    "region": f"{r.region_code} {resolver.name_of(r.region_code)}",
                    "period": r.period,
                },
            )
        )
    first = rows.drop_duplicates(["region_code", "period", "indicator"])
    wide = first.pivot(index=["region_code", "period"], columns="indicator", values="value")
    where = first.set_index(["region_code", "period", "indicator"])
    for ind in indicators.REPORTED:
        if not ind.not_above or ind.code not in wide or ind.not_above not in wide:
            continue
        bad = wide[wide[ind.code] > wide[ind.not_above]]
        other = indicators.get(ind.not_above)
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
                    {
                        "name": ind.name_zh,
                        "value": f"{vals[ind.code]:,.0f}",
                        "other": other.name_zh,
                        "other_value": f"{vals[ind.not_above]:,.0f}",
                    },
                )
            )
    out += _totals(rows, result.totals, resolver)
    return out


def _members(rows: pd.DataFrame, total: dict, resolver: Resolver) -> pd.DataFrame:
    part = rows[(rows.sheet == total["sheet"]) & (rows.period == total["period"])]
    code = total["region_code"]
    if code is None or code == PROVINCE_CODE:
        return part
    reg = resolver.registry.set_index("code")
    parents = part.region_code.map(reg.stat_parent_code)
    admin = part.region_code.map(reg.parent_code)
    return part[(parents == code) | (admin == code)]


def _totals(rows: pd.DataFrame, totals: list[dict], resolver: Resolver) -> list[Problem]:
    out = []
    for total in totals:
        members = _members(rows, total, resolver)
        sums = members.groupby("indicator").value.sum()
        for ind, (stated, column) in total["values"].items():
            computed = float(sums.get(ind, 0.0))
            if abs(stated - computed) > TOTAL_TOLERANCE:
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


def _scope(rows: pd.DataFrame, scope: str, resolver: Resolver) -> list[Problem]:
    from data.template import scope_counties

    allowed = set(scope_counties(scope, resolver))
    out = []
    for r in rows[~rows.region_code.isin(allowed)].drop_duplicates("region_code").itertuples():
        out.append(
            Problem(
                r.sheet,
                int(r.row),
                None,
                "region",
                r.region_raw,
                "out_of_scope",
                {
                    "region": f"{r.region_code} {resolver.name_of(r.region_code)}",
                    "scope": f"{scope} {resolver.name_of(resolver.resolve(scope).code)}",
                },
            )
        )
    return out


def _history_warnings(rows: pd.DataFrame, history: pd.DataFrame) -> list[Problem]:
    """Robust per-region rules against the region's own previous observations (the stored
    history plus the file's own earlier periods), vectorised with grouped rolling windows:
    the centre is the rolling median of log(1 + x) over the last HISTORY_QUARTERS values and the
    scale the rolling interquartile range / 1.349 (a robust sigma, floored at MAD_FLOOR)."""
    if rows.empty:
        return []
    keys = ["region_code", "indicator"]
    cols = keys + ["period", "value"]
    earlier = pd.concat([history[cols], rows[cols]], ignore_index=True)
    earlier = earlier.drop_duplicates(keys + ["period"], keep="last")
    earlier = earlier.sort_values(keys + ["period"], kind="stable").reset_index(drop=True)
    earlier["value"] = earlier.value.astype(float)
    earlier["log"] = np.log1p(earlier.value.clip(lower=0))
    g = earlier.groupby(keys, sort=False)
    earlier["prev_period"] = g.period.shift(1)
    earlier["prev"] = g.value.shift(1)
    # Rolling windows over each group's previous values, computed in one pass over a padded
    # array: every group gets its own block followed by NaN, so no window crosses groups.
    gid = g.ngroup().to_numpy()
    pos = g.cumcount().to_numpy()
    width = int(pos.max()) + 1 + HISTORY_QUARTERS
    slot = gid * width + pos + 1  # +1: the value sits one after its predecessor's slot
    for col in ("log", "value"):
        padded = np.full(int(gid.max() + 1) * width + 1, np.nan)
        padded[slot] = earlier[col].to_numpy()
        roll = pd.Series(padded).rolling(HISTORY_QUARTERS, min_periods=MIN_HISTORY)
        at = slot - 1  # windows ending at the previous value
        earlier[f"{col}_med"] = roll.median().to_numpy()[at]
        if col == "log":
            q75 = roll.quantile(0.75).to_numpy()[at]
            q25 = roll.quantile(0.25).to_numpy()[at]
            earlier["scale"] = np.maximum((q75 - q25) / 1.349, MAD_FLOOR)
            earlier["n"] = roll.count().to_numpy()[at]
    m = rows.drop_duplicates(keys + ["period"]).merge(
        earlier.drop(columns=["value", "log"]), on=keys + ["period"], how="left"
    )
    kinds = m.indicator.map({i.code: i.kind for i in indicators.INDICATORS})
    out = []
    # stocks: compare with the previous quarter only
    prev_of = {p: periods.shift(p, -1) for p in m.period.unique()}
    prev_q = m.period.map(prev_of)
    s = m[(kinds == "stock") & (m.prev_period == prev_q) & (m.prev > 0)]
    ratio = s.value / s.prev
    slip = (ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP))
    jump = ~slip & ((ratio - 1).abs() > STOCK_JUMP)
    for r in s[slip].itertuples(index=False):
        out.append(_warn(r, "unit_slip", typical=f"{r.prev:,.0f}"))
    for r, q in zip(s[jump].itertuples(index=False), ratio[jump], strict=True):
        out.append(_warn(r, "stock_jump", prev=f"{r.prev:,.0f}", pct=f"{100 * (q - 1):+.1f}"))
    # flows: need a history with a level (a median of 0 says nothing, e.g. the first quarter
    # a county issues residence permits)
    f = m[(kinds == "flow") & (m.n >= MIN_HISTORY) & (m.value_med > 0)]
    ratio = f.value / f.value_med
    slip = (ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP))
    z = (np.log1p(f.value.clip(lower=0)) - f.log_med).abs() / f.scale
    for r in f[slip].itertuples(index=False):
        out.append(_warn(r, "unit_slip", typical=f"{r.value_med:,.0f}"))
    outlier = ~slip & (z > OUTLIER_Z)
    for r, zz in zip(f[outlier].itertuples(index=False), z[outlier], strict=True):
        out.append(_warn(r, "outlier", median=f"{r.value_med:,.0f}", n=int(r.n), z=f"{zz:.1f}"))
    return out


def _warn(r, rule: str, **params) -> Problem:
    ind = indicators.get(r.indicator)
    return Problem(
        r.sheet,
        int(r.row),
        r.column,
        r.indicator,
        r.raw,
        rule,
        {"name": ind.name_zh, "value": f"{r.value:,.0f}", **params},
        "warning",
    )


def _missing_counties(rows: pd.DataFrame, resolver: Resolver) -> list[Problem]:
    """A sheet that holds two or more counties of a city for a quarter should hold them all."""
    reg = resolver.registry
    counties = reg[reg.level == "county"].set_index("code").stat_parent_code
    present = rows[["sheet", "period", "region_code"]].drop_duplicates()
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
    for r in rows.drop_duplicates(["region_raw", "region_code"]).itertuples(index=False):
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
    scope: str | None = None,
    today: str | None = None,
    resolver: Resolver | None = None,
) -> list[Problem]:
    """All problems of a read return: reading problems first, then the rules above.

    Parameters
    ----------
    history : current stored observations (region_code, indicator, period, value) for the
        cross-period rules; None skips them.
    scope : region the uploader may report for (province, city or county code); None: any.
    today : the current quarter (default: from the clock); later periods are errors.
    """
    resolver = resolver or default_resolver()
    rows = result.rows.reset_index(drop=True)
    problems = list(result.problems)
    limit = int(settings.get("max_rows"))
    n_rows = rows[["sheet", "row"]].drop_duplicates().shape[0]
    if n_rows > limit:
        return problems + [Problem.of_file("too_many_rows", rows=f"{n_rows:,}", limit=f"{limit:,}")]
    if rows.empty:
        if not any(p.severity == "error" for p in problems):
            problems.append(Problem.of_file("no_data"))
        return problems
    problems += _schema_problems(rows)
    problems += _cross_row(rows, result, resolver, today or periods.current_quarter())
    if scope:
        problems += _scope(rows, scope, resolver)
    problems += _missing_counties(rows, resolver)
    problems += _renamed(rows, resolver)
    if history is not None:
        problems += _history_warnings(rows, history)
    return problems
