"""Rolling-origin backtests: forecast from past origins with only the data known then, compare
with what happened, and report the error and how often the 95% interval held the outcome."""

from __future__ import annotations

import pandas as pd

from analytics import calibration
from analytics.urbanization_forecast import fit_logit_linear

COLUMNS = ["origin", "period", "forecast", "lower", "upper", "actual", "error_pct", "covered"]


def backtest_settlements(
    flows: pd.Series, baseline: str = "2014Q1", horizon: int = 4
) -> pd.DataFrame:
    """Cumulative settlements some quarters ahead from every origin with enough history.

    By the method a target is judged by (``analytics.calibration.calibrate``: the method the
    rule picks, its 95% band stretched by the calibration factor of the horizon; the product's
    ETS as it is when the history is too short to judge).

    Parameters
    ----------
    flows : pandas.Series
        Quarterly settlements indexed by quarter.
    baseline : str
        The quarter the cumulative count starts after.
    horizon : int
        Quarters ahead.

    Returns
    -------
    pandas.DataFrame
        One row per origin: the forecast, its 95% band and the actual.
    """

    flows = flows.sort_index()
    cal = calibration.calibrate(flows)
    part = cal.frame[
        (cal.frame.method == cal.method)
        & (cal.frame.quantity == "cumulative")
        & (cal.frame.h == horizon)
    ] if len(cal.frame) else pd.DataFrame(columns=["origin", "period", "point", "lower95",
                                                   "upper95", "actual"])  # fmt: skip
    if cal.judged:
        part = calibration.widen(part, cal.factor(horizon))
    done = pd.Series(
        [float(flows[(flows.index >= baseline) & (flows.index <= o)].sum()) for o in part.origin],
        index=part.index,
        dtype=float,
    )
    out = pd.DataFrame(
        {
            "origin": part.origin,
            "period": part.period,
            "forecast": done + part.point,
            "lower": done + part.lower95,
            "upper": done + part.upper95,
            "actual": done + part.actual,
        }
    )
    out["error_pct"] = 100 * (out.forecast - out.actual) / out.actual
    out["covered"] = (out.lower <= out.actual) & (out.actual <= out.upper)
    out = out[COLUMNS].reset_index(drop=True)
    row = cal.table[(cal.table.method == cal.method) & (cal.table.h == horizon)]
    out.attrs = {
        "method": cal.method,
        "calibrated": cal.judged,
        # the coverage with each origin's own factor, from the outcomes known then
        "out_of_sample": float(row.coverage95_out_of_sample.iloc[0])
        if cal.judged and len(row)
        else None,
    }
    return out


def backtest_urbanization(
    series: pd.DataFrame, basis: str = "census2010", horizon: int = 1, min_points: int = 4
) -> pd.DataFrame:
    """The urbanization rate some years ahead from every origin year of one basis.

    Parameters
    ----------
    series : pandas.DataFrame
        The official annual rate with year, value and basis.
    basis : str
        The census basis.
    horizon : int
        Years ahead.
    min_points : int
        Years of history an origin needs.

    Returns
    -------
    pandas.DataFrame
        One row per origin: the forecast, its 95% interval and the actual.
    """
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
    """A backtest's mean absolute percentage error and interval coverage.

    Parameters
    ----------
    frame : pandas.DataFrame
        A backtest (``backtest_settlements``, ``backtest_urbanization``).

    Returns
    -------
    dict
        The error and the coverage, the coverage only where ``analytics.skill.MIN_CASES``
        forecasts can judge it (else None: too short a history).
    """
    from analytics.skill import MIN_CASES

    if frame.empty:
        return {"n": 0, "mape": None, "coverage": None, "judged": False}
    judged = len(frame) >= MIN_CASES
    return {
        "n": len(frame),
        "mape": float(frame.error_pct.abs().mean()),
        "coverage": float(frame.covered.mean()) if judged else None,
        "judged": judged,
        "method": frame.attrs.get("method", "logit"),
        "calibrated": bool(frame.attrs.get("calibrated", False)),
        "out_of_sample": frame.attrs.get("out_of_sample") if judged else None,
    }


def rate_as_of(official: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The urbanization rate's backtest as of each year's end.

    Figures public by then only, across the census break
    (``urbanization_forecast.backtest_as_of``).

    Parameters
    ----------
    official : pandas.DataFrame
        The official series with the dates their figures became public.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The backtest in the table's columns, and its summary with the naive answer's error and
        the scores per horizon beside it.
    """
    from analytics import urbanization_forecast as uf

    cases = uf.backtest_as_of(official)
    if cases.empty:
        return pd.DataFrame(columns=COLUMNS), summary(pd.DataFrame(columns=COLUMNS))
    covered = (cases.lower95 <= cases.actual) & (cases.actual <= cases.upper95)
    table = pd.DataFrame(
        {
            "origin": cases.as_of,
            "period": cases.year.astype(str),
            "forecast": cases.forecast,
            "lower": cases.lower95,
            "upper": cases.upper95,
            "actual": cases.actual,
            "error_pct": 100 * (cases.forecast - cases.actual) / cases.actual,
            "covered": covered,
        }
    )[COLUMNS]
    out = summary(table) | {
        "first": str(cases.as_of.min()),
        "last": str(cases.as_of.max()),
        "mae_pp": float((cases.forecast - cases.actual).abs().mean()),
        "mae_naive_pp": float((cases.naive - cases.actual).abs().mean()),
        "by_h": uf.backtest_scores(cases).to_dict("records"),
    }
    # every case is out of sample by construction (only what was public at its as-of date)
    out["out_of_sample"] = out["coverage"]
    return table, out


def run_backtests(obs: pd.DataFrame, official: pd.DataFrame, registry: pd.DataFrame) -> dict:
    """Backtests with their summaries, by indicator.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    official : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    dict
        Settlements 4 quarters ahead from every origin; the urbanization rate 1-5 years ahead
        as of each year's end (``rate_as_of``).
    """
    from analytics.aggregate import aggregate

    flows = aggregate(obs, registry, "province").set_index("period").settled_total
    settled = backtest_settlements(flows.dropna())
    return {
        "settled_cumulative": (settled, summary(settled)),
        "urbanization_rate": rate_as_of(official),
    }
