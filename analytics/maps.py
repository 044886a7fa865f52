"""Map numbers: the value of a map indicator per region and quarter, its classification, and
the simplified boundary layers (cached under the var folder). ``analytics.render.choropleth``
draws them."""

from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

from analytics import census
from analytics.aggregate import aggregate, cumulative
from data import settings
from data.reference import periods
from data.reference.targets import SETTLEMENT_BASELINE
from geo import boundaries
from geo.regions import default_resolver, reporting_unit, reporting_units


@dataclass(frozen=True)
class MapIndicator:
    code: str
    source: str  # column of the aggregated frame (or derived below)
    unit_zh: str
    unit_en: str
    scale: float = 1.0  # divide values by this for display (1e4: 万人)
    decimals: int = 0
    census: bool = False  # from the 2010 and 2020 censuses (real), not from the returns
    change_key: str = "map.change"  # what the "previous" value beside it is


MAP_INDICATORS: dict[str, MapIndicator] = {
    "settled_cumulative": MapIndicator(
        "settled_cumulative", "settled_total", "万人", "10,000 persons", 1e4, 1
    ),
    "settled_total": MapIndicator("settled_total", "settled_total", "人", "persons"),
    "settled_per_10k": MapIndicator(
        "settled_per_10k", "settled_total", "人/万人", "per 10,000 residents", 1, 1
    ),
    "settled_cum_per_10k": MapIndicator(
        "settled_cum_per_10k", "settled_total", "人/万人", "per 10,000 residents", 1, 0
    ),
    "urbanization_rate": MapIndicator("urbanization_rate", "urbanization_rate", "%", "%", 1, 2),
    "hukou_urbanization_rate": MapIndicator(
        "hukou_urbanization_rate", "hukou_urbanization_rate", "%", "%", 1, 2
    ),
    "urbanization_gap": MapIndicator("urbanization_gap", "urbanization_gap", "百分点", "pp", 1, 2),
    "residence_permits": MapIndicator("residence_permits", "residence_permits", "张", "permits"),
    "target_share": MapIndicator("target_share", "settled_total", "%", "%", 1, 1),
    # real figures of the 2010 and 2020 censuses (analytics.census)
    "census_rate_2020": MapIndicator(
        "census_rate_2020", "census", "%", "%", 1, 2, True, "map.change_2010"
    ),
    "census_rate_2010": MapIndicator("census_rate_2010", "census", "%", "%", 1, 2, True),
    "census_rate_change": MapIndicator("census_rate_change", "census", "百分点", "pp", 1, 2, True),
    "census_urban_growth_pct": MapIndicator(
        "census_urban_growth_pct", "census", "%", "%", 1, 1, True
    ),
    "census_urban_growth": MapIndicator(
        "census_urban_growth", "census", "万人", "10,000 persons", 1e4, 2, True
    ),
    "census_pop_change": MapIndicator(
        "census_pop_change", "census", "万人", "10,000 persons", 1e4, 2, True
    ),
    "census_pop_change_pct": MapIndicator("census_pop_change_pct", "census", "%", "%", 1, 1, True),
}
CENSUS_INDICATORS = tuple(k for k, v in MAP_INDICATORS.items() if v.census)
CLASSIFIERS = ("quantiles", "natural_breaks", "equal_interval")


def offered(has_returns: bool, has_allocations: bool) -> list[str]:
    """The indicators a map can be drawn of (the map page's list and ``urbdash map``'s).

    Parameters
    ----------
    has_returns : bool
        Whether the store holds returns.
    has_allocations : bool
        Whether cities have allocations of the settlement target.

    Returns
    -------
    list of str
        Those of the returns when the store holds any (the share of a target only with
        allocations), then the censuses' (real figures, on any store).
    """
    from_returns = [
        i
        for i, spec in MAP_INDICATORS.items()
        if has_returns and not spec.census and (i != "target_share" or has_allocations)
    ]
    return from_returns + list(CENSUS_INDICATORS)


def map_values(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    period: str,
    city: str | None = None,
    allocations: pd.DataFrame | None = None,
    official: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per region of a level with an indicator's value, its previous value and its rank.

    A census indicator takes its values from ``official`` (the county census rows) and ignores
    ``obs`` and ``period``. ``target_share`` is the cumulative settled since each allocation's
    baseline as a % of the allocation; regions without one are NaN.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry (its names are shown).
    level : str
        "city" or "county".
    indicator : str
        An indicator of ``offered``.
    period : str
        The quarter.
    city : str or None
        Only the counties of this reporting unit.
    allocations : pandas.DataFrame or None
        region_code, value, baseline_period (``target_share`` needs them).
    official : pandas.DataFrame or None
        The official series (the census indicators need it).

    Returns
    -------
    pandas.DataFrame
        code, name, value, the previous quarter's value and rank (1 = highest) among the
        regions shown; NaN where a region has no return.
    """
    return map_frames(obs, registry, level, indicator, [period], city, allocations, official)[
        period
    ]


def map_frames(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    quarters: list[str],
    city: str | None = None,
    allocations: pd.DataFrame | None = None,
    official: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """``map_values`` of several quarters (a map that plays them), the returns aggregated once.

    Parameters
    ----------
    obs, registry, level, indicator, city, allocations, official
        As ``map_values``.
    quarters : list of str
        The quarters.

    Returns
    -------
    dict of str to pandas.DataFrame
        Each quarter's ``map_values``.
    """
    spec = MAP_INDICATORS[indicator]
    regions = _regions(registry, level, city)
    if spec.census:  # one census, whatever the quarter
        drawn = census.map_values(official, regions, registry, level, indicator, spec.scale)
        return {q: drawn.copy() for q in quarters}
    part = _indicator_values(obs, registry, level, indicator, allocations)
    return {q: _at(part, regions, spec.scale, q) for q in quarters}


def _indicator_values(obs, registry, level, indicator, allocations) -> pd.DataFrame:
    """A returns indicator's value per region and quarter (region_code, period, value)."""
    spec = MAP_INDICATORS[indicator]
    wide = aggregate(obs, registry, level)
    if indicator == "target_share":
        alloc = (
            allocations
            if allocations is not None
            else pd.DataFrame(columns=["region_code", "value", "baseline_period"])
        ).set_index("region_code")
        start = wide.region_code.map(alloc.baseline_period).fillna(SETTLEMENT_BASELINE)
        cum = cumulative(wide, "settled_total", start)
        part = wide.assign(value=100 * cum / wide.region_code.map(alloc.value))
    elif indicator == "settled_cumulative":
        part = wide.assign(value=cumulative(wide))
    elif indicator == "settled_cum_per_10k":
        part = wide.assign(value=cumulative(wide) / wide.resident_pop * 1e4)
    elif indicator == "settled_per_10k":
        part = wide.assign(value=wide.settled_total / wide.resident_pop * 1e4)
    else:
        part = wide.assign(value=wide[spec.source])
    return part[["region_code", "period", "value"]]


def _at(part: pd.DataFrame, regions: pd.DataFrame, scale: float, period: str) -> pd.DataFrame:
    """The regions' values of one quarter, the previous quarter's and the rank."""
    now = part[part.period == period].set_index("region_code").value
    before = part[part.period == periods.shift(period, -1)].set_index("region_code").value
    out = regions.assign(
        value=regions.code.map(now) / scale, previous=regions.code.map(before) / scale
    )
    out["rank"] = out.value.rank(ascending=False, method="min")
    return out


def _regions(registry: pd.DataFrame, level: str, city: str | None) -> pd.DataFrame:
    reg = registry
    if level == "city":
        cities = reg[reg.level == "city"][["code", "name"]]
        yl = reg[reg.stat_name.notna()][["code", "stat_name"]].rename(columns={"stat_name": "name"})
        return pd.concat([cities, yl], ignore_index=True)
    counties = reg[reg.level == "county"]
    if city:
        counties = counties[(counties.stat_parent_code == city) | (counties.code == city)]
    return counties[["code", "name"]].reset_index(drop=True)


def classify(
    values: pd.Series, method: str = "quantiles", k: int = 5
) -> tuple[pd.Series, list[float]]:
    """Classes of values for a choropleth.

    Parameters
    ----------
    values : pandas.Series
        The values.
    method : str
        "quantiles" or "equal" (equal intervals).
    k : int
        Classes.

    Returns
    -------
    tuple of (pandas.Series, list of float)
        The class index per value (NaN stays NaN) and the classes' upper bounds.
    """
    if method not in CLASSIFIERS:
        raise ValueError(f"classification must be one of {CLASSIFIERS}, not {method!r}")
    y = values.dropna().to_numpy(dtype=float)
    if len(y) == 0:
        return pd.Series(np.nan, index=values.index), []
    k = max(1, min(k, len(np.unique(y))))
    if k == 1:
        return values.where(values.isna(), 0), [float(y.max())]
    cls = {
        "quantiles": mapclassify.Quantiles,
        "natural_breaks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[method](y, k=k)
    bins = [float(b) for b in cls.bins]
    return assign_classes(values, bins), bins


def assign_classes(values: pd.Series, bins: list[float]) -> pd.Series:
    """Class index per value for given class bounds.

    Parameters
    ----------
    values : pandas.Series
        The values.
    bins : list of float
        The classes' upper bounds.

    Returns
    -------
    pandas.Series
        NaN stays NaN; a value above the last bound is in the last class.
    """
    index = pd.Series(
        np.searchsorted(bins, values.to_numpy(dtype=float), side="left"), index=values.index
    ).where(values.notna())
    return index.clip(upper=len(bins) - 1)


def boundary_layers() -> dict[str, dict]:
    """The simplified city and county layers, built once and cached in ``var/cache``.

    Returns
    -------
    dict of str to dict
        GeoJSON layers by level.
    """
    return boundaries.layers(settings.var_dir() / "cache")


def find_county(query: str, registry: pd.DataFrame) -> dict | None:
    """A county by current or old name, English name or code.

    Parameters
    ----------
    query : str
        What a person typed.
    registry : pandas.DataFrame
        The region registry (its language names the result).

    Returns
    -------
    dict or None
        name, code, and the reporting unit it belongs to (city, or itself for 杨凌示范区) with
        its name; None when nothing matches.
    """
    res = default_resolver().resolve(query, level="county")
    if not res.ok:
        return None
    unit = reporting_unit(registry)[res.code]
    names = reporting_units(registry).set_index("code").name
    name = registry.set_index("code").name[res.code]  # in the registry's language
    return {"name": name, "code": res.code, "city": names[unit], "city_code": unit}
