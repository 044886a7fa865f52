"""Aggregate county observations to cities and the province, and derive indicators.

Flows and stocks are summed over regions (flows per quarter; stocks as reported at quarter end);
ratios are recomputed from summed numerators and denominators, never averaged. City totals
follow the statistical parent, so 杨凌示范区 (610403) stands beside the ten cities.
"""

from __future__ import annotations

import pandas as pd

from data.reference import indicators
from data.reference.targets import SETTLEMENT_BASELINE
from geo.regions import PROVINCE_CODE, reporting_unit

LEVELS = ("county", "city", "province")


def to_wide(obs: pd.DataFrame) -> pd.DataFrame:
    """Tidy observations to one row per region and period.

    Parameters
    ----------
    obs : pandas.DataFrame
        region_code, indicator, period, value.

    Returns
    -------
    pandas.DataFrame
        One column per indicator.
    """
    wide = obs.pivot_table(
        index=["region_code", "period"], columns="indicator", values="value", aggfunc="first"
    ).reset_index()
    wide.columns.name = None
    return wide


def aggregate(obs: pd.DataFrame, registry: pd.DataFrame, level: str) -> pd.DataFrame:
    """Wide county, city or province values with derived indicators.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy county observations (region_code, indicator, period, value).
    registry : pandas.DataFrame
        The region registry (``geo.regions.load_registry``).
    level : str
        "county", "city" (ten cities plus 杨凌示范区) or "province".

    Returns
    -------
    pandas.DataFrame
        One row per region and period (``derive``'s columns).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    wide = to_wide(obs)
    if level == "city":
        wide = wide.assign(region_code=wide.region_code.map(reporting_unit(registry)))
    elif level == "province":
        wide = wide.assign(region_code=PROVINCE_CODE)
    reported = [c for c in indicators.REPORTED_CODES if c in wide]
    if level != "county":
        # min_count keeps a region-period missing when none of its counties reported it
        wide = wide.groupby(["region_code", "period"], as_index=False)[reported].sum(min_count=1)
    return derive(wide)


def derive(wide: pd.DataFrame) -> pd.DataFrame:
    """Add settled_total, the urbanization rates and the gap between them (percentage points).

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per region and period (``to_wide``).

    Returns
    -------
    pandas.DataFrame
        A copy with the derived columns.
    """
    out = wide.copy()
    if {"settled_rural", "settled_other"} <= set(out):
        out["settled_total"] = out.settled_rural + out.settled_other
    for ind in indicators.INDICATORS:
        if ind.kind == "ratio" and {ind.numerator, ind.denominator} <= set(out):
            out[ind.code] = 100 * out[ind.numerator] / out[ind.denominator]
    if {"urbanization_rate", "hukou_urbanization_rate"} <= set(out):
        out["urbanization_gap"] = out.urbanization_rate - out.hukou_urbanization_rate
    return out.sort_values(["region_code", "period"]).reset_index(drop=True)


def cumulative(
    wide: pd.DataFrame,
    column: str = "settled_total",
    since: str | pd.Series = SETTLEMENT_BASELINE,
) -> pd.Series:
    """Running total of a flow per region from a quarter on: the product's one rule.

    Cumulative settlement everywhere in the product is this rule, from the settlement baseline
    unless a target names its own.

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per region and period.
    column : str
        The flow.
    since : str or pandas.Series
        The first quarter counted (inclusive); a Series aligned with ``wide`` for one per row
        (e.g. each city's allocation baseline).

    Returns
    -------
    pandas.Series
        Aligned with ``wide``'s rows, NaN before ``since``.
    """
    part = wide[wide.period >= since].sort_values(["region_code", "period"])
    return part.groupby("region_code")[column].cumsum().reindex(wide.index)


def province_cumulative(
    obs: pd.DataFrame, registry: pd.DataFrame, as_of: str | None = None
) -> pd.Series:
    """The province's cumulative settlement per quarter, from the settlement baseline on.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.
    as_of : str or None
        The last quarter; None: all.

    Returns
    -------
    pandas.Series
        Indexed by period.
    """
    wide = aggregate(obs, registry, "province")
    if as_of is not None:
        wide = wide[wide.period <= as_of]
    return cumulative(wide).set_axis(wide.period).dropna()
