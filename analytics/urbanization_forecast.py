"""Projection of the urbanization rate: a logit-linear trend of the urban share (the UN
urban-rural growth difference method: logit(share_t) = ln(U0/R0) + d*t), fitted by OLS with
statsmodels on one census basis, with 95% prediction intervals for future years and the
probability of reaching a target share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit, logit

MIN_POINTS = 4


@dataclass
class LogitLinearResults:
    """Fitted growth difference ``d`` (per year), the OLS results and the fitting data."""

    years: np.ndarray
    shares: np.ndarray
    basis: str
    results: sm.regression.linear_model.RegressionResultsWrapper

    @property
    def growth_difference(self) -> float:
        return float(self.results.params[1])

    def predict(self, years, alpha: float = 0.05) -> pd.DataFrame:
        """Share (in %) with the (1 - alpha) prediction interval for ``years``."""
        years = np.asarray(years, dtype=float)
        exog = sm.add_constant(years, has_constant="add")
        frame = self.results.get_prediction(exog).summary_frame(alpha=alpha)
        return pd.DataFrame(
            {
                "year": years.astype(int),
                "value": 100 * expit(frame["mean"].to_numpy()),
                "lower": 100 * expit(frame["obs_ci_lower"].to_numpy()),
                "upper": 100 * expit(frame["obs_ci_upper"].to_numpy()),
            }
        )

    def probability_at_least(self, share_pct: float, year: float, shift: float = 0.0) -> float:
        """P(share in ``year`` >= ``share_pct``) under the model's t predictive distribution,
        with its mean moved by ``shift`` on the logit scale (a what-if's change)."""
        exog = sm.add_constant(np.array([float(year)]), has_constant="add")
        pred = self.results.get_prediction(exog)
        mean = float(pred.predicted_mean[0]) + shift
        se = float(np.sqrt(pred.var_pred_mean[0] + self.results.scale))
        z = (logit(share_pct / 100) - mean) / se
        return float(1 - stats.t.cdf(z, df=self.results.df_resid))


def when_reached(
    series: pd.DataFrame,
    share_pct: float,
    basis: str = "census2020",
    horizon: int = 2050,
    alpha: float = 0.05,
) -> dict:
    """When the province's rate reaches ``share_pct``, on one basis's published years.

    ``year``: the first year the fitted trend is at or above it; ``earliest`` / ``latest``: the
    first years the (1 - alpha) prediction interval's upper and lower bounds are (``latest``
    None when not by ``horizon``); ``observed``: the first published year already at or above
    it (then no forecast is needed). Also the fitted years and the projected path."""
    part = series[series.basis == basis].dropna(subset=["value"]).sort_values("year")
    reached = part[part.value >= share_pct]
    fit = fit_logit_linear(part, basis)
    last = int(part.year.max())
    path = fit.predict(list(range(last + 1, horizon + 1)), alpha=alpha)

    def first(column: str) -> int | None:
        hit = path[path[column] >= share_pct]
        return int(hit.year.iloc[0]) if len(hit) else None

    return {
        "share": share_pct,
        "basis": basis,
        "observed": int(reached.year.iloc[0]) if len(reached) else None,
        "year": first("value"),
        "earliest": first("upper"),
        "latest": first("lower"),
        "horizon": horizon,
        "confidence": 1 - alpha,
        "fitted_years": (int(part.year.min()), last),
        "points": len(part),
        "growth_difference": fit.growth_difference,
        "path": path,
    }


def fit_logit_linear(series: pd.DataFrame, basis: str | None = None) -> LogitLinearResults:
    """Fit on the official series rows (year, value in %, basis) of one census basis.

    Parameters
    ----------
    series : rows with ``year``, ``value`` (urbanization rate, %) and ``basis``.
    basis : which basis to fit (default: the one with most points); bases are never mixed.
    """
    if basis is None:
        basis = series.basis.value_counts().idxmax()
    part = series[series.basis == basis].dropna(subset=["value"]).sort_values("year")
    if len(part) < MIN_POINTS:
        raise ValueError(f"too little history: {len(part)} {basis} values, need {MIN_POINTS}")
    years = part.year.to_numpy(dtype=float)
    shares = part.value.to_numpy(dtype=float) / 100
    results = sm.OLS(logit(shares), sm.add_constant(years)).fit()
    return LogitLinearResults(years, shares, basis, results)


@dataclass
class DampedTrendResults:
    """Damped-trend exponential smoothing of logit(share), the alternative to the trend line.

    Fitted as a state-space model (statsmodels), so years missing from the published series
    (2014, 2018) stay missing instead of being filled in."""

    basis: str
    first_year: int
    last_year: int
    results: object

    @property
    def converged(self) -> bool:
        return bool(self.results.mle_retvals.get("converged", True))

    def predict(self, years, alpha: float = 0.05) -> pd.DataFrame:
        years = [int(y) for y in years]
        steps = max(years) - self.last_year
        frame = self.results.get_forecast(steps).summary_frame(alpha=alpha)
        frame.index = range(self.last_year + 1, self.last_year + 1 + steps)
        frame = frame.loc[[y for y in years if y > self.last_year]]
        return pd.DataFrame(
            {
                "year": frame.index.astype(int),
                "value": 100 * expit(frame["mean"].to_numpy()),
                "lower": 100 * expit(frame["mean_ci_lower"].to_numpy()),
                "upper": 100 * expit(frame["mean_ci_upper"].to_numpy()),
            }
        )


def _damped_probability(results: DampedTrendResults, share_pct: float, year: int) -> float:
    steps = year - results.last_year
    if steps <= 0:
        return float("nan")
    frame = results.results.get_forecast(steps).summary_frame()
    mean, se = float(frame["mean"].iloc[-1]), float(frame["mean_se"].iloc[-1])
    return float(1 - stats.norm.cdf((logit(share_pct / 100) - mean) / se))


DampedTrendResults.probability_at_least = _damped_probability


def fit_damped_trend(series: pd.DataFrame, basis: str = "census2010") -> DampedTrendResults:
    """Damped-trend ETS on the logit of the share, one basis, annual, gaps kept as missing."""
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    part = series[series.basis == basis].dropna(subset=["value"])
    if len(part) < MIN_POINTS:
        raise ValueError(f"too little history: {len(part)} {basis} values, need {MIN_POINTS}")
    first, last = int(part.year.min()), int(part.year.max())
    y = pd.Series(np.nan, index=pd.period_range(str(first), str(last), freq="Y"))
    for r in part.itertuples():
        y[pd.Period(str(int(r.year)), freq="Y")] = logit(r.value / 100)
    model = ExponentialSmoothing(
        y, trend=True, damped_trend=True, initialization_method="estimated"
    )
    import warnings

    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():  # convergence is reported through ``converged`` instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = model.fit(disp=False, maxiter=1000)
    return DampedTrendResults(basis, first, last, results)
