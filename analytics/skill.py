"""How good the settlement forecast is, against simple methods (the M4 competition's practice),
and the calibration that makes its 95% mean 95%.

Rolling-origin forecasts of the quarterly settlement flow and of the cumulative settlements
ahead (the sum of the flows from the origin), 1 to 8 quarters ahead. Every method simulates
future flows, given only the quarters up to its origin; bands are quantiles of the paths, and
cumulative bands quantiles of their running sums, so one path set serves the fan, the band and
the probability of reaching a target.

The methods are ``analytics.forecast_methods``'s (the product's ETS, the additive ETS,
seasonal naive, drift and Theta). The judgements built on this module: ``analytics.evaluation``
(the targets' Brier scores, a region's and each city's evaluation) and ``analytics.rate_skill``
(the annual urbanization rate).

Scores (hand-checked in the tests): MASE divides the mean absolute error by the in-sample mean
absolute seasonal difference at the origin (cumulative errors by the same flow scale); the
interval score of a central (1 - a) interval [l, u] for an outcome y is (u - l) + 2/a (l - y)
when y < l, + 2/a (y - u) when y > u; the Brier score is the mean squared difference between
the probability of reaching a target by its date and what happened.

Calibration (split-conformal widening per horizon, out of sample by construction): at each
origin and horizon, the factor by which the 95% band of the cumulative settlements ahead would
have to be stretched about its median to hold the outcome (its *score*). The factor of a
forecast made at an origin uses only the scores whose outcomes were known at that origin: the
finite-sample split-conformal quantile, the ceil((n+1)·0.95)-th smallest of the n scores; while
n is below 19 (too few for that rank), the largest score, so the band is widened to hold every
outcome seen; never below 1 (``conformal_factor``). The coverage the product reports is the
out-of-sample one: each backtest forecast stretched by the factor known at its own origin
(``out_of_sample``); the in-sample figure (the final factor scored on the cases it was made
from) is shown only labelled as such. A horizon needs ``MIN_CASES`` origins before a factor is
applied to a target's forecast; beyond the longest one judged, the factor is extrapolated by a
power law in the horizon fitted to the judged ones, never below the last judged one
(``Calibration.factor``).

The rule that picks the method for a target (``choose``), on past outcomes only: among the
methods whose calibrated band held at least 90% out of sample, the lowest mean out-of-sample 95%
interval score of the cumulative band over the horizons judged.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.forecast_methods import METHODS, SEASON, simulate
from analytics.settlement_forecast import (
    MIN_QUARTERS,
    SIMULATION_SEED,
    SettlementForecast,
    forecast_settlements,
)
from data.reference import periods

HORIZONS = tuple(range(1, 9))
LEVELS = (0.8, 0.95)
QUANTITIES = ("flow", "cumulative")
# fewer origins than this at a horizon: its coverage is not judged; one miss in 10 is 90%, so
# fewer cannot show a 95% band's coverage within 90-98%
MIN_CASES = 10
CALIBRATION_LEVEL = 0.95
# the out-of-sample 95% coverage the product aims at; below it the pages say so in words
COVERAGE_GOAL = 0.90
# a Brier score needs this many independent outcomes (targets judged); with fewer the
# outcomes and the probabilities given are shown instead of a score
MIN_BRIER_EVENTS = 10
BACKTEST_PATHS = 1000


def mase(actual, forecast, insample, m: int = SEASON) -> float:
    """Mean absolute scaled error of ``forecast`` against ``actual``, scaled by the mean
    absolute ``m``-step difference of ``insample``."""
    actual, forecast, insample = (np.asarray(x, dtype=float) for x in (actual, forecast, insample))
    scale = np.mean(np.abs(insample[m:] - insample[:-m]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def interval_score(actual, lower, upper, alpha: float) -> float:
    """Mean interval (Winkler) score of central ``1 - alpha`` intervals (lower is better)."""
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    penalty = (2 / alpha) * (np.clip(lo - y, 0, None) + np.clip(y - hi, 0, None))
    return float(np.mean(hi - lo + penalty))


def coverage(actual, lower, upper) -> float:
    """Share of outcomes inside their intervals."""
    y, lo, hi = (np.asarray(x, dtype=float) for x in (actual, lower, upper))
    return float(np.mean((lo <= y) & (y <= hi)))


def brier(probability, outcome) -> float:
    """Mean squared difference between forecast probabilities and what happened (0 or 1)."""
    p, o = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2))


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
    """Every method's forecast from every origin with ``MIN_QUARTERS`` of history and an
    outcome to compare: origin, method, quantity (flow, cumulative), h, period, actual, point
    (the paths' median), lower/upper at 80% and 95%, and the origin's in-sample scale (mean
    absolute seasonal difference of the flows)."""
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
    """Per method and horizon, for one quantity: cases, MASE, coverage of the 80% and 95%
    intervals, the 95% interval score (scaled like MASE), and skill against the seasonal naive
    (1 - MASE ratio); empty when there was no origin to forecast from."""
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
    """The lowest mean 95% interval score over the horizons of ``table``."""
    return str(table.groupby("method").interval_score95.mean().idxmin())


# ---- calibration -------------------------------------------------------------------------


def stretch_needed(part: pd.DataFrame) -> np.ndarray:
    """For each forecast, the factor by which its 95% band must be stretched about its point
    to hold the outcome (0 at the point, 1 on the band's edge)."""
    y, point = part.actual.to_numpy(), part.point.to_numpy()
    up = np.maximum(part.upper95.to_numpy() - point, 1e-9)
    down = np.maximum(point - part.lower95.to_numpy(), 1e-9)
    return np.where(y >= point, (y - point) / up, (point - y) / down)


def widen(part: pd.DataFrame, factor) -> pd.DataFrame:
    """The 95% bands of ``part`` stretched about their points by ``factor`` (never below 0)."""
    f = np.asarray(factor, dtype=float)
    return part.assign(
        lower95=np.clip(part.point - f * (part.point - part.lower95), 0, None),
        upper95=part.point + f * (part.upper95 - part.point),
    )


def conformal_factor(need: np.ndarray, level: float = CALIBRATION_LEVEL) -> float:
    """The band's stretch from past stretch scores (``stretch_needed``): the finite-sample
    split-conformal quantile, the ceil((n+1)·level)-th smallest of the n scores. While n is too
    small for that rank (n < 19 at 95%), the largest score: the band widened just enough to
    hold every outcome seen so far. No scores yet: 1 (the method's own band). Never below 1: a
    band is only narrowed on evidence judged out of sample, which a handful of origins is not."""
    n = len(need)
    if n == 0:
        return 1.0
    k = min(math.ceil((n + 1) * level), n)
    return max(1.0, float(np.sort(need)[k - 1]))


def out_of_sample(part: pd.DataFrame, need: np.ndarray, level: float = CALIBRATION_LEVEL):
    """For each forecast of ``part`` (one method, one horizon), the factor it would have had at
    its origin (``conformal_factor`` over the scores whose outcomes were known then: outcome
    quarter not after the origin) and whether the band so stretched held the outcome."""
    origin = part.origin.to_numpy()
    outcome = part.period.to_numpy()
    factors = np.array([conformal_factor(need[outcome <= o], level) for o in origin])
    return factors, need <= factors


def calibration_table(frame: pd.DataFrame, level: float = CALIBRATION_LEVEL) -> pd.DataFrame:
    """Per method and horizon of the cumulative settlements ahead: cases, the calibration
    factor for a forecast made now (``conformal_factor`` over every outcome known; NaN when
    fewer than ``MIN_CASES``), the 95% coverage before, after calibration in sample (the
    factor scored on the cases it was made from: optimistic by construction, shown labelled),
    and **out of sample**: each forecast stretched by the factor known at its origin, time
    ordered (``out_of_sample``), and the calibrated band's interval score."""
    rows = []
    cum = frame[frame.quantity == "cumulative"] if len(frame) else frame
    for (method, h), part in cum.groupby(["method", "h"], sort=True) if len(cum) else []:
        part = part.sort_values("origin")
        need = stretch_needed(part)
        n = len(need)
        judged = n >= MIN_CASES
        factor = conformal_factor(need, level) if judged else np.nan
        known_then, held = out_of_sample(part, need, level)
        wide = widen(part, known_then)  # scored as it would have been drawn at each origin
        rows.append(
            {
                "method": method,
                "h": int(h),
                "cases": n,
                "factor": factor,
                "coverage95": coverage(part.actual, part.lower95, part.upper95),
                "calibrated95": float(np.mean(need <= factor)) if judged else np.nan,
                "coverage95_out_of_sample": float(np.mean(held)) if n else np.nan,
                "interval_score95": interval_score(
                    wide.actual / wide.scale,
                    wide.lower95 / wide.scale,
                    wide.upper95 / wide.scale,
                    0.05,
                )
                if judged
                else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["method", "h", "cases", "factor", "coverage95", "calibrated95",
                 "coverage95_out_of_sample", "interval_score95"],
    )  # fmt: skip


def out_of_sample_coverage(table: pd.DataFrame, method: str) -> dict:
    """One method's out-of-sample 95% coverage over every horizon (cases-weighted) with the
    number of cases: the figure the product reports as its coverage."""
    mine = table[(table.method == method) & table.coverage95_out_of_sample.notna()]
    cases = int(mine.cases.sum())
    held = float((mine.coverage95_out_of_sample * mine.cases).sum() / cases) if cases else None
    return {"coverage95_out_of_sample": held, "cases": cases}


def choose(table: pd.DataFrame) -> str | None:
    """The rule that picks the method for a target, on past outcomes only: among the methods
    whose calibrated band held at least ``COVERAGE_GOAL`` of the outcomes out of sample (each
    origin's factor from what was known then), the lowest mean out-of-sample 95% interval
    score over the horizons judged for every method; when none holds that much, the lowest
    score of all (the pages then say the band falls short). None when no horizon could be
    judged."""
    judged = table.dropna(subset=["factor"])
    common = judged.groupby("h").method.nunique()
    horizons = common[common == table.method.nunique()].index
    judged = judged[judged.h.isin(horizons)]
    if judged.empty:
        return None
    held = {m: out_of_sample_coverage(table, m)["coverage95_out_of_sample"] for m in judged.method}
    good = [m for m, v in held.items() if v is not None and v >= COVERAGE_GOAL]
    pool = judged[judged.method.isin(good)] if good else judged
    return str(pool.groupby("method").interval_score95.mean().idxmin())


@dataclass(frozen=True)
class Calibration:
    """What the backtest of one flow series says: the picked method and its factor per
    horizon (empty when the history is too short to judge any)."""

    method: str
    factors: dict[int, float] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    flow_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    origins: int = 0
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)  # every forecast (``forecasts``)

    @property
    def judged(self) -> bool:
        return bool(self.factors)

    def factor(self, h: int) -> float:
        """The factor for ``h`` quarters ahead. Beyond the longest horizon judged it is
        extrapolated by a power law in the horizon fitted to the judged factors (never below
        the last judged one), since errors grow with the horizon."""
        if not self.factors:
            return 1.0
        if h in self.factors:
            return self.factors[h]
        last = max(self.factors)
        if h < min(self.factors):
            return self.factors[min(self.factors)]
        return self.factors[last] * (h / last) ** self.growth

    @property
    def growth(self) -> float:
        """The exponent b of factor ~ h^b over the judged horizons, between 0 and 1."""
        if len(self.factors) < 2:
            return 0.5  # one horizon: the square root, as errors of a random walk grow
        hs = np.array(sorted(self.factors), dtype=float)
        ks = np.array([self.factors[int(h)] for h in hs])
        return float(np.clip(np.polyfit(np.log(hs), np.log(np.maximum(ks, 1e-9)), 1)[0], 0, 1))

    def chosen(self) -> pd.DataFrame:
        return self.table[self.table.method == self.method]

    @property
    def out_of_sample(self) -> dict:
        """The picked method's out-of-sample 95% coverage over every horizon, with its cases."""
        return out_of_sample_coverage(self.table, self.method)


def _key(flows: pd.Series) -> tuple:
    return tuple(map(str, flows.index)), tuple(np.round(flows.to_numpy(dtype=float), 6))


@functools.lru_cache(maxsize=32)
def _calibrate(key: tuple, seed: int, n_paths: int) -> Calibration:
    flows = pd.Series(key[1], index=list(key[0]), dtype=float)
    frame = forecasts(flows, n_paths=n_paths, seed=seed)
    table = calibration_table(frame)
    method = choose(table)
    origins = frame.origin.nunique() if len(frame) else 0
    if method is None:
        return Calibration("ets", {}, table, scores(frame), origins, frame)
    mine = table[(table.method == method) & table.factor.notna()]
    factors = {int(h): float(f) for h, f in zip(mine.h, mine.factor, strict=True)}
    return Calibration(method, factors, table, scores(frame), origins, frame)


def calibrate(flows: pd.Series, seed: int = 1, n_paths: int = BACKTEST_PATHS) -> Calibration:
    """Backtest every method on ``flows`` and calibrate the one the rule picks (cached by the
    series: the same history is backtested once per process)."""
    return _calibrate(_key(flows.sort_index().astype(float)), seed, n_paths)


def stretch_paths(future: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Cumulative future paths (paths, h) stretched about their median per horizon, kept
    non-decreasing and non-negative (settlements are never undone)."""
    mid = np.median(future, axis=0)
    out = np.clip(mid + factors * (future - mid), 0, None)
    return np.maximum.accumulate(out, axis=1)


def calibrated_settlements(
    flows: pd.Series,
    baseline: str,
    horizon: str,
    n_paths: int = 10_000,
    seed: int | None = None,
    multiplier: float | np.ndarray = 1.0,
    extra: np.ndarray | None = None,
) -> SettlementForecast:
    """The settlement forecast a target is judged by: the method the rule picks on ``flows``'
    own backtest, its paths stretched per horizon by the calibration factors (a planner's
    ``multiplier`` and ``extra`` apply to the calibrated flows). Too short a history to judge:
    the product's ETS as it is, and ``calibration.judged`` is False."""
    flows = flows.sort_index().astype(float)
    fc = forecast_settlements(flows, baseline, horizon, n_paths=n_paths, seed=seed)
    cal = calibrate(flows)
    if not fc.quarters:
        return fc
    h = len(fc.quarters)
    rng_seed = SIMULATION_SEED if seed is None else seed
    future = (
        fc.paths - fc.achieved
        if cal.method == "ets"
        else np.cumsum(simulate(cal.method, flows, h, n_paths, rng_seed), axis=1)
    )
    if cal.judged:
        future = stretch_paths(future, np.array([cal.factor(s) for s in range(1, h + 1)]))
    step = np.diff(np.column_stack([np.zeros(len(future)), future]), axis=1)
    step = step * np.broadcast_to(np.asarray(multiplier, dtype=float), (h,))
    if extra is not None:
        step = step + np.asarray(extra, dtype=float)
    fc.paths = fc.achieved + np.cumsum(step, axis=1)
    fc.method_key = cal.method
    fc.calibration = cal
    if cal.method != "ets":
        fc.fitted = None  # the ETS's in-sample fit is not this method's
    fc.method = f"{METHOD_NAMES[cal.method]}, {n_paths:,} simulated paths, " + (
        f"stretched per horizon to hold 95% of backtest outcomes (rolling origins, "
        f"{cal.origins} origins)"
        if cal.judged
        else "not calibrated: too few origins to judge its coverage"
    )
    return fc


METHOD_NAMES = {
    "ets": "ETS(M,Ad,M) (damped additive trend, multiplicative seasonality)",
    "ets_add": "ETS(A,Ad,A) (damped additive trend, additive seasonality and errors)",
    "snaive": "seasonal random walk",
    "drift": "random walk with drift",
    "theta": "Theta method",
}


def _plain(value):
    return None if isinstance(value, float) and np.isnan(value) else value


def calibration_record(cal: Calibration) -> dict:
    """The calibration as a target record carries it (JSON-ready): the method picked, whether
    any horizon was judged, per horizon of the picked method its cases, factor and 95% coverage
    before, after and with each origin left out, and every method's mean calibrated interval
    score and mean MASE of the flow (the simple benchmarks beside it)."""
    table = cal.table
    judged = table.dropna(subset=["factor"])
    flow = cal.flow_scores
    return {
        "method": cal.method,
        "judged": cal.judged,
        "origins": cal.origins,
        **cal.out_of_sample,
        "min_cases": MIN_CASES,
        "horizons": [
            {k: _plain(float(v)) if k != "h" and k != "cases" else int(v) for k, v in r.items()
             if k != "method"}
            for r in cal.chosen().to_dict("records")
        ],
        "methods": [
            {
                "method": m,
                "interval_score95": _plain(float(judged[judged.method == m].interval_score95.mean()))
                if (judged.method == m).any()
                else None,
                "mase": float(flow[flow.method == m].mase.mean()) if len(flow) else None,
            }
            for m in METHODS
        ],
    }  # fmt: skip
