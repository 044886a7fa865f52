"""The forecast methods the settlement forecast is judged against (``analytics.skill``): each
simulates future quarterly flows from the flows up to its origin, as paths (paths, h), never
negative.

- ``ets``: the product's model (``analytics.settlement_forecast``: ETS with additive damped
  trend, multiplicative seasonality and errors), its own simulated paths;
- ``ets_add``: the additive variant, ETS(A,Ad,A) (statsmodels ``ETSModel``), its simulated
  paths;
- ``snaive``: a seasonal random walk (the same quarter of the last year plus a normal error
  with the spread of the in-sample seasonal differences; the error adds up year by year);
- ``drift``: a random walk with drift (the last quarter plus the average change so far), with
  the drift's own uncertainty added per path (Hyndman & Athanasopoulos, *Forecasting:
  principles and practice*, 5.5);
- ``theta``: the Theta method (statsmodels ``ThetaModel``, quarterly deseasonalising); its
  paths follow the simple exponential smoothing the method rests on and are scaled to the
  model's own prediction intervals.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analytics.settlement_forecast import forecast_settlements
from data.reference import periods

METHODS = ("ets", "ets_add", "snaive", "drift", "theta")
SEASON = 4


def _snaive(y: np.ndarray, h: int, n: int, rng: np.random.Generator) -> np.ndarray:
    sd = np.std(y[SEASON:] - y[:-SEASON], ddof=1)
    shocks = rng.normal(0.0, sd, (n, h))
    out = np.empty((n, h))
    for s in range(h):
        before = y[len(y) - SEASON + s] if s < SEASON else out[:, s - SEASON]
        out[:, s] = before + shocks[:, s]
    return out


def _drift(y: np.ndarray, h: int, n: int, rng: np.random.Generator) -> np.ndarray:
    t = len(y)
    slope = (y[-1] - y[0]) / (t - 1)
    sd = np.std(np.diff(y) - slope, ddof=1)
    # the drift is the mean of t - 1 changes: its own error has variance sd^2 / (t - 1)
    drift = slope + rng.normal(0.0, sd / np.sqrt(t - 1), (n, 1))
    steps = np.arange(1, h + 1)
    return y[-1] + steps * drift + np.cumsum(rng.normal(0.0, sd, (n, h)), axis=1)


def _theta(y: np.ndarray, h: int, start: str, n: int, rng: np.random.Generator) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    series = pd.Series(y, index=pd.period_range(start, periods=len(y), freq="Q"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ThetaModel(series.clip(lower=1.0), period=SEASON).fit()
        point = np.asarray(fit.forecast(h), dtype=float)
        upper = fit.prediction_intervals(h, alpha=0.05)["upper"].to_numpy()
    alpha = float(np.clip(fit.params["alpha"], 0.0, 1.0))
    sd = (upper - point) / 1.959963984540054
    # simple exponential smoothing's errors: e_s + alpha * (e_1 + ... + e_{s-1})
    e = rng.normal(0.0, 1.0, (n, h))
    earlier = np.column_stack([np.zeros(n), np.cumsum(e, axis=1)[:, :-1]])
    z = (e + alpha * earlier) / np.sqrt(1 + alpha**2 * np.arange(h))
    return point + z * sd


def _ets(flows: pd.Series, h: int, n: int, seed: int) -> np.ndarray:
    fc = forecast_settlements(flows, flows.index[0], periods.shift(flows.index[-1], h), n, seed)
    return np.diff(np.column_stack([np.full(n, fc.achieved), fc.paths]), axis=1)


def _ets_additive(y: np.ndarray, start: str, h: int, n: int, seed: int) -> np.ndarray:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(y, index=pd.period_range(start, periods=len(y), freq="Q"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ETSModel(
            series, error="add", trend="add", damped_trend=True, seasonal="add",
            seasonal_periods=SEASON,
        ).fit(disp=False, maxiter=2000)  # fmt: skip
        sims = fit.simulate(h, anchor="end", repetitions=n, rng=np.random.default_rng(seed))
    return np.asarray(sims, dtype=float).reshape(h, n).T


def simulate(method: str, flows: pd.Series, h: int, n_paths: int, seed: int) -> np.ndarray:
    """Simulated future quarterly flows of one method.

    Parameters
    ----------
    method : str
        A key of ``METHODS``.
    flows : pandas.Series
        The quarterly flows (quarter index, no gaps).
    h : int
        Quarters ahead.
    n_paths : int
        Paths simulated.
    seed : int
        The simulations' seed.

    Returns
    -------
    numpy.ndarray
        (paths, h); negative flows are cut to 0.
    """
    flows = flows.sort_index().astype(float)
    if method == "ets":
        return np.clip(_ets(flows, h, n_paths, seed), 0, None)
    y = flows.to_numpy()
    rng = np.random.default_rng(seed)
    if method == "snaive":
        out = _snaive(y, h, n_paths, rng)
    elif method == "drift":
        out = _drift(y, h, n_paths, rng)
    elif method == "theta":
        out = _theta(y, h, flows.index[0], n_paths, rng)
    elif method == "ets_add":
        out = _ets_additive(y, flows.index[0], h, n_paths, seed)
    else:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    return np.clip(out, 0, None)
