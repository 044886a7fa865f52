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

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import conformal
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
    factor: float = 1.0  # the stretch of the intervals (``widened``); 1: the model's own
    # the backtest over the complete quarters its calibration comes from (``backtest``)
    scores: pd.DataFrame | None = None

    @property
    def province(self) -> pd.Series:
        return self.units.set_index("code").loc[PROVINCE_CODE]

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "indicator": INDICATOR,
            "interval_factor": self.factor,
            "units": self.units.to_dict(orient="records"),
            "counties": self.counties.to_dict(orient="records"),
        }


def county_flows(obs: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """The quarterly settlement flow of every county.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations (``data.store.observations.read_observations``).
    registry : pandas.DataFrame
        The region registry (``geo.regions.load_registry``).

    Returns
    -------
    pandas.DataFrame
        Quarters x counties of ``settled_total`` (NaN where a county has not reported).
    """
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
    """Reported + estimated totals of a quarter, with 95% intervals (the model's own).

    Parameters
    ----------
    flows : pandas.DataFrame
        Quarters x counties (``county_flows``); quarters after ``period`` are ignored.
    period : str
        The quarter, "YYYYQn".
    unit_of : pandas.Series
        Each county's reporting unit (``geo.regions.reporting_unit``).
    reported : set of str or None
        Which counties count as reported (the backtest hides some); None: those with a value at
        ``period``.
    years : int
        Years of the same season the share's median looks back over.
    draws : int
        Simulated quarters behind each interval.
    seed : int
        The simulations' seed.

    Returns
    -------
    Nowcast
        Its units (cities, 杨凌示范区 and the province) and missing counties.
    """
    units, counties = _estimate(flows, period, unit_of, reported, years, draws, seed)
    return Nowcast(period, enough_reported(pd.DataFrame(units)), counties)


def min_share() -> float:
    """The share that must have reported before a total is estimated.

    Returns
    -------
    float
        The setting ``URBDASH_NOWCAST_MIN_SHARE``: of counties, and for the province of cities.
    """
    return float(settings.get("nowcast_min_share"))


def enough_reported(units: pd.DataFrame, share: float | None = None) -> pd.DataFrame:
    """Whether enough has come in for each unit's total to be shown.

    A city's total is estimated only when at least ``share`` of its counties have reported;
    the province's only when that share of its counties have and that share of the cities (and
    杨凌示范区) have any return in. The figures stay (the backtest scores the method on them);
    what is shown to a person follows ``enough``.

    Parameters
    ----------
    units : pandas.DataFrame
        The units' rows, with counties_reported and counties_expected.
    share : float or None
        The share; None: ``min_share``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``units`` with the column ``enough``.
    """
    share = min_share() if share is None else share
    out = units.copy()
    out["enough"] = out.counties_reported >= share * out.counties_expected
    cities = out[out.code != PROVINCE_CODE]
    cities_in = float((cities.counties_reported > 0).mean()) if len(cities) else 0.0
    out.loc[out.code == PROVINCE_CODE, "enough"] &= cities_in >= share
    return out


def latest_reporting(obs: pd.DataFrame, registry: pd.DataFrame) -> str | None:
    """The quarter a nowcast is for: the newest with any settlement return.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    str or None
        The quarter; None without settlement returns.
    """
    flows = county_flows(obs, registry)
    held = flows.index[flows.notna().any(axis=1)]
    return str(held[-1]) if len(held) else None


def usual_late(registry: pd.DataFrame) -> list[str]:
    """The backtest's "usual late ones".

    Every county of 安康市 and 商洛市, two whole cities missing at once (the case where a
    county's own city gives no peers). A stand-in until submission dates name the offices that
    really report last.

    Parameters
    ----------
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    list of str
        The counties' codes, sorted.
    """
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
    until: str | None = None,
) -> pd.DataFrame:
    """The nowcast judged on complete quarters, beside the naive answers.

    For every complete quarter from ``start`` to ``until`` hide counties that did report,
    nowcast the province from what remains, and score it against the actual total beside the
    naive answers. Scenarios: "random", ``patterns`` different random sets of ``hide_share`` of
    the counties (each pattern hidden in every quarter), and "late", the ``late`` counties. The
    interval is calibrated out of sample by the rule the product applies (``live_factor``): a
    quarter's nowcast is stretched by the largest of the scenarios' conformal factors
    (``analytics.conformal``) over the nowcasts of earlier quarters only (a quarter's actual is
    known once the next quarter has begun). Computed once per history and settings in a process.

    Parameters
    ----------
    flows : pandas.DataFrame
        Quarters x counties (``county_flows``).
    unit_of : pandas.Series
        Each county's reporting unit (``geo.regions.reporting_unit``).
    late : list of str
        The counties of the "late" scenario (``usual_late``).
    start : str or None
        The first quarter judged; None: three years after the first complete one.
    hide_share : float
        The share of counties each random pattern hides.
    patterns : int
        Random patterns of hidden counties.
    seed : int
        The seed of the patterns and the simulations.
    draws : int
        The simulated totals per nowcast (an interval's edges need a few hundred).
    until : str or None
        The last quarter judged; None: the last complete one.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and method (nowcast, arrived, last_quarter): cases, patterns,
        mean absolute % error; for the nowcast the share of cases its calibrated 95% interval
        held out of sample (``coverage``: the mean over the patterns, with ``coverage_min`` and
        ``coverage_max``), the same before calibration (``coverage_raw``) and ``factor``, the
        scenario's stretch from every case (``live_factor`` takes the largest). Empty when no
        quarter is complete.
    """
    complete = [q for q in flows.index if flows.loc[q].notna().all()]
    until = max((q for q in complete if until is None or q <= until), default=None)
    key = (_frame_key(flows), tuple(unit_of.items()), tuple(late), start, hide_share,
           patterns, seed, draws, until)  # fmt: skip
    return _backtest(key).copy()


def _frame_key(flows: pd.DataFrame) -> tuple:
    return (tuple(flows.index), tuple(flows.columns), flows.to_numpy(dtype=float).tobytes())


@functools.lru_cache(maxsize=4)
def _backtest(key: tuple) -> pd.DataFrame:
    """``backtest`` once per history and settings in a process (the worker's nowcast and its
    backtest table share it)."""
    (index, columns, values), units, late, start, hide_share, patterns, seed, draws, until = key
    flows = pd.DataFrame(
        np.frombuffer(values).reshape(len(index), len(columns)), index=list(index),
        columns=list(columns),
    )  # fmt: skip
    unit_of = pd.Series(dict(units), dtype=object)
    frame = _cases(flows, unit_of, list(late), start, hide_share, patterns, seed, draws, until)
    if frame.empty:
        return pd.DataFrame()
    frame["need"] = conformal.stretch(frame.actual, frame.nowcast, frame.lower, frame.upper)
    frame["held"] = frame.need <= _factors_then(frame).reindex(frame.period).to_numpy()
    rows = []
    for scenario, part in frame.groupby("scenario", sort=False):
        by_pattern = part.groupby("pattern")
        calibrated, raw = 100 * by_pattern.held.mean(), 100 * by_pattern.covered.mean()
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
                    "coverage": float(calibrated.mean()) if ours else None,
                    "coverage_min": float(calibrated.min()) if ours else None,
                    "coverage_max": float(calibrated.max()) if ours else None,
                    "coverage_raw": float(raw.mean()) if ours else None,
                    "factor": conformal.conformal_factor(part.need.to_numpy()) if ours else None,
                }
            )
    return pd.DataFrame(rows)


def _factors_then(frame: pd.DataFrame) -> pd.Series:
    """Per quarter nowcast, the stretch the product would have applied then: ``live_factor``
    over each scenario's scores of the quarters whose actual was known by then (earlier ones)."""
    out = {}
    for q in sorted(frame.period.unique()):
        known = frame[frame.known <= q]
        out[q] = max(
            [1.0]
            + [conformal.conformal_factor(p.need.to_numpy()) for _, p in known.groupby("scenario")]
        )
    return pd.Series(out, dtype=float)


def _cases(flows, unit_of, late, start, hide_share, patterns, seed, draws, until) -> pd.DataFrame:
    """The backtest's nowcasts, one row per scenario, pattern and quarter: the actual total,
    the nowcast with its raw interval, the naive answers, and when the actual became known."""
    complete = [q for q in flows.index if flows.loc[q].notna().all()]
    if until is not None:
        complete = [q for q in complete if q <= until]
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
            cases.append(
                {
                    "scenario": scenario,
                    "pattern": pattern,
                    "period": q,
                    "known": periods.shift(q, 1),
                    "actual": actual,
                    "nowcast": now["total"],
                    "lower": now["lower"],
                    "upper": now["upper"],
                    "covered": now["lower"] <= actual <= now["upper"],
                    "arrived": float(flows.loc[q, sorted(reported)].sum()),
                    "last_quarter": last,
                }
            )
    return pd.DataFrame(cases)


def live_factor(scores: pd.DataFrame | None) -> float:
    """The stretch of a nowcast made now.

    Parameters
    ----------
    scores : pandas.DataFrame or None
        The backtest (``backtest``) over the quarters complete before it.

    Returns
    -------
    float
        The larger of the scenarios' factors (the counties missing now may be scattered or
        whole cities); 1 without a backtest.
    """
    if scores is None or not len(scores) or "factor" not in scores:
        return 1.0
    return float(max(1.0, scores.factor.dropna().max()))


def widened(now: Nowcast, factor: float) -> Nowcast:
    """A nowcast with every interval stretched.

    Parameters
    ----------
    now : Nowcast
        The nowcast.
    factor : float
        The stretch, about each unit's total and each county's estimate.

    Returns
    -------
    Nowcast
        A new nowcast carrying ``factor``: a unit's lower edge never below what it has
        reported, a county's never below 0.
    """
    units = now.units.copy()
    units["lower"] = np.maximum(units.total - factor * (units.total - units.lower), units.reported)
    units["upper"] = units.total + factor * (units.upper - units.total)
    counties = now.counties.copy()
    counties["lower"] = np.clip(
        counties.estimate - factor * (counties.estimate - counties.lower), 0, None
    )
    counties["upper"] = counties.estimate + factor * (counties.upper - counties.estimate)
    return Nowcast(now.period, units, counties, factor, now.scores)


def calibrated_nowcast(
    flows: pd.DataFrame, period: str, unit_of: pd.Series, late: list[str]
) -> Nowcast:
    """The nowcast the product shows: its intervals calibrated on the quarters before it.

    One backtest over the complete quarters serves both: its table (``Nowcast.scores``) and,
    while counties are missing, the stretch (``live_factor``). Complete quarters before a
    quarter still coming in are all the complete ones, so only figures known when the nowcast
    is made are used.

    Parameters
    ----------
    flows : pandas.DataFrame
        Quarters x counties (``county_flows``).
    period : str
        The quarter.
    unit_of : pandas.Series
        Each county's reporting unit.
    late : list of str
        The backtest's "late" counties (``usual_late``).

    Returns
    -------
    Nowcast
        ``nowcast`` with ``scores`` and, when counties are missing, its intervals stretched
        by ``live_factor`` of the backtest over the quarters complete before ``period``.
    """
    now = nowcast(flows, period, unit_of)
    before = [q for q in flows.index if q < period]
    if not len(now.counties):  # every county in: nothing estimated, nothing stretched
        scores = backtest(flows, unit_of, late)
        return Nowcast(now.period, now.units, now.counties, 1.0, scores)
    scores = backtest(flows, unit_of, late, until=before[-1]) if before else pd.DataFrame()
    return widened(Nowcast(now.period, now.units, now.counties, 1.0, scores), live_factor(scores))


# warnings that question a reported value itself (confirmed by the office at upload)
UNUSUAL_RULES = ("outlier", "flow_slip")


def confirmed_unusual(flags: pd.DataFrame, period: str) -> list[str]:
    """The counties whose return for a quarter carries a confirmed outlier or unit-slip warning.

    Their value is in the reported total as sent, and a total estimated from few returns leans
    on it.

    Parameters
    ----------
    flags : pandas.DataFrame
        Confirmed warnings (``data.store.audit.confirmed_flags``).
    period : str
        The quarter.

    Returns
    -------
    list of str
        The counties' codes, sorted.
    """
    if flags is None or not len(flags):
        return []
    hit = flags[(flags.period == period) & flags.rule.isin(UNUSUAL_RULES)]
    return sorted(set(hit.region_code))
