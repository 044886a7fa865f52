"""Rolling-origin backtests: forecast from past origins with only the data known then, compare
with what happened, and report the error and how often the 95% interval held the outcome."""

from __future__ import annotations

import pandas as pd

from analytics.settlement_forecast import MIN_QUARTERS, forecast_settlements
from analytics.urbanization_forecast import fit_logit_linear
from data.reference import periods

COLUMNS = ["origin", "period", "forecast", "lower", "upper", "actual", "error_pct", "covered"]


def backtest_settlements(
    flows: pd.Series, baseline: str = "2014Q1", horizon: int = 4, n_paths: int = 2000, seed: int = 1
) -> pd.DataFrame:
    """Cumulative settlements ``horizon`` quarters ahead from every origin with enough history."""
    flows = flows.sort_index()
    rows = []
    for origin in flows.index[MIN_QUARTERS - 1 : len(flows) - horizon]:
        target = periods.shift(origin, horizon)
        fc = forecast_settlements(
            flows[flows.index <= origin], baseline, target, n_paths=n_paths, seed=seed
        )
        fan = fc.fan().set_index("period").loc[target]
        actual = float(flows[(flows.index >= baseline) & (flows.index <= target)].sum())
        rows.append(
            (
                origin,
                target,
                fan.value,
                fan.lower,
                fan.upper,
                actual,
                100 * (fan.value - actual) / actual,
                fan.lower <= actual <= fan.upper,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def backtest_urbanization(
    series: pd.DataFrame, basis: str = "census2010", horizon: int = 1, min_points: int = 4
) -> pd.DataFrame:
    """The urbanization rate ``horizon`` years ahead from every origin year of one basis."""
    part = series[series.basis == basis].sort_values("year")
    rows = []
    for origin in part.year.iloc[min_points - 1 :]:
        target = int(origin) + horizon
        actual = part[part.year == target]
        if actual.empty:
            continue
        fit = fit_logit_linear(part[part.year <= origin], basis)
        pred = fit.predict([target]).iloc[0]
        a = float(actual.value.iloc[0])
        rows.append(
            (
                str(int(origin)),
                str(target),
                pred.value,
                pred.lower,
                pred.upper,
                a,
                100 * (pred.value - a) / a,
                pred.lower <= a <= pred.upper,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(frame: pd.DataFrame) -> dict:
    """Mean absolute percentage error and interval coverage."""
    if frame.empty:
        return {"n": 0, "mape": None, "coverage": None}
    return {
        "n": len(frame),
        "mape": float(frame.error_pct.abs().mean()),
        "coverage": float(frame.covered.mean()),
    }


def run_backtests(obs: pd.DataFrame, official: pd.DataFrame, registry: pd.DataFrame) -> dict:
    """Rolling-origin backtests of both methods (settlements: 4 quarters ahead; urbanization:
    1 year ahead) with their summaries, by indicator."""
    from analytics.aggregate import aggregate
    from data.reference.official import province_series

    flows = aggregate(obs, registry, "province").set_index("period").settled_total
    settled = backtest_settlements(flows.dropna())
    rate = backtest_urbanization(province_series("urbanization_rate", official))
    return {
        "settled_cumulative": (settled, summary(settled)),
        "urbanization_rate": (rate, summary(rate)),
    }
