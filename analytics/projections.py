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

    def probability_at_least(self, share_pct: float, year: float) -> float:
        """P(share in ``year`` >= ``share_pct``) under the model's t predictive distribution."""
        exog = sm.add_constant(np.array([float(year)]), has_constant="add")
        pred = self.results.get_prediction(exog)
        mean = float(pred.predicted_mean[0])
        se = float(np.sqrt(pred.var_pred_mean[0] + self.results.scale))
        z = (logit(share_pct / 100) - mean) / se
        return float(1 - stats.t.cdf(z, df=self.results.df_resid))


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
