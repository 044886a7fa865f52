"""Split-conformal widening of a central 95% band, out of sample by construction: the one rule
the settlement forecast (``analytics.skill``) and the nowcast (``analytics.nowcast``) calibrate
their bands by.

A forecast's *score* is the factor by which its band must be stretched about its point to hold
the outcome (0 at the point, 1 on the band's edge). The factor of a forecast made at a time uses
only the scores whose outcomes were known then: the finite-sample split-conformal quantile, the
ceil((n+1)·level)-th smallest of the n scores; while n is too small for that rank (n < 19 at
95%), the largest score, so the band is widened to hold every outcome seen so far; never below
1 (a band is only narrowed on evidence judged out of sample, which a handful of cases is not).
"""

from __future__ import annotations

import math

import numpy as np

CALIBRATION_LEVEL = 0.95


def stretch(actual, point, lower, upper) -> np.ndarray:
    """For each forecast, the factor by which its band [``lower``, ``upper``] must be stretched
    about ``point`` to hold ``actual``: 0 at the point, 1 on the band's edge.

    Parameters
    ----------
    actual, point, lower, upper : array-like of float
        The outcomes, the forecasts' points and their bands' edges, one entry per forecast.

    Returns
    -------
    numpy.ndarray
        The scores, one per forecast (an edge on the point counts as a band of width 1e-9).
    """
    y, mid = np.asarray(actual, dtype=float), np.asarray(point, dtype=float)
    up = np.maximum(np.asarray(upper, dtype=float) - mid, 1e-9)
    down = np.maximum(mid - np.asarray(lower, dtype=float), 1e-9)
    return np.where(y >= mid, (y - mid) / up, (mid - y) / down)


def conformal_factor(need: np.ndarray, level: float = CALIBRATION_LEVEL) -> float:
    """The band's stretch from past scores (``stretch``).

    Parameters
    ----------
    need : numpy.ndarray
        The scores of the forecasts whose outcomes are known.
    level : float
        The band's nominal coverage.

    Returns
    -------
    float
        The ceil((n+1)·level)-th smallest of the n scores; while n is too small for that rank,
        the largest; no scores: 1 (the band as it is). Never below 1.
    """
    n = len(need)
    if n == 0:
        return 1.0
    k = min(math.ceil((n + 1) * level), n)
    return max(1.0, float(np.sort(need)[k - 1]))


def factors_known_then(made, outcome, need: np.ndarray, level: float = CALIBRATION_LEVEL):
    """The factor each forecast would have had when it was made, and whether its band so
    stretched held the outcome.

    Parameters
    ----------
    made : array-like
        When each forecast was made (sortable: quarters as "YYYYQn", years, dates).
    outcome : array-like
        When each forecast's outcome became known, on the same scale.
    need : numpy.ndarray
        Each forecast's score (``stretch``).
    level : float
        The band's nominal coverage.

    Returns
    -------
    factors : numpy.ndarray
        ``conformal_factor`` over the scores whose outcome was known at or before each
        forecast was made.
    held : numpy.ndarray of bool
        Whether each forecast's stretched band held its outcome.
    """
    made, outcome = np.asarray(made), np.asarray(outcome)
    factors = np.array([conformal_factor(need[outcome <= m], level) for m in made])
    return factors, need <= factors
