"""How good the settlement forecast is, against simple methods (the M4 competition's practice):
rolling-origin forecasts of the quarterly settlement flow, 1 to 8 quarters ahead, scored by
MASE, the empirical coverage of the 80% and 95% intervals and the interval (Winkler) score.

Methods, each given only the quarters up to its origin:

- ``ets``: the product's model (``analytics.settlement_forecast``: ETS with additive damped
  trend, multiplicative seasonality and errors), intervals from its simulated paths;
- ``snaive``: the same quarter of the last year; intervals from the in-sample seasonal
  differences (normal, widening with the number of years ahead);
- ``drift``: the last quarter plus the average change so far (random walk with drift);
  intervals as in Hyndman & Athanasopoulos, *Forecasting: principles and practice*, 5.5;
- ``theta``: the Theta method (statsmodels ``ThetaModel``, quarterly deseasonalising).

Scores (hand-checked in the tests): MASE divides the mean absolute error by the in-sample mean
absolute seasonal difference at the origin; the interval score of a central (1 - a) interval
[l, u] for an outcome y is (u - l) + 2/a (l - y) when y < l, + 2/a (y - u) when y > u.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from analytics.settlement_forecast import MIN_QUARTERS, forecast_settlements
from data.reference import periods

HORIZONS = tuple(range(1, 9))
LEVELS = (0.8, 0.95)
METHODS = ("ets", "snaive", "drift", "theta")
SEASON = 4


def mase(actual, forecast, insample, m: int = SEASON) -> float:
    """Mean absolute scaled error of ``forecast`` against ``actual``, scaled by the mean
    absolute ``m``-step difference of ``insample``."""
    actual, forecast, insample = (np.asarray(x, dtype=float) for x in (actual, forecast, insample))
    scale = np.mean(np.abs(insample[m:] - insample[:-m]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def interval_score(actual, lower, upper, alpha: float) -> float:
    """Mean interval (Winkler) score of central ``1 - alpha`` intervals (lower is better)."""
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    penalty = (2 / alpha) * (np.clip(lo - y, 0, None) + np.clip(y - hi, 0, None))
    return float(np.mean(hi - lo + penalty))


def coverage(actual, lower, upper) -> float:
    """Share of outcomes inside their intervals."""
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    return float(np.mean((lo <= y) & (y <= hi)))


def brier(probability, outcome) -> float:
    """Mean squared difference between forecast probabilities and what happened (0 or 1)."""
    p, o = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2))


def _bands(point: np.ndarray, sd: np.ndarray) -> dict:
    out = {"point": point}
    for level in LEVELS:
        z = norm.ppf(0.5 + level / 2)
        out[level] = (np.clip(point - z * sd, 0, None), point + z * sd)
    return out


def _snaive(y: np.ndarray, h: int) -> dict:
    steps = np.arange(1, h + 1)
    point = y[len(y) - SEASON + (steps - 1) % SEASON]
    resid = y[SEASON:] - y[:-SEASON]
    sd = np.std(resid, ddof=1) * np.sqrt(np.ceil(steps / SEASON))
    return _bands(point, sd)


def _drift(y: np.ndarray, h: int) -> dict:
    steps = np.arange(1, h + 1)
    t = len(y)
    slope = (y[-1] - y[0]) / (t - 1)
    point = y[-1] + steps * slope
    resid = np.diff(y) - slope
    sd = np.std(resid, ddof=1) * np.sqrt(steps * (1 + steps / (t - 1)))
    return _bands(point, sd)


def _theta(y: np.ndarray, h: int, start: str) -> dict:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    series = pd.Series(y, index=pd.period_range(start, periods=len(y), freq="Q"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ThetaModel(series.clip(lower=1.0), period=SEASON).fit()
        out = {"point": np.asarray(fit.forecast(h), dtype=float)}
        for level in LEVELS:
            pi = fit.prediction_intervals(h, alpha=1 - level)
            out[level] = (np.clip(pi["lower"].to_numpy(), 0, None), pi["upper"].to_numpy())
    return out


def _ets(flows: pd.Series, h: int, n_paths: int, seed: int) -> dict:
    horizon = periods.shift(flows.index[-1], h)
    fc = forecast_settlements(flows, flows.index[0], horizon, n_paths=n_paths, seed=seed)
    future = np.diff(np.column_stack([np.full(len(fc.paths), fc.achieved), fc.paths]), axis=1)
    out = {"point": np.median(future, axis=0)}
    for level in LEVELS:
        lo, hi = np.quantile(future, [0.5 - level / 2, 0.5 + level / 2], axis=0)
        out[level] = (lo, hi)
    return out


def forecasts(
    flows: pd.Series,
    horizons: tuple[int, ...] = HORIZONS,
    methods: tuple[str, ...] = METHODS,
    n_paths: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Every method's forecast from every origin with ``MIN_QUARTERS`` of history and an
    outcome to compare: origin, method, h, period, actual, point, lower/upper at 80% and 95%,
    and the origin's in-sample scale (mean absolute seasonal difference)."""
    flows = flows.sort_index().astype(float)
    h_max = max(horizons)
    rows = []
    for end in range(MIN_QUARTERS, len(flows)):
        history = flows.iloc[:end]
        y = history.to_numpy()
        ahead = min(h_max, len(flows) - end)
        scale = float(np.mean(np.abs(y[SEASON:] - y[:-SEASON])))
        made = {}
        for method in methods:
            if method == "ets":
                made[method] = _ets(history, ahead, n_paths, seed)
            elif method == "snaive":
                made[method] = _snaive(y, ahead)
            elif method == "drift":
                made[method] = _drift(y, ahead)
            else:
                made[method] = _theta(y, ahead, history.index[0])
        for method, f in made.items():
            for h in horizons:
                if h > ahead:
                    continue
                rows.append(
                    {
                        "origin": history.index[-1],
                        "method": method,
                        "h": h,
                        "period": flows.index[end + h - 1],
                        "actual": float(flows.iloc[end + h - 1]),
                        "point": float(f["point"][h - 1]),
                        "lower80": float(f[0.8][0][h - 1]),
                        "upper80": float(f[0.8][1][h - 1]),
                        "lower95": float(f[0.95][0][h - 1]),
                        "upper95": float(f[0.95][1][h - 1]),
                        "scale": scale,
                    }
                )
    return pd.DataFrame(rows)


def scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Per method and horizon: cases, MASE, coverage of the 80% and 95% intervals, the 95%
    interval score (scaled like MASE), and skill against the seasonal naive (1 - MASE ratio);
    empty when there was no origin to forecast from."""
    columns = ["method", "h", "cases", "mase", "coverage80", "coverage95", "interval_score95"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "skill"])
    out = []
    for (method, h), part in frame.groupby(["method", "h"], sort=False):
        scaled = np.abs(part.actual - part.point) / part.scale
        out.append(
            {
                "method": method,
                "h": int(h),
                "cases": len(part),
                "mase": float(scaled.mean()),
                "coverage80": coverage(part.actual, part.lower80, part.upper80),
                "coverage95": coverage(part.actual, part.lower95, part.upper95),
                "interval_score95": interval_score(
                    part.actual / part.scale,
                    part.lower95 / part.scale,
                    part.upper95 / part.scale,
                    0.05,
                ),
            }
        )
    table = pd.DataFrame(out)
    naive = table[table.method == "snaive"].set_index("h").mase
    table["skill"] = 1 - table.mase / table.h.map(naive)
    return table.sort_values(["h", "method"]).reset_index(drop=True)


def best_by_interval_score(table: pd.DataFrame) -> str:
    """The rule that picks a method: the lowest mean 95% interval score over the horizons."""
    return str(table.groupby("method").interval_score95.mean().idxmin())
