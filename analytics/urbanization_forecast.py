"""Projection of the urbanization rate: a logit-linear trend of the urban share (the UN
urban-rural growth difference method: logit(share_t) = ln(U0/R0) + d*t), fitted by OLS with
statsmodels, with 95% prediction intervals for future years (parameter uncertainty included)
and the probability of reaching a target share.

Across the 2020 census break (``fit_across_break``): one trend fitted on both bases, with a
level shift for the census-basis years, so that the new basis is used from its first published
point and the old one is never extrapolated past the break once a census-basis point exists;
the forecast is on the newest basis present."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit, logit

from data.reference import periods
from data.reference.official import public_by
from geo.regions import PROVINCE_CODE

MIN_POINTS = 4


@dataclass
class LogitLinearResults:
    """Fitted growth difference ``d`` (per year), the OLS results and the fitting data."""

    years: np.ndarray
    shares: np.ndarray
    basis: str
    results: sm.regression.linear_model.RegressionResultsWrapper
    # fitted across the break: how many of the years are on the older basis (their level
    # shifted), 0 when one basis alone was fitted; and from which year the newer basis has a
    # pace of its own (None: the older basis's pace)
    older: int = 0
    own_pace_from: int | None = None

    @property
    def growth_difference(self) -> float:
        return float(self.results.params[1])

    def _exog(self, years) -> np.ndarray:
        """Rows for ``years`` on ``basis`` (the newest fitted: its level, not the older one's)."""
        years = np.asarray(years, dtype=float)
        cols = [np.ones_like(years), years]
        if self.older:
            cols.append(np.ones_like(years))
        if self.own_pace_from is not None:
            cols.append(years - self.own_pace_from)
        return np.column_stack(cols)

    def predict(self, years, alpha: float = 0.05) -> pd.DataFrame:
        """Share (in %) with the (1 - alpha) prediction interval for ``years``."""
        years = np.asarray(years, dtype=float)
        frame = self.results.get_prediction(self._exog(years)).summary_frame(alpha=alpha)
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
        pred = self.results.get_prediction(self._exog([float(year)]))
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
    """When the province's rate reaches a share, on one basis's published years.

    Parameters
    ----------
    series : pandas.DataFrame
        The official rates (year, value in %, basis).
    share_pct : float
        The share, %.
    basis : str
        The census basis fitted.
    horizon : int
        The last year looked at.
    alpha : float
        One minus the prediction interval's coverage.

    Returns
    -------
    dict
        ``year``: the first year the fitted trend is at or above it; ``earliest`` / ``latest``:
        the first years the interval's upper and lower bounds are (``latest`` None when not by
        ``horizon``); ``observed``: the first published year already at or above it; the fitted
        years and the projected path.
    """
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
    """Fit the logit-linear trend on one census basis's published years.

    Parameters
    ----------
    series : pandas.DataFrame
        Rows with ``year``, ``value`` (urbanization rate, %) and ``basis``.
    basis : str or None
        Which basis to fit (None: the one with most points); bases are never mixed.

    Returns
    -------
    LogitLinearResults
        The fit, with its forecast and prediction intervals.
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


OWN_PACE_POINTS = 3  # newer-basis years from which that basis has a pace of its own


def fit_across_break(series: pd.DataFrame) -> LogitLinearResults:
    """One trend on every published year of both census bases.

    The newer basis's years have a level of their own (the census revised the level) and, from
    ``OWN_PACE_POINTS`` of them, a pace of their own too (until then the older pace stands, with
    its uncertainty): the forecast is on the newest basis present, from its first point on, and
    the residual variance is pooled over both bases. With one basis only it is
    ``fit_logit_linear``.

    Parameters
    ----------
    series : pandas.DataFrame
        Rows with ``year``, ``value`` and ``basis``; needs ``MIN_POINTS`` years and one more
        than the parameters.

    Returns
    -------
    LogitLinearResults
        The fit, with its forecast and prediction intervals.
    """
    part = series.dropna(subset=["value"]).sort_values("year")
    bases = sorted(part.basis.unique())
    if len(bases) <= 1:
        return fit_logit_linear(part, bases[0] if bases else None)
    newest = bases[-1]
    years = part.year.to_numpy(dtype=float)
    shares = part.value.to_numpy(dtype=float) / 100
    shifted = (part.basis == newest).to_numpy(dtype=float)
    cols = [np.ones_like(years), years, shifted]
    own = None
    if shifted.sum() >= OWN_PACE_POINTS:
        own = int(years[shifted == 1].min())
        cols.append(shifted * (years - own))
    need = max(MIN_POINTS, len(cols) + 1)
    if len(part) < need:
        raise ValueError(f"too little history: {len(part)} values, need {need}")
    results = sm.OLS(logit(shares), np.column_stack(cols)).fit()
    return LogitLinearResults(
        years, shares, newest, results, older=int((shifted == 0).sum()), own_pace_from=own
    )


def province_rates(official: pd.DataFrame, as_of: str | None = None) -> pd.DataFrame:
    """The province's published urbanization rates public by the end of a quarter.

    A year's rate is known only once its bulletin (or census) is out, months after the year
    ends.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series, with the dates their figures became public.
    as_of : str or None
        The quarter; None: every rate.

    Returns
    -------
    pandas.DataFrame
        year, value, basis.
    """
    rows = official[
        (official.region_code == PROVINCE_CODE) & (official.indicator == "urbanization_rate")
    ]
    if as_of is not None:
        rows = public_by(rows, periods.quarter_end(as_of))
    return rows.sort_values("year")


RATE_HORIZONS = tuple(range(1, 6))


def _naive(known: pd.DataFrame, year: int) -> float:
    """ "Last value + last change": the newest published value moved on by the last change per
    year, taken between the last two years of the newest basis, or, while it has one year
    only, of the basis before it (its pace, never the census revision's jump)."""
    newest = known[known.basis == known.basis.iloc[-1]]
    pace_from = newest if len(newest) >= 2 else known[known.basis != known.basis.iloc[-1]]
    last_two = pace_from.tail(2)
    pace = (
        (last_two.value.iloc[1] - last_two.value.iloc[0])
        / (last_two.year.iloc[1] - last_two.year.iloc[0])
        if len(last_two) == 2
        else 0.0
    )
    return float(known.value.iloc[-1] + pace * (year - known.year.iloc[-1]))


def backtest_as_of(
    official: pd.DataFrame, first: int = 2016, last: int = 2024, horizons=RATE_HORIZONS
) -> pd.DataFrame:
    """The province's rate forecast as of the end of each year, from figures public by then only.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series.
    first, last : int
        The first and last as-of years.
    horizons : tuple of int
        Years ahead judged (a later year with a published value).

    Returns
    -------
    pandas.DataFrame
        One row per case: as_of, year, h, actual (the value published for that year, on its
        basis), basis of the actual and of the forecast, forecast with its 95% interval, and
        the naive "last value + last change".
    """
    every = province_rates(official).dropna(subset=["value"])
    actual = every.drop_duplicates("year", keep="last").set_index("year")
    rows = []
    for y in range(first, last + 1):
        known = province_rates(official, f"{y}Q4").dropna(subset=["value"])
        if len(known) < MIN_POINTS:
            continue
        fit = fit_across_break(known)
        for h in horizons:
            if y + h not in actual.index:
                continue
            pred = fit.predict([y + h]).iloc[0]
            rows.append(
                {
                    "as_of": f"{y}Q4",
                    "year": y + h,
                    "h": h,
                    "actual": float(actual.at[y + h, "value"]),
                    "actual_basis": actual.at[y + h, "basis"],
                    "basis": fit.basis,
                    "forecast": float(pred.value),
                    "lower95": float(pred.lower),
                    "upper95": float(pred.upper),
                    "naive": _naive(known, y + h),
                }
            )
    return pd.DataFrame(rows)


def backtest_scores(cases: pd.DataFrame) -> pd.DataFrame:
    """Per horizon, the rate backtest's errors and coverage.

    Parameters
    ----------
    cases : pandas.DataFrame
        The cases (``backtest_as_of``).

    Returns
    -------
    pandas.DataFrame
        cases, mean absolute error (percentage points) of the forecast and of the naive answer,
        and the share of cases the forecast's 95% interval held the published value (out of
        sample: every forecast used only figures public at its as-of date).
    """
    rows = []
    for h, part in cases.groupby("h") if len(cases) else []:
        held = (part.lower95 <= part.actual) & (part.actual <= part.upper95)
        rows.append(
            {
                "h": int(h),
                "cases": len(part),
                "mae": float((part.forecast - part.actual).abs().mean()),
                "mae_naive": float((part.naive - part.actual).abs().mean()),
                "coverage95_out_of_sample": float(held.mean()),
            }
        )
    return pd.DataFrame(
        rows, columns=["h", "cases", "mae", "mae_naive", "coverage95_out_of_sample"]
    )
