"""The settlement forecasts judged as the product shows them: the Brier scores of the
targets, a region's calibration and target scores, the province's panel (with the rate's
evaluation) and each city's own coverage. Heavy: the results worker's and the CLI's work,
never a page run's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.calibration import COVERAGE_GOAL, Calibration, calibrate, stretch_paths
from analytics.forecast_methods import METHODS, simulate
from analytics.metrics import brier
from analytics.rate_skill import rate_forecasts, rate_scores
from analytics.settlement_forecast import MIN_QUARTERS
from analytics.skill import BACKTEST_PATHS, HORIZONS, MIN_BRIER_EVENTS
from data.reference import periods


def target_brier(
    flows: pd.Series,
    targets: list[tuple[float, str, str]],
    cal: Calibration | None = None,
    n_paths: int = BACKTEST_PATHS,
    seed: int = 1,
    methods: tuple[str, ...] = METHODS,
) -> pd.DataFrame:
    """The Brier score of "the target is reached by its date", per method.

    Over the origins where it can be judged: the target's quarter observed in ``flows`` and 1 to
    ``max(HORIZONS)`` quarters after the origin, with ``MIN_QUARTERS`` of history.

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlements indexed by quarter.
    targets : list of tuple
        (value, quarter, baseline quarter) of each target.
    cal : Calibration or None
        With it, its method again with its paths stretched by the calibration factors
        (``calibrated``; the factors come from the same origins).
    n_paths : int
        Simulated paths per forecast.
    seed : int
        The simulations' seed.
    methods : tuple of str
        The methods scored.

    Returns
    -------
    pandas.DataFrame
        method, calibrated, events (the targets judged: the independent outcomes), cases
        (origin x target), reached (share of cases where it was), mean_p (the mean probability
        given) and brier, NaN below ``MIN_BRIER_EVENTS`` events: forecasts of one outcome from
        overlapping origins are not a calibration score.
    """
    flows = flows.sort_index().astype(float)
    rows = []
    for value, due, baseline in targets:
        if due > flows.index[-1]:
            continue
        outcome = float(flows[(flows.index >= baseline) & (flows.index <= due)].sum() >= value)
        for end in range(MIN_QUARTERS, len(flows)):
            history = flows.iloc[:end]
            h = len(periods.quarter_range(history.index[-1], due)) - 1
            if not 0 < h <= max(HORIZONS):
                continue
            done = float(history[history.index >= baseline].sum())
            for method in methods:
                future = np.cumsum(simulate(method, history, h, n_paths, seed), axis=1)
                made = [(False, future)]
                if cal is not None and cal.judged and method == cal.method:
                    k = np.array([cal.factor(s) for s in range(1, h + 1)])
                    made.append((True, stretch_paths(future, k)))
                for calibrated, paths in made:
                    p = float((done + paths[:, -1] >= value).mean())
                    rows.append((method, calibrated, p, outcome, (value, due)))
    frame = pd.DataFrame(rows, columns=["method", "calibrated", "p", "outcome", "event"])

    def summary(g: pd.DataFrame) -> pd.Series:
        events = g.event.nunique()
        return pd.Series(
            {
                "events": events,
                "cases": len(g),
                "reached": g.outcome.mean(),
                "mean_p": g.p.mean(),
                "brier": brier(g.p, g.outcome) if events >= MIN_BRIER_EVENTS else np.nan,
            }
        )

    columns = ["method", "calibrated", "events", "cases", "reached", "mean_p", "brier"]
    return (
        frame.groupby(["method", "calibrated"], sort=False)
        .apply(summary, include_groups=False)
        .reset_index()
        .astype({"cases": int, "events": int})
        if len(frame)
        else pd.DataFrame(columns=columns)
    )


def province_evaluation(
    obs: pd.DataFrame, official: pd.DataFrame, registry: pd.DataFrame, targets: pd.DataFrame
) -> dict:
    """Everything the projection page's skill panel and ``urbdash backtest`` show for the province.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    official : pandas.DataFrame
        The official series (``data.store.official.read_official``).
    registry : pandas.DataFrame
        The region registry.
    targets : pandas.DataFrame
        The province's target rows.

    Returns
    -------
    dict
        The settlement calibration (``calibrate``), the Brier scores of its settlement targets,
        and the rate evaluation on each census basis; None for the settlement parts without
        settlement returns.
    """
    from analytics.aggregate import aggregate
    from data.reference.official import province_series

    series = province_series("urbanization_rate", official)
    rate = [rate_forecasts(series, b) for b in sorted(series.basis.dropna().unique())]
    rate_table = rate_scores(pd.concat(rate) if rate else pd.DataFrame())
    flows = pd.Series(dtype=float)
    if len(obs):
        wide = aggregate(obs, registry, "province").set_index("period")
        flows = wide.settled_total.dropna()
    if len(flows) <= MIN_QUARTERS:
        return {"calibration": None, "brier": None, "rate": rate_table}
    return {**settlement_evaluation(flows, targets), "rate": rate_table}


def settlement_evaluation(
    flows: pd.Series, targets: pd.DataFrame, n_paths: int = BACKTEST_PATHS
) -> dict:
    """One region's settlement forecasts judged.

    Parameters
    ----------
    flows : pandas.Series
        The region's quarterly settlements, indexed by quarter.
    targets : pandas.DataFrame
        Target rows of the store (``data.store.targets.read_targets``); its
        ``settled_cumulative`` ones are scored.
    n_paths : int
        Simulated paths per forecast.

    Returns
    -------
    dict
        ``calibration`` (``calibrate``: every method backtested, the one the rule picks
        calibrated) and ``brier`` (``target_brier``: each method's Brier score on the targets).

    Raises
    ------
    ValueError
        When the flows are too short to backtest.
    """
    from data.reference.targets import baseline_of

    settled = targets[targets.indicator == "settled_cumulative"]
    judged = [
        (float(t.value), str(t.period), baseline_of(t.baseline_period))
        for t in settled.itertuples()
    ]
    cal = calibrate(flows, n_paths=n_paths)
    return {"calibration": cal, "brier": target_brier(flows, judged, cal, n_paths=n_paths)}


def city_coverage(
    obs: pd.DataFrame, registry: pd.DataFrame, n_paths: int = BACKTEST_PATHS
) -> pd.DataFrame:
    """Each city's own settlement backtest, judged as the province's is.

    Heavy: one full backtest per city (a command's or the worker's work, never a page run's).

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.
    n_paths : int
        Simulated paths per backtest forecast.

    Returns
    -------
    pandas.DataFrame
        Per city with returns: ``region_code``, ``method`` (the one its rule picks), ``cases``,
        ``coverage95_out_of_sample`` (None when its history is too short to judge) and
        ``meets_goal`` (at least ``COVERAGE_GOAL``).
    """
    from analytics.aggregate import aggregate

    columns = ["region_code", "method", "cases", "coverage95_out_of_sample", "meets_goal"]
    if obs.empty:
        return pd.DataFrame(columns=columns)
    wide = aggregate(obs, registry, "city")
    rows = []
    for code, part in wide.groupby("region_code", sort=True):
        flows = part.set_index("period").settled_total.dropna()
        if len(flows) <= MIN_QUARTERS:
            rows.append((code, None, 0, None, False))
            continue
        cal = calibrate(flows, n_paths=n_paths)
        held = cal.out_of_sample
        cov = held["coverage95_out_of_sample"]
        rows.append(
            (code, cal.method, held["cases"], cov, cov is not None and cov >= COVERAGE_GOAL)
        )
    return pd.DataFrame(rows, columns=columns)
