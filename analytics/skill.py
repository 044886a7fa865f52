"""How good the settlement forecast is, against simple methods (the M4 competition's practice).

Rolling-origin forecasts of the quarterly settlement flow and of the cumulative settlements
ahead (the sum of the flows from the origin), 1 to 8 quarters ahead. Every method simulates
future flows, given only the quarters up to its origin; bands are quantiles of the paths, and
cumulative bands quantiles of their running sums, so one path set serves the fan, the band and
the probability of reaching a target.

The methods are ``analytics.forecast_methods``'s (the product's ETS, the additive ETS,
seasonal naive, drift and Theta); the scores ``analytics.metrics``'s (cumulative errors scaled
by the origin's flow scale). Built on this module: ``analytics.calibration`` (the band's
calibration and the method picked for a target), ``analytics.evaluation`` (the targets' Brier
scores, a region's and each city's evaluation) and ``analytics.rate_skill`` (the annual
urbanization rate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.forecast_methods import METHODS, SEASON, simulate
from analytics.metrics import coverage, interval_score
from analytics.settlement_forecast import MIN_QUARTERS
from data.reference import periods

HORIZONS = tuple(range(1, 9))
LEVELS = (0.8, 0.95)
QUANTITIES = ("flow", "cumulative")
# fewer origins than this at a horizon: its coverage is not judged; one miss in 10 is 90%, so
# fewer cannot show a 95% band's coverage within 90-98%
MIN_CASES = 10
# a Brier score needs this many independent outcomes (targets judged); with fewer the
# outcomes and the probabilities given are shown instead of a score
MIN_BRIER_EVENTS = 10
BACKTEST_PATHS = 1000


# ---- rolling origins --------------------------------------------------------------------


def _band_rows(paths: np.ndarray, actual: np.ndarray, base: dict, quantity: str) -> list[dict]:
    point = np.median(paths, axis=0)
    q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
    return [
        base
        | {
            "quantity": quantity,
            "h": h + 1,
            "actual": float(actual[h]),
            "point": float(point[h]),
            "lower80": float(q[0, h]),
            "upper80": float(q[1, h]),
            "lower95": float(q[2, h]),
            "upper95": float(q[3, h]),
        }
        for h in range(len(actual))
    ]


def forecasts(
    flows: pd.Series,
    horizons: tuple[int, ...] = HORIZONS,
    methods: tuple[str, ...] = METHODS,
    n_paths: int = BACKTEST_PATHS,
    seed: int = 1,
) -> pd.DataFrame:
    """Every method's rolling-origin forecasts of the settlements.

    From every origin with ``MIN_QUARTERS`` of history and an outcome to compare.

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlement flows indexed by quarter.
    horizons : tuple of int
        Quarters ahead to forecast.
    methods : tuple of str
        Keys of ``analytics.forecast_methods.METHODS``.
    n_paths : int
        Simulated paths per forecast.
    seed : int
        The simulations' seed.

    Returns
    -------
    pandas.DataFrame
        One row per origin, method, quantity (flow, cumulative) and horizon: origin, method,
        quantity, h, period, actual, point (the paths' median), lower/upper at 80% and 95%, and
        the origin's in-sample scale (mean absolute seasonal difference of the flows).
    """
    flows = flows.sort_index().astype(float)
    h_max = max(horizons)
    rows: list[dict] = []
    for end in range(MIN_QUARTERS, len(flows)):
        history = flows.iloc[:end]
        y = history.to_numpy()
        ahead = min(h_max, len(flows) - end)
        actual = flows.iloc[end : end + ahead].to_numpy()
        scale = float(np.mean(np.abs(y[SEASON:] - y[:-SEASON])))
        origin = str(history.index[-1])
        for method in methods:
            paths = simulate(method, history, ahead, n_paths, seed)
            base = {"origin": origin, "method": method, "scale": scale}
            rows += _band_rows(paths, actual, base, "flow")
            rows += _band_rows(np.cumsum(paths, axis=1), np.cumsum(actual), base, "cumulative")
    frame = pd.DataFrame(rows)
    if len(frame):
        frame = frame[frame.h.isin(horizons)]
        frame["period"] = [
            periods.shift(o, int(h)) for o, h in zip(frame.origin, frame.h, strict=True)
        ]
    return frame.reset_index(drop=True)


def scores(frame: pd.DataFrame, quantity: str = "flow") -> pd.DataFrame:
    """Per method and horizon, the scores of one quantity's forecasts.

    Parameters
    ----------
    frame : pandas.DataFrame
        The forecasts (``forecasts``).
    quantity : str
        "flow" or "cumulative".

    Returns
    -------
    pandas.DataFrame
        method, h, cases, MASE, coverage of the 80% and 95% intervals, the 95% interval score
        (scaled like MASE), and skill against the seasonal naive (1 - MASE ratio); empty when
        there was no origin to forecast from.
    """
    columns = ["method", "h", "cases", "mase", "coverage80", "coverage95", "interval_score95"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "skill"])
    out = []
    frame = frame[frame.quantity == quantity]
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
    """The method with the lowest mean 95% interval score.

    Parameters
    ----------
    table : pandas.DataFrame
        Scores per method and horizon (``scores``).

    Returns
    -------
    str
        The method's key.
    """
    return str(table.groupby("method").interval_score95.mean().idxmin())
