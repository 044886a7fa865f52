"""The calibration that makes the settlement forecast's 95% mean 95%, and the rule that picks
the method for a target.

Split-conformal widening per horizon, out of sample by construction (``analytics.conformal``):
at each origin and horizon of the rolling-origin backtest (``analytics.skill.forecasts``), the
factor by which the 95% band of the cumulative settlements ahead would have to be stretched
about its median to hold the outcome (its *score*). The factor of a forecast made at an origin
uses only the scores whose outcomes were known at that origin: the finite-sample
split-conformal quantile, the ceil((n+1)·0.95)-th smallest of the n scores; while n is below 19
(too few for that rank), the largest score, so the band is widened to hold every outcome seen;
never below 1. The coverage the product reports is the out-of-sample one: each backtest
forecast stretched by the factor known at its own origin (``out_of_sample``); the in-sample
figure (the final factor scored on the cases it was made from) is shown only labelled as such.
A horizon needs ``MIN_CASES`` origins before a factor is applied to a target's forecast; beyond
the longest one judged, the factor is extrapolated by a power law in the horizon fitted to the
judged ones, never below the last judged one (``Calibration.factor``).

The rule that picks the method for a target (``choose``), on past outcomes only: among the
methods whose calibrated band held at least 90% out of sample, the lowest mean out-of-sample 95%
interval score of the cumulative band over the horizons judged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import conformal
from analytics.conformal import CALIBRATION_LEVEL, conformal_factor
from analytics.forecast_methods import METHODS, simulate
from analytics.metrics import coverage, interval_score
from analytics.settlement_forecast import SIMULATION_SEED, SettlementForecast, forecast_settlements
from analytics.skill import BACKTEST_PATHS, MIN_CASES, forecasts, scores

# the out-of-sample 95% coverage the product aims at; below it the pages say so in words
COVERAGE_GOAL = 0.90


def stretch_needed(part: pd.DataFrame) -> np.ndarray:
    """Each forecast's conformal score (``conformal.stretch``).

    Parameters
    ----------
    part : pandas.DataFrame
        Forecasts with actual, point, lower95 and upper95.

    Returns
    -------
    numpy.ndarray
        The factor by which each 95% band must be stretched about its point to hold the outcome.
    """
    return conformal.stretch(part.actual, part.point, part.lower95, part.upper95)


def widen(part: pd.DataFrame, factor) -> pd.DataFrame:
    """The 95% bands stretched about their points.

    Parameters
    ----------
    part : pandas.DataFrame
        Forecasts with point, lower95 and upper95.
    factor : float or array-like of float
        The stretch, one for all or one per row.

    Returns
    -------
    pandas.DataFrame
        ``part`` with lower95 (never below 0) and upper95 replaced.
    """
    f = np.asarray(factor, dtype=float)
    return part.assign(
        lower95=np.clip(part.point - f * (part.point - part.lower95), 0, None),
        upper95=part.point + f * (part.upper95 - part.point),
    )


def out_of_sample(part: pd.DataFrame, need: np.ndarray, level: float = CALIBRATION_LEVEL):
    """Each forecast's factor as known at its origin, and whether it held.

    Parameters
    ----------
    part : pandas.DataFrame
        One method's forecasts at one horizon, with origin and period.
    need : numpy.ndarray
        Their scores (``stretch_needed``).
    level : float
        The band's nominal coverage.

    Returns
    -------
    factors : numpy.ndarray
        ``conformal.conformal_factor`` over the scores whose outcome quarter is not after the
        forecast's origin.
    held : numpy.ndarray of bool
        Whether the band so stretched held the outcome.
    """
    return conformal.factors_known_then(part.origin, part.period, need, level)


def calibration_table(frame: pd.DataFrame, level: float = CALIBRATION_LEVEL) -> pd.DataFrame:
    """The calibration of the cumulative settlements ahead, per method and horizon.

    Parameters
    ----------
    frame : pandas.DataFrame
        The forecasts (``forecasts``).
    level : float
        The band's nominal coverage.

    Returns
    -------
    pandas.DataFrame
        method, h, cases, ``factor`` (for a forecast made now: ``conformal_factor`` over every
        outcome known; NaN when fewer than ``MIN_CASES``), ``coverage95`` before calibration,
        ``calibrated95`` in sample (the factor scored on the cases it was made from: optimistic
        by construction, shown labelled), ``coverage95_out_of_sample`` (each forecast stretched
        by the factor known at its origin, ``out_of_sample``) and the calibrated band's
        ``interval_score95``.
    """
    rows = []
    cum = frame[frame.quantity == "cumulative"] if len(frame) else frame
    for (method, h), part in cum.groupby(["method", "h"], sort=True) if len(cum) else []:
        part = part.sort_values("origin")
        need = stretch_needed(part)
        n = len(need)
        judged = n >= MIN_CASES
        factor = conformal_factor(need, level) if judged else np.nan
        known_then, held = out_of_sample(part, need, level)
        wide = widen(part, known_then)  # scored as it would have been drawn at each origin
        rows.append(
            {
                "method": method,
                "h": int(h),
                "cases": n,
                "factor": factor,
                "coverage95": coverage(part.actual, part.lower95, part.upper95),
                "calibrated95": float(np.mean(need <= factor)) if judged else np.nan,
                "coverage95_out_of_sample": float(np.mean(held)) if n else np.nan,
                "interval_score95": interval_score(
                    wide.actual / wide.scale,
                    wide.lower95 / wide.scale,
                    wide.upper95 / wide.scale,
                    0.05,
                )
                if judged
                else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["method", "h", "cases", "factor", "coverage95", "calibrated95",
                 "coverage95_out_of_sample", "interval_score95"],
    )  # fmt: skip


def out_of_sample_coverage(table: pd.DataFrame, method: str) -> dict:
    """One method's out-of-sample 95% coverage over every horizon: the figure the product reports.

    Parameters
    ----------
    table : pandas.DataFrame
        The calibration table (``calibration_table``).
    method : str
        The method's key.

    Returns
    -------
    dict
        ``coverage95_out_of_sample`` (cases-weighted over the horizons; None without cases) and
        ``cases``.
    """
    mine = table[(table.method == method) & table.coverage95_out_of_sample.notna()]
    cases = int(mine.cases.sum())
    held = float((mine.coverage95_out_of_sample * mine.cases).sum() / cases) if cases else None
    return {"coverage95_out_of_sample": held, "cases": cases}


def choose(table: pd.DataFrame) -> str | None:
    """The rule that picks the method for a target, on past outcomes only.

    Among the methods whose calibrated band held at least ``COVERAGE_GOAL`` of the outcomes
    out of sample (each origin's factor from what was known then), the lowest mean
    out-of-sample 95% interval score over the horizons judged for every method; when none holds
    that much, the lowest score of all (the pages then say the band falls short).

    Parameters
    ----------
    table : pandas.DataFrame
        The calibration table (``calibration_table``).

    Returns
    -------
    str or None
        The method's key; None when no horizon could be judged.
    """
    judged = table.dropna(subset=["factor"])
    common = judged.groupby("h").method.nunique()
    horizons = common[common == table.method.nunique()].index
    judged = judged[judged.h.isin(horizons)]
    if judged.empty:
        return None
    held = {m: out_of_sample_coverage(table, m)["coverage95_out_of_sample"] for m in judged.method}
    good = [m for m, v in held.items() if v is not None and v >= COVERAGE_GOAL]
    pool = judged[judged.method.isin(good)] if good else judged
    return str(pool.groupby("method").interval_score95.mean().idxmin())


@dataclass(frozen=True)
class Calibration:
    """What the backtest of one flow series says: the picked method and its factor per
    horizon (empty when the history is too short to judge any)."""

    method: str
    factors: dict[int, float] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    flow_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    origins: int = 0
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)  # every forecast (``forecasts``)

    @property
    def judged(self) -> bool:
        return bool(self.factors)

    def factor(self, h: int) -> float:
        """The factor for ``h`` quarters ahead. Beyond the longest horizon judged it is
        extrapolated by a power law in the horizon fitted to the judged factors (never below
        the last judged one), since errors grow with the horizon."""
        if not self.factors:
            return 1.0
        if h in self.factors:
            return self.factors[h]
        last = max(self.factors)
        if h < min(self.factors):
            return self.factors[min(self.factors)]
        return self.factors[last] * (h / last) ** self.growth

    @property
    def growth(self) -> float:
        """The exponent b of factor ~ h^b over the judged horizons, between 0 and 1."""
        if len(self.factors) < 2:
            return 0.5  # one horizon: the square root, as errors of a random walk grow
        hs = np.array(sorted(self.factors), dtype=float)
        ks = np.array([self.factors[int(h)] for h in hs])
        return float(np.clip(np.polyfit(np.log(hs), np.log(np.maximum(ks, 1e-9)), 1)[0], 0, 1))

    def chosen(self) -> pd.DataFrame:
        return self.table[self.table.method == self.method]

    @property
    def out_of_sample(self) -> dict:
        """The picked method's out-of-sample 95% coverage over every horizon, with its cases."""
        return out_of_sample_coverage(self.table, self.method)


def _key(flows: pd.Series) -> tuple:
    return tuple(map(str, flows.index)), tuple(np.round(flows.to_numpy(dtype=float), 6))


@functools.lru_cache(maxsize=32)
def _calibrate(key: tuple, seed: int, n_paths: int) -> Calibration:
    flows = pd.Series(key[1], index=list(key[0]), dtype=float)
    frame = forecasts(flows, n_paths=n_paths, seed=seed)
    table = calibration_table(frame)
    method = choose(table)
    origins = frame.origin.nunique() if len(frame) else 0
    if method is None:
        return Calibration("ets", {}, table, scores(frame), origins, frame)
    mine = table[(table.method == method) & table.factor.notna()]
    factors = {int(h): float(f) for h, f in zip(mine.h, mine.factor, strict=True)}
    return Calibration(method, factors, table, scores(frame), origins, frame)


def calibrate(flows: pd.Series, seed: int = 1, n_paths: int = BACKTEST_PATHS) -> Calibration:
    """Backtest every method and calibrate the one the rule picks.

    Cached by the series: the same history is backtested once per process.

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlement flows indexed by quarter.
    seed : int
        The simulations' seed.
    n_paths : int
        Simulated paths per backtest forecast.

    Returns
    -------
    Calibration
        The method picked, its factor per horizon and the tables behind them.
    """
    return _calibrate(_key(flows.sort_index().astype(float)), seed, n_paths)


def stretch_paths(future: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Cumulative future paths stretched about their median per horizon.

    Parameters
    ----------
    future : numpy.ndarray
        Cumulative settlements ahead, (paths, h).
    factors : numpy.ndarray
        One factor per horizon.

    Returns
    -------
    numpy.ndarray
        The stretched paths, kept non-decreasing and non-negative (settlements are never
        undone).
    """
    mid = np.median(future, axis=0)
    out = np.clip(mid + factors * (future - mid), 0, None)
    return np.maximum.accumulate(out, axis=1)


def calibrated_settlements(
    flows: pd.Series,
    baseline: str,
    horizon: str,
    n_paths: int = 10_000,
    seed: int | None = None,
    multiplier: float | np.ndarray = 1.0,
    extra: np.ndarray | None = None,
) -> SettlementForecast:
    """The settlement forecast a target is judged by.

    The method the rule picks on ``flows``' own backtest, its paths stretched per horizon by
    the calibration factors. Too short a history to judge: the product's ETS as it is, and
    ``calibration.judged`` is False.

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlement flows indexed by quarter.
    baseline : str
        The target's baseline quarter (the count starts after it).
    horizon : str
        The quarter to forecast to.
    n_paths : int
        Simulated paths.
    seed : int or None
        The simulations' seed (None: the product's).
    multiplier : float or numpy.ndarray
        A planner's factor on the calibrated flows, one for all quarters or one per quarter.
    extra : numpy.ndarray or None
        A planner's settlements added per quarter ahead.

    Returns
    -------
    SettlementForecast
        Its paths, method description and calibration.
    """
    flows = flows.sort_index().astype(float)
    fc = forecast_settlements(flows, baseline, horizon, n_paths=n_paths, seed=seed)
    cal = calibrate(flows)
    if not fc.quarters:
        return fc
    h = len(fc.quarters)
    rng_seed = SIMULATION_SEED if seed is None else seed
    future = (
        fc.paths - fc.achieved
        if cal.method == "ets"
        else np.cumsum(simulate(cal.method, flows, h, n_paths, rng_seed), axis=1)
    )
    if cal.judged:
        future = stretch_paths(future, np.array([cal.factor(s) for s in range(1, h + 1)]))
    step = np.diff(np.column_stack([np.zeros(len(future)), future]), axis=1)
    step = step * np.broadcast_to(np.asarray(multiplier, dtype=float), (h,))
    if extra is not None:
        step = step + np.asarray(extra, dtype=float)
    fc.paths = fc.achieved + np.cumsum(step, axis=1)
    fc.method_key = cal.method
    fc.calibration = cal
    if cal.method != "ets":
        fc.fitted = None  # the ETS's in-sample fit is not this method's
    fc.method = f"{METHOD_NAMES[cal.method]}, {n_paths:,} simulated paths, " + (
        f"stretched per horizon to hold 95% of backtest outcomes (rolling origins, "
        f"{cal.origins} origins)"
        if cal.judged
        else "not calibrated: too few origins to judge its coverage"
    )
    return fc


METHOD_NAMES = {
    "ets": "ETS(M,Ad,M) (damped additive trend, multiplicative seasonality)",
    "ets_add": "ETS(A,Ad,A) (damped additive trend, additive seasonality and errors)",
    "snaive": "seasonal random walk",
    "drift": "random walk with drift",
    "theta": "Theta method",
}


def _plain(value):
    return None if isinstance(value, float) and np.isnan(value) else value


def calibration_record(cal: Calibration) -> dict:
    """The calibration as a target record carries it (JSON-ready).

    Parameters
    ----------
    cal : Calibration
        The result of ``calibrate``.

    Returns
    -------
    dict
        The method picked, whether any horizon was judged, the out-of-sample coverage with its
        cases, per horizon of the picked method its cases, factor and 95% coverage before and
        after, and every method's mean calibrated interval score and mean MASE of the flow (the
        simple benchmarks beside it).
    """
    table = cal.table
    judged = table.dropna(subset=["factor"])
    flow = cal.flow_scores
    return {
        "method": cal.method,
        "judged": cal.judged,
        "origins": cal.origins,
        **cal.out_of_sample,
        "min_cases": MIN_CASES,
        "horizons": [
            {k: _plain(float(v)) if k != "h" and k != "cases" else int(v) for k, v in r.items()
             if k != "method"}
            for r in cal.chosen().to_dict("records")
        ],
        "methods": [
            {
                "method": m,
                "interval_score95": _plain(float(judged[judged.method == m].interval_score95.mean()))
                if (judged.method == m).any()
                else None,
                "mase": float(flow[flow.method == m].mase.mean()) if len(flow) else None,
            }
            for m in METHODS
        ],
    }  # fmt: skip
