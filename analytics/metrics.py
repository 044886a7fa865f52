"""The scores a forecast is judged by (hand-checked in the tests).

MASE divides the mean absolute error by the in-sample mean absolute seasonal difference at the
origin; the interval score of a central (1 - a) interval [l, u] for an outcome y is (u - l) +
2/a (l - y) when y < l, + 2/a (y - u) when y > u; the Brier score is the mean squared difference
between the probability of an event and what happened.
"""

from __future__ import annotations

import numpy as np

from analytics.forecast_methods import SEASON


def mase(actual, forecast, insample, m: int = SEASON) -> float:
    """Mean absolute scaled error.

    Parameters
    ----------
    actual, forecast : array-like of float
        The outcomes and the forecasts of them.
    insample : array-like of float
        The history the forecast was made from (its scale).
    m : int
        The seasonal lag of the scale's differences.

    Returns
    -------
    float
        The mean absolute error divided by the mean absolute ``m``-step difference of
        ``insample``.
    """
    actual, forecast, insample = (np.asarray(x, dtype=float) for x in (actual, forecast, insample))
    scale = np.mean(np.abs(insample[m:] - insample[:-m]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def interval_score(actual, lower, upper, alpha: float) -> float:
    """Mean interval (Winkler) score of central ``1 - alpha`` intervals (lower is better).

    Parameters
    ----------
    actual, lower, upper : array-like of float
        The outcomes and their intervals' edges.
    alpha : float
        One minus the intervals' nominal coverage.

    Returns
    -------
    float
        The mean of (upper - lower) + 2/alpha times the distance of each outcome outside its
        interval.
    """
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    penalty = (2 / alpha) * (np.clip(lo - y, 0, None) + np.clip(y - hi, 0, None))
    return float(np.mean(hi - lo + penalty))


def coverage(actual, lower, upper) -> float:
    """Share of outcomes inside their intervals.

    Parameters
    ----------
    actual, lower, upper : array-like of float
        The outcomes and their intervals' edges.

    Returns
    -------
    float
        Between 0 and 1.
    """
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    return float(np.mean((lo <= y) & (y <= hi)))


def brier(probability, outcome) -> float:
    """Brier score of forecast probabilities.

    Parameters
    ----------
    probability : array-like of float
        The probabilities given to the event.
    outcome : array-like of float
        What happened: 1 where the event occurred, 0 where not.

    Returns
    -------
    float
        The mean squared difference.
    """
    p, o = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2))
