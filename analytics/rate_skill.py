"""How good the forecasts of the annual urbanization rate are: rolling-origin forecasts on
each census basis (never across the break) by the logit-linear trend, the last value and the
random walk with drift, scored by mean absolute error and, where enough origins judge it, the
coverage of the 95% interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics import coverage
from analytics.skill import MIN_CASES
from analytics.urbanization_forecast import RATE_HORIZONS

RATE_METHODS = ("logit", "naive", "drift")


Z95 = 1.959963984540054


def rate_forecasts(series: pd.DataFrame, basis: str, horizons=RATE_HORIZONS) -> pd.DataFrame:
    """Rolling-origin forecasts of the annual urbanization rate (%) on one census basis.

    Never across the break: from every published year with ``MIN_POINTS`` years behind it,
    each later published year at most ``max(horizons)`` ahead, by the logit-linear trend (the UN
    urban-rural growth difference, ``analytics.urbanization_forecast``), the last value (naive)
    and the random walk with drift (per-year changes over the gaps between published years).

    Parameters
    ----------
    series : pandas.DataFrame
        The official annual rate with year, value and basis.
    basis : str
        The census basis judged.
    horizons : tuple of int
        Years ahead.

    Returns
    -------
    pandas.DataFrame
        One row per origin, method and horizon: the forecast, its 95% interval and the actual.
    """
    from analytics.urbanization_forecast import MIN_POINTS, fit_logit_linear

    part = series[series.basis == basis].dropna(subset=["value"]).sort_values("year")
    years, values = part.year.to_numpy(dtype=int), part.value.to_numpy(dtype=float)
    rows = []
    for i in range(MIN_POINTS - 1, len(part) - 1):
        known_y, known_v = years[: i + 1], values[: i + 1]
        rate = np.diff(known_v) / np.diff(known_y)  # change per year between published years
        slope = (known_v[-1] - known_v[0]) / (known_y[-1] - known_y[0])
        sd = float(np.std(rate, ddof=1))
        fit = fit_logit_linear(part.iloc[: i + 1], basis)
        for j in range(i + 1, len(part)):
            h = int(years[j] - known_y[-1])
            if h not in horizons:
                continue
            logit = fit.predict([years[j]]).iloc[0]
            made = {
                "logit": (logit.value, logit.lower, logit.upper),
                "naive": (known_v[-1], known_v[-1] - Z95 * sd * np.sqrt(h),
                          known_v[-1] + Z95 * sd * np.sqrt(h)),
                "drift": (known_v[-1] + h * slope,
                          known_v[-1] + h * slope - Z95 * sd * np.sqrt(h * (1 + h / len(rate))),
                          known_v[-1] + h * slope + Z95 * sd * np.sqrt(h * (1 + h / len(rate)))),
            }  # fmt: skip
            for method, (point, lo, hi) in made.items():
                rows.append(
                    {"basis": basis, "origin": str(known_y[-1]), "period": str(years[j]),
                     "method": method, "h": h, "actual": float(values[j]),
                     "point": float(point), "lower95": float(lo), "upper95": float(hi)}
                )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["basis", "origin", "period", "method", "h", "actual", "point", "lower95",
                 "upper95"],
    )  # fmt: skip


def rate_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """The rate forecasts scored.

    Parameters
    ----------
    frame : pandas.DataFrame
        The forecasts (``rate_forecasts``).

    Returns
    -------
    pandas.DataFrame
        Per basis, method and horizon: cases, the mean absolute error in percentage points, and
        the 95% coverage only where ``MIN_CASES`` origins can judge it (else NaN: too short a
        history to say).
    """
    rows = []
    for (basis, method, h), p in frame.groupby(["basis", "method", "h"]) if len(frame) else []:
        rows.append(
            {
                "basis": basis,
                "method": method,
                "h": int(h),
                "cases": len(p),
                "mae": float(np.mean(np.abs(p.actual - p.point))),
                "coverage95": coverage(p.actual, p.lower95, p.upper95)
                if len(p) >= MIN_CASES
                else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["basis", "method", "h", "cases", "mae", "coverage95"])
