"""Quarterly settlement flows: an ETS model (additive damped trend, multiplicative quarterly
seasonality, multiplicative errors) fitted with statsmodels, 10,000 simulated future paths,
accumulated onto what is already achieved: the probability of reaching a cumulative target by
its quarter and the distribution of the quarter it is reached."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from data.reference import periods

N_PATHS = 10_000
MIN_QUARTERS = 8
# seed of the simulated paths when a caller names none: the same question gets the same answer
SIMULATION_SEED = 20140923


@dataclass
class SettlementForecast:
    """Simulated cumulative paths from the quarter after ``last_period`` to ``horizon``."""

    history: pd.Series  # quarterly flows, index = quarter
    achieved: float  # cumulative flow since the baseline up to last_period
    quarters: list[str]  # future quarters
    paths: np.ndarray  # (n_paths, len(quarters)) cumulative totals including ``achieved``
    method: str
    fitted: pd.Series | None = None  # in-sample one-step fitted flows, index = quarter
    method_key: str = "ets"  # which method made the paths (analytics.skill.METHODS)
    calibration: object | None = None  # analytics.calibration.Calibration when calibrated

    @property
    def last_period(self) -> str:
        return str(self.history.index[-1])

    def fan(self, alpha: float = 0.05) -> pd.DataFrame:
        lo, mid, hi = np.quantile(self.paths, [alpha / 2, 0.5, 1 - alpha / 2], axis=0)
        return pd.DataFrame({"period": self.quarters, "value": mid, "lower": lo, "upper": hi})

    def probability(self, target: float, by: str) -> float:
        """Share of paths at or above ``target`` at quarter ``by`` (1.0 if already reached)."""
        if self.achieved >= target:
            return 1.0
        if by <= self.last_period:
            return 0.0
        if by not in self.quarters:
            raise ValueError(f"{by} is beyond the simulated horizon {self.quarters[-1]}")
        return float((self.paths[:, self.quarters.index(by)] >= target).mean())

    def reach_quarters(self, target: float) -> pd.Series:
        """Share of paths reaching ``target`` first in each quarter ('later' beyond horizon)."""
        hit = self.paths >= target
        first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        labels = np.array([*self.quarters, "later"], dtype=object)[first]
        return (
            pd.Series(labels)
            .value_counts(normalize=True)
            .reindex([*self.quarters, "later"], fill_value=0.0)
        )

    def median_reach(self, target: float) -> str | None:
        """Quarter by which half the paths have reached the target (None beyond horizon)."""
        if self.achieved >= target:
            return self.last_period
        share = self.reach_quarters(target).cumsum()
        reached = share[share >= 0.5]
        return None if reached.empty or reached.index[0] == "later" else str(reached.index[0])


def forecast_settlements(
    flows: pd.Series,
    baseline: str,
    horizon: str,
    n_paths: int = N_PATHS,
    seed: int | None = None,
    multiplier: float | np.ndarray = 1.0,
    extra: np.ndarray | None = None,
) -> SettlementForecast:
    """Fit the product's ETS and simulate the cumulative settlements.

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlements (settled_rural + settled_other), index 'YYYYQn', no gaps.
    baseline : str
        The last quarter before the count starts (the target's baseline).
    horizon : str
        The last quarter to simulate (the target's quarter, or later for reach dates).
    n_paths : int
        Paths simulated.
    seed : int or None
        The simulations' seed (None: the product's).
    multiplier : float or numpy.ndarray
        Scales simulated future flows (a planner's what-if; 1.0 = baseline): a number, or one
        number per future quarter.
    extra : numpy.ndarray or None
        Settlements added to each future quarter (a policy surge), one number per quarter.

    Returns
    -------
    SettlementForecast
        The achieved count, the simulated cumulative paths and the model's description.
    """
    if np.any(np.asarray(multiplier) < 0):
        raise ValueError(f"the multiplier cannot be negative: {np.min(multiplier):g}")
    flows = flows.sort_index().astype(float)
    if len(flows) < MIN_QUARTERS:
        raise ValueError(f"too little history: {len(flows)} quarters, need {MIN_QUARTERS}")
    expected = periods.quarter_range(flows.index[0], flows.index[-1])
    if list(flows.index) != expected:
        missing = sorted(set(expected) - set(flows.index))
        raise ValueError(f"the quarterly series has gaps: {', '.join(missing[:4])}")
    last = flows.index[-1]
    quarters = periods.quarter_range(periods.shift(last, 1), horizon) if horizon > last else []
    achieved = float(flows[flows.index >= baseline].sum())
    if not quarters:
        return SettlementForecast(flows, achieved, [], np.empty((n_paths, 0)), "none")
    y = pd.Series(
        flows.to_numpy(), index=pd.period_range(flows.index[0], periods=len(flows), freq="Q")
    )
    model = ETSModel(
        y.clip(lower=1.0),
        error="mul",
        trend="add",
        damped_trend=True,
        seasonal="mul",
        seasonal_periods=4,
    )
    fit = model.fit(disp=False, maxiter=2000)
    sims = fit.simulate(
        len(quarters),
        anchor="end",
        repetitions=n_paths,
        rng=np.random.default_rng(SIMULATION_SEED if seed is None else seed),
    )
    future = np.clip(np.asarray(sims, dtype=float).T, 0, None)  # (paths, h)
    future = future * np.broadcast_to(np.asarray(multiplier, dtype=float), (len(quarters),))
    if extra is not None:
        future = future + np.asarray(extra, dtype=float)
    paths = achieved + np.cumsum(future, axis=1)
    return SettlementForecast(
        flows,
        achieved,
        quarters,
        paths,
        "ETS(M,Ad,M): damped additive trend, quarterly multiplicative "
        f"seasonality, {n_paths:,} simulated paths",
        fitted=pd.Series(np.asarray(fit.fittedvalues, dtype=float), index=flows.index),
    )
