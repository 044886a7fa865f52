"""Nowcast: the province's and each city's settlement total for a quarter while counties are
still missing, as "reported + estimated" with a 95% interval, and an honest backtest of it.

Model (one rule, for the quarterly settlement flow ``settled_total`` of each county):

- A missing county's **share** of its peers is estimated from its own history: its flow divided
  by the flow of its *peers* (the counties of its city that have reported this quarter; the
  counties reported anywhere in the province when none of its city has), in the same quarter
  of the previous ``LOOKBACK_YEARS`` years, taking the median (seasonal, robust to one odd year).
- The **estimate** is that share times what the peers reported this quarter.
- The **interval** comes from the same estimator's own errors: applied to every earlier quarter
  of the county's history (with the same peers), the difference between its actual share and
  the estimated one. Each of ``DRAWS`` simulated quarters picks one past quarter and adds every
  missing county's error of that quarter (errors that moved together, widen the total together;
  shares kept at zero or above); the 2.5th and 97.5th percentiles of the simulated totals are
  the 95% interval. Reported values are taken as they stand.

The backtest hides counties that did report (at random, and "the usual late ones") in quarters
already complete, nowcasts them from the data of that time only, and compares the province total
with the two naive answers: the sum of what has arrived, and last quarter's total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.aggregate import aggregate
from data import settings
from data.reference import periods
from geo.regions import PROVINCE_CODE, code_named, reporting_unit

LOOKBACK_YEARS = 3
DRAWS = 4000
SEED = 2015
INDICATOR = "settled_total"


@dataclass(frozen=True)
class Nowcast:
    """Totals of one quarter: ``units`` (one row per city and 杨凌示范区, then the province:
    code, reported, estimated, total, lower, upper, counties_reported, counties_expected, and
    ``enough``: whether enough has come in for its total to be shown, ``enough_reported``) and
    ``counties`` (one row per missing county: code, estimate, lower, upper, peers: "city" or
    "province")."""

    period: str
    units: pd.DataFrame
    counties: pd.DataFrame

    @property
    def province(self) -> pd.Series:
        return self.units.set_index("code").loc[PROVINCE_CODE]

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "indicator": INDICATOR,
            "units": self.units.to_dict(orient="records"),
            "counties": self.counties.to_dict(orient="records"),
        }


def county_flows(obs: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Quarters x counties of ``settled_total`` (NaN where a county has not reported)."""
    counties = registry.loc[registry.level == "county", "code"]
    wide = aggregate(obs, registry, "county") if len(obs) else pd.DataFrame()
    if INDICATOR not in wide:  # no settlement returns yet
        return pd.DataFrame(columns=sorted(counties), dtype=float)
    table = wide.pivot(index="period", columns="region_code", values=INDICATOR)
    return table.reindex(columns=sorted(counties)).sort_index()


def _season_median(ratios: np.ndarray, years: int) -> np.ndarray:
    """For every quarter i (the rows of ``ratios``; one column per county, or a single
    series), the median of ``ratios`` at i-4, i-8, ... (up to ``years`` years back, NaN
    skipped); NaN where none is known."""
    r = np.asarray(ratios, dtype=float)
    flat = r.ndim == 1
    r = r.reshape(len(r), -1)
    lags = np.full((years, *r.shape), np.nan)
    for j in range(1, years + 1):
        lags[j - 1, 4 * j :] = r[: len(r) - 4 * j]
    known = (~np.isnan(lags)).sum(axis=0)
    ordered = np.sort(lags, axis=0)  # the known values first, NaN last
    lo = np.take_along_axis(ordered, np.maximum(known - 1, 0)[None] // 2, axis=0)[0]
    hi = np.take_along_axis(ordered, (known // 2)[None], axis=0)[0]
    out = np.where(known > 0, (lo + hi) / 2, np.nan)
    return out[:, 0] if flat else out


def _estimate(flows, period, unit_of, reported, years, draws, seed):
    """The nowcast's figures: the units' rows (dicts, the province last) and the missing
    counties' frame."""
    history = flows.loc[flows.index <= period]
    if period not in history.index:
        raise ValueError(f"no return for {period} yet: nothing to nowcast from")
    now = history.loc[period]
    if reported is None:
        reported = set(now.dropna().index)
    codes = list(history.columns)
    missing = [c for c in codes if c not in reported]
    if not reported:
        raise ValueError(f"no county has reported for {period}: nothing to nowcast from")
    past = history.iloc[:-1].to_numpy(dtype=float)  # quarters before ``period``
    current = now.to_numpy(dtype=float)
    col = {c: i for i, c in enumerate(codes)}
    unit = unit_of.reindex(codes).to_dict()
    scopes, peer_past, peer_now = _peers(past, current, missing, reported, unit, col)
    own = past[:, [col[c] for c in missing]]
    with np.errstate(all="ignore"):
        ratio = own / np.where(peer_past > 0, peer_past, np.nan)
    # the share at ``period``: same quarter of the previous years; too little history in
    # that season: the county's mean share
    series = np.vstack([ratio, np.full((1, len(missing)), np.nan)])
    share_hist = _season_median(series, years)
    shares = share_hist[-1].copy()
    with np.errstate(all="ignore"):
        means = np.where(np.isfinite(ratio).any(axis=0), np.nanmean(ratio, axis=0), 0.0)
    shares = np.where(np.isnan(shares), means, shares)
    # the estimator's errors, county by county, aligned on the past quarters (NaN: unknown)
    errors = (series - share_hist)[:-1].T
    sims = _simulated(errors, shares, peer_now, draws, np.random.default_rng(seed))
    estimates = shares * peer_now
    # every missing county's 95% interval at once
    edges = np.percentile(sims, [2.5, 97.5], axis=0) if missing else np.zeros((2, 0))
    counties = pd.DataFrame(
        {
            "code": missing,
            "estimate": estimates,
            "lower": edges[0],
            "upper": edges[1],
            "peers": scopes,
        },
        columns=["code", "estimate", "lower", "upper", "peers"],
    )
    groups: dict[str, list[str]] = {}
    for c in codes:
        groups.setdefault(unit[c], []).append(c)
    groups = {u: groups[u] for u in sorted(groups)}
    groups[PROVINCE_CODE] = codes
    position = {c: i for i, c in enumerate(missing)}
    units = [
        _unit_row(u, members, reported, col, position, current, estimates, sims, draws)
        for u, members in groups.items()
    ]
    return units, counties


def _peers(past, current, missing, reported, unit, col):
    """The peers of each missing county: the reported counties of its city (of the province
    when none of its city has reported); one set, and one peer total, per city. Gives each
    county's scope (city / province), its peers' past totals (NaN in a quarter where one
    peer lacks a value) and their total now."""
    by_unit: dict[str, list[int]] = {}
    for r in sorted(reported):
        by_unit.setdefault(unit[r], []).append(col[r])
    everyone = sorted(col[r] for r in reported)
    scopes = ["city" if unit[c] in by_unit else "province" for c in missing]
    peer_past = np.empty((len(past), len(missing)))
    peer_now = np.empty(len(missing))
    for m, c in enumerate(missing):
        peers = by_unit.get(unit[c], everyone)
        block = past[:, peers]
        peer_past[:, m] = np.where(np.isnan(block).any(axis=1), np.nan, block.sum(axis=1))
        peer_now[m] = float(current[peers].sum())
    return scopes, peer_past, peer_now


def _simulated(errors, shares, peer_now, draws: int, rng) -> np.ndarray:
    """Joint draws of the missing counties' figures: each simulated quarter takes every
    missing county's error of one past quarter, so errors that move together (a season, a
    policy) widen the total as they did; a county without an error that quarter draws one of
    its own."""
    missing = len(shares)
    usable = np.flatnonzero(np.isfinite(errors).any(axis=0))
    picks = rng.choice(usable, size=draws) if len(usable) else np.zeros(draws, dtype=int)
    sims = np.zeros((draws, missing))
    for m in range(missing):
        e = errors[m, picks] if len(usable) else np.zeros(draws)
        known = errors[m][np.isfinite(errors[m])]
        gaps = ~np.isfinite(e)
        if gaps.any():
            e[gaps] = rng.choice(known, size=int(gaps.sum())) if len(known) else 0.0
        sims[:, m] = np.clip(shares[m] + e, 0, None) * peer_now[m]
    return sims


def _unit_row(u, members, reported, col, position, current, estimates, sims, draws) -> dict:
    """A city's (or the province's) row: reported, estimated, total and its 95% interval."""
    got = [col[c] for c in members if c in reported]
    idx = [position[c] for c in members if c not in reported]
    total_draws = sims[:, idx].sum(axis=1) if idx else np.zeros(draws)
    est = float(np.nansum(estimates[idx])) if idx else 0.0
    rep = float(np.nansum(current[got])) if got else 0.0
    low, high = np.percentile(total_draws, [2.5, 97.5])
    return {
        "code": u,
        "reported": rep,
        "estimated": est,
        "total": rep + est,
        "lower": rep + float(low),
        "upper": rep + float(high),
        "counties_reported": len(got),
        "counties_expected": len(members),
    }


def nowcast(
    flows: pd.DataFrame,
    period: str,
    unit_of: pd.Series,
    reported: set[str] | None = None,
    years: int = LOOKBACK_YEARS,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Nowcast:
    """Reported + estimated totals of ``period`` from ``flows`` (``county_flows``; quarters
    after ``period`` are ignored). ``reported`` overrides which counties count as reported (the
    backtest hides some); by default those with a value at ``period``."""
    units, counties = _estimate(flows, period, unit_of, reported, years, draws, seed)
    return Nowcast(period, enough_reported(pd.DataFrame(units)), counties)


def min_share() -> float:
    """The share of counties (and, for the province, of cities) that must have reported before
    a total is estimated (the setting ``URBDASH_NOWCAST_MIN_SHARE``, with its reason)."""
    return float(settings.get("nowcast_min_share"))


def enough_reported(units: pd.DataFrame, share: float | None = None) -> pd.DataFrame:
    """``units`` with ``enough``: a city's total is estimated only when at least ``share`` of
    its counties have reported; the province's only when that share of its counties have and
    that share of the cities (and 杨凌示范区) have any return in. The figures stay (the backtest
    scores the method on them); what is shown to a person follows ``enough``."""
    share = min_share() if share is None else share
    out = units.copy()
    out["enough"] = out.counties_reported >= share * out.counties_expected
    cities = out[out.code != PROVINCE_CODE]
    cities_in = float((cities.counties_reported > 0).mean()) if len(cities) else 0.0
    out.loc[out.code == PROVINCE_CODE, "enough"] &= cities_in >= share
    return out


def latest_reporting(obs: pd.DataFrame, registry: pd.DataFrame) -> str | None:
    """The quarter a nowcast is for: the newest with any settlement return."""
    flows = county_flows(obs, registry)
    held = flows.index[flows.notna().any(axis=1)]
    return str(held[-1]) if len(held) else None


def usual_late(registry: pd.DataFrame) -> list[str]:
    """The backtest's "usual late ones": every county of 安康市 and 商洛市, two whole cities
    missing at once (the case where a county's own city gives no peers). A stand-in until
    submission dates name the offices that really report last."""
    unit = reporting_unit(registry)
    cities = [code_named(n, registry) for n in ("安康市", "商洛市")]
    return sorted(unit[unit.isin(cities)].index)


def backtest(
    flows: pd.DataFrame,
    unit_of: pd.Series,
    late: list[str],
    start: str | None = None,
    hide_share: float = 0.25,
    patterns: int = 20,
    seed: int = SEED,
    draws: int = 400,
) -> pd.DataFrame:
    """For every complete quarter from ``start`` (default: three years after the first) hide
    counties that did report, nowcast the province from what remains, and score it against the
    actual total beside the naive answers. Scenarios: "random", ``patterns`` different random
    sets of ``hide_share`` of the counties (each pattern hidden in every quarter), and "late",
    the ``late`` counties. One row per scenario and method (nowcast, arrived, last_quarter):
    cases, mean absolute % error, and for the nowcast the share of cases its 95% interval held
    the actual total: the mean over the patterns with its range (min, max), so no single lucky
    draw stands for the method. ``draws``: the simulated totals per nowcast (an interval's
    edges need a few hundred, not thousands)."""
    complete = [q for q in flows.index if flows.loc[q].notna().all()]
    if not complete:
        return pd.DataFrame()
    start = start or periods.shift(complete[0], 4 * LOOKBACK_YEARS)
    rng = np.random.default_rng(seed)
    codes = list(flows.columns)
    size = round(hide_share * len(codes))
    hidden_sets = [
        ("random", i, set(rng.choice(codes, size=size, replace=False))) for i in range(patterns)
    ] + [("late", 0, set(late))]
    cases = []
    for q in [q for q in complete if q >= start]:
        actual = float(flows.loc[q].sum())
        before = flows.index[flows.index < q]
        last = float(flows.loc[before[-1]].sum()) if len(before) else np.nan
        for scenario, pattern, hidden in hidden_sets:
            reported = set(codes) - hidden
            units, _ = _estimate(flows, q, unit_of, reported, LOOKBACK_YEARS, draws, seed)
            now = units[-1]  # the province
            arrived = float(flows.loc[q, sorted(reported)].sum())
            cases.append(
                {
                    "scenario": scenario,
                    "pattern": pattern,
                    "period": q,
                    "actual": actual,
                    "nowcast": now["total"],
                    "covered": now["lower"] <= actual <= now["upper"],
                    "arrived": arrived,
                    "last_quarter": last,
                }
            )
    frame = pd.DataFrame(cases)
    rows = []
    for scenario, part in frame.groupby("scenario", sort=False):
        held = 100 * part.groupby("pattern").covered.mean()
        for method in ("nowcast", "arrived", "last_quarter"):
            err = (part[method] - part.actual).abs() / part.actual
            ours = method == "nowcast"
            rows.append(
                {
                    "scenario": scenario,
                    "method": method,
                    "cases": len(part),
                    "patterns": int(part.pattern.nunique()),
                    "mape": float(100 * err.mean()),
                    "coverage": float(held.mean()) if ours else None,
                    "coverage_min": float(held.min()) if ours else None,
                    "coverage_max": float(held.max()) if ours else None,
                }
            )
    return pd.DataFrame(rows)


# warnings that question a reported value itself (confirmed by the office at upload)
UNUSUAL_RULES = ("outlier", "flow_slip")


def confirmed_unusual(flags: pd.DataFrame, period: str) -> list[str]:
    """The counties whose return for ``period`` carries a confirmed outlier or unit-slip
    warning (``data.store.audit.confirmed_flags``): their value is in the reported total as
    sent, and a total estimated from few returns leans on it."""
    if flags is None or not len(flags):
        return []
    hit = flags[(flags.period == period) & flags.rule.isin(UNUSUAL_RULES)]
    return sorted(set(hit.region_code))
