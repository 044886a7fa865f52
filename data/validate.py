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

# Keys have few distinct values (categoricals in a read return): each distinct value is checked
# once and every row holding a bad one is reported.
KEY_SCHEMAS = {
    "region_code": pa.SeriesSchema(str, pa.Check.str_matches(r"^\d{6}$", name="bad_code")),
    "indicator": pa.SeriesSchema(
        str, pa.Check.isin(indicators.REPORTED_CODES, name="bad_indicator")
    ),
    "period": pa.SeriesSchema(str, pa.Check.str_matches(r"^\d{4}Q[1-4]$", name="not_quarter")),
}
VALUE_SCHEMA = pa.DataFrameSchema(
    {
        "value": pa.Column(
            float,
            [
                pa.Check(lambda v: v >= 0, name="negative"),
                pa.Check(lambda v: (v < 0) | (v == np.floor(v)), name="not_integer"),
            ],
        ),
        "lo": pa.Column(float),
        "hi": pa.Column(float),
    },
    checks=[
        pa.Check(lambda df: (df.value < 0) | (df.value >= df.lo), name="below_min"),
        pa.Check(lambda df: df.value <= df.hi, name="above_max"),
    ],
    strict=False,
    coerce=False,
)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1e4 else f"{value:g}"


def _failures(rows: pd.DataFrame) -> list[tuple[int, str]]:
    """(row position, check name) of every failed check, keys first, in schema order."""
    found: list[tuple[int, str]] = []
    for col, schema in KEY_SCHEMAS.items():
        distinct = pd.Series(pd.unique(rows[col].astype(object)), dtype=object).astype(str)
        try:
            schema.validate(distinct, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        bad = cases.dropna(subset=["index"])["index"].astype(int)
        where = rows[col].astype(object).isin(set(distinct[bad]))
        rule = schema.checks[0].name  # one check per key
        found += [(int(i), rule) for i in np.flatnonzero(where.to_numpy())]
    lo = np.array([_MIN.get(c, -np.inf) for c in indicators.BY_CODE])
    hi = np.array([_MAX.get(c, np.inf) for c in indicators.BY_CODE])
    pos = pd.Index(list(indicators.BY_CODE)).get_indexer(rows.indicator.astype(object))
    frame = pd.DataFrame(
        {
            "value": rows.value.to_numpy(dtype=float),
            "lo": np.where(pos >= 0, lo[pos], -np.inf),
            "hi": np.where(pos >= 0, hi[pos], np.inf),
        }
    )
    try:
        VALUE_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        found += [(int(i), str(c)) for i, c in zip(cases["index"], cases["check"], strict=True)]
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
    history plus the file's own earlier periods): the centre is the rolling median of
    log(1 + x) over the last HISTORY_QUARTERS values and the scale the rolling interquartile
    range / 1.349 (a robust sigma, floored at MAD_FLOOR).

    Vectorised on integer keys (region x indicator group, period rank), so a 100,000-row
    return costs a few sorts of int64 arrays rather than string merges."""
    if rows.empty:
        return []
    cols = ["region_code", "indicator", "period", "value"]
    both = rows[cols]
    if len(history):  # keys as plain objects on both sides (the file's are categoricals)
        both = pd.DataFrame(
            {
                c: np.concatenate(
                    [history[c].to_numpy(dtype=object), rows[c].to_numpy(dtype=object)]
                )
                for c in cols[:3]
            }
            | {"value": np.concatenate([history.value.to_numpy(float), rows.value.to_numpy(float)])}
        )
    r_codes, _ = pd.factorize(both.region_code)
    i_codes, i_uni = pd.factorize(both.indicator)
    p_codes, p_uni = pd.factorize(both.period)
    # period rank in string order (2016 < 2016Q1 < 2016Q2 ...), as stored
    p_sorted = sorted(p_uni)
    rank_of = {p: k for k, p in enumerate(p_sorted)}
    p_rank = np.array([rank_of[p] for p in p_uni], dtype=np.int64)[p_codes]
    prev_rank_of_rank = np.array(
        [rank_of.get(periods.shift(p, -1), -1) for p in p_sorted], dtype=np.int64
    )
    n_p = len(p_sorted)
    gid = r_codes.astype(np.int64) * len(i_uni) + i_codes
    key = gid * n_p + p_rank
    # keep the last of duplicate keys (the file's value over the stored one), sorted by key
    order = np.argsort(key, kind="stable")
    ks = key[order]
    last = np.r_[ks[1:] != ks[:-1], True]
    sel, ks = order[last], ks[last]
    e_gid, e_rank = gid[sel], p_rank[sel]
    e_val = both.value.to_numpy(dtype=float)[sel]
    e_log = np.log1p(np.clip(e_val, 0, None))
    new = np.r_[True, e_gid[1:] != e_gid[:-1]]
    idx = np.arange(len(sel))
    pos = idx - np.maximum.accumulate(np.where(new, idx, 0))
    gnum = np.cumsum(new) - 1
    prev = np.r_[np.nan, e_val[:-1]]
    prev[new] = np.nan
    prev_rank = np.r_[-1, e_rank[:-1]]
    prev_rank[new] = -1
    # Rolling windows over each group's previous values, computed in one pass over a padded
    # array: every group gets its own block followed by NaN, so no window crosses groups.
    width = int(pos.max()) + 1 + HISTORY_QUARTERS
    slot = gnum * width + pos + 1  # +1: the value sits one after its predecessor's slot
    at = slot - 1  # windows ending at the previous value
    stats = {}
    for name, arr in (("log", e_log), ("value", e_val)):
        padded = np.full(int(gnum[-1] + 1) * width + 1, np.nan)
        padded[slot] = arr
        roll = pd.Series(padded).rolling(HISTORY_QUARTERS, min_periods=MIN_HISTORY)
        stats[f"{name}_med"] = roll.median().to_numpy()[at]
        if name == "log":
            q75 = roll.quantile(0.75).to_numpy()[at]
            q25 = roll.quantile(0.25).to_numpy()[at]
            stats["scale"] = np.maximum((q75 - q25) / 1.349, MAD_FLOOR)
            stats["n"] = roll.count().to_numpy()[at]
    # back to the file's rows (first of duplicates, as reported once)
    n_hist = len(history)
    row_key = key[n_hist:]
    first = ~pd.Series(row_key).duplicated().to_numpy()
    at_row = np.searchsorted(ks, row_key)
    value = rows.value.to_numpy(dtype=float)
    kind_of = {i.code: i.kind for i in indicators.INDICATORS}
    kinds = np.array([kind_of.get(c) for c in i_uni], dtype=object)[i_codes[n_hist:]]
    r_prev, r_prev_rank = prev[at_row], prev_rank[at_row]
    r_rank = p_rank[n_hist:]
    out = []
    # stocks: compare with the previous quarter only
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / r_prev
        s = first & (kinds == "stock") & (r_prev_rank == prev_rank_of_rank[r_rank]) & (r_prev > 0)
        s &= r_prev_rank >= 0
        slip = s & ((ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP)))
        jump = s & ~slip & (np.abs(ratio - 1) > STOCK_JUMP)
        for k in np.flatnonzero(slip):
            out.append(_warn(rows.iloc[k], "unit_slip", typical=f"{r_prev[k]:,.0f}"))
        for k in np.flatnonzero(jump):
            pct = f"{100 * (ratio[k] - 1):+.1f}"
            out.append(_warn(rows.iloc[k], "stock_jump", prev=f"{r_prev[k]:,.0f}", pct=pct))
        # flows: need a history with a level (a median of 0 says nothing, e.g. the first
        # quarter a county issues residence permits)
        med = stats["value_med"][at_row]
        lmed, scale, cnt = stats["log_med"][at_row], stats["scale"][at_row], stats["n"][at_row]
        f = first & (kinds == "flow") & (cnt >= MIN_HISTORY) & (med > 0)
        ratio = value / med
        slip = f & ((ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP)))
        z = np.abs(np.log1p(np.clip(value, 0, None)) - lmed) / scale
        for k in np.flatnonzero(slip):
            out.append(_warn(rows.iloc[k], "unit_slip", typical=f"{med[k]:,.0f}"))
        for k in np.flatnonzero(f & ~slip & (z > OUTLIER_Z)):
            out.append(
                _warn(
                    rows.iloc[k], "outlier", median=f"{med[k]:,.0f}", n=int(cnt[k]), z=f"{z[k]:.1f}"
                )
            )
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
