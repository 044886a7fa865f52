"""Any indicator over time for any set of regions: levels, per 10,000 residents, indexed,
quarter-on-quarter and year-on-year change, with the targets drawn where they apply.

Periods stay strings (``2016Q3``) and the x axis is categorical, so a chart never reads a
quarter as a number such as "2,016".
"""

from __future__ import annotations

import pandas as pd

from analytics.aggregate import aggregate, cumulative
from data.i18n import messages
from data.reference import indicators
from data.reference.official import CENSUS_YEARS, census_stocks
from data.reference.targets import SETTLEMENT_BASELINE
from geo.regions import PROVINCE_CODE, reporting_unit

TREND_INDICATORS = (
    "settled_total",
    "settled_cumulative",
    "settled_rural",
    "settled_other",
    "residence_permits",
    "urbanization_rate",
    "hukou_urbanization_rate",
    "urbanization_gap",
    "resident_pop",
    "urban_resident_pop",
    "registered_pop",
    "urban_registered_pop",
)
# the two censuses (real county figures, administrative boundary): two points per region
CENSUS_TRENDS = ("census_urbanization_rate", "census_resident_pop", "census_urban_pop")
RATES = {
    "urbanization_rate",
    "hukou_urbanization_rate",
    "urbanization_gap",
    "census_urbanization_rate",
}
MODES = ("absolute", "per_10k", "indexed")
CHANGES = ("none", "qoq", "yoy")
# one distinct colour per region line: 24 before any repeats (Plotly's Dark24)


def label(indicator: str, lang: str = "zh") -> str:
    """An indicator's name on the trends page.

    Parameters
    ----------
    indicator : str
        The indicator's code.
    lang : str
        "zh" or "en".

    Returns
    -------
    str
        The catalogue's name.
    """
    if indicator in indicators.BY_CODE:
        ind = indicators.get(indicator)
        return ind.name_zh if lang == "zh" else ind.name_en
    return messages.t(f"trend.ind.{indicator}", lang)


def unit(indicator: str, mode: str, change: str, lang: str = "zh") -> str:
    """The unit of a trend's axis.

    Parameters
    ----------
    indicator : str
        The indicator's code.
    mode : str
        "absolute", "per_10k" or "indexed".
    change : str
        "none", "qoq" or "yoy".
    lang : str
        "zh" or "en".

    Returns
    -------
    str
        Points for changes of rates, % for other changes, the index, per 10,000, or the
        indicator's own unit.
    """
    t = lambda k: messages.t(k, lang)  # noqa: E731
    points = "百分点" if lang == "zh" else "pp"  # differences of rates
    if change != "none":
        return points if indicator in RATES else t("trend.unit.pct_change")
    if mode == "indexed":
        return t("trend.unit.index")
    if mode == "per_10k" and indicator not in RATES:
        return t("trend.unit.per_10k")
    if indicator in RATES:
        return points if indicator == "urbanization_gap" else "%"
    if indicator in CENSUS_TRENDS:
        return "人" if lang == "zh" else "persons"
    ind = indicators.BY_CODE.get(indicator) or indicators.get("settled_total")
    return ind.unit if lang == "zh" else ind.unit_en


def census_frame(
    official: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Tidy rows of a census trend indicator.

    A city is the sum of its counties (``analytics.census``), the province their total.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.
    level : str
        "province", "city" or "county".
    indicator : str
        A census trend indicator.
    regions : list of str or None
        Codes to keep (None: every region of the level).

    Returns
    -------
    pandas.DataFrame
        region_code, name, city, period ("2010", "2020"), value.
    """
    from analytics import census

    stocks = census_stocks(official)
    if level == "province":
        stocks = stocks.sum().to_frame(PROVINCE_CODE).T
    elif level == "city":
        stocks = stocks.groupby(stocks.index.map(reporting_unit(registry))).sum()
    table = census.with_indicators(stocks)
    column = {
        "census_urbanization_rate": "census_rate_{y}",
        "census_resident_pop": "pop{y}",
        "census_urban_pop": "urban{y}",
    }[indicator]
    rows = [
        (code, str(y), float(table.at[code, column.format(y=y)]))
        for code in table.index
        if not regions or code in regions
        for y in CENSUS_YEARS
    ]
    out = pd.DataFrame(rows, columns=["region_code", "period", "value"])
    return _named(out, registry, level)


def trend_frame(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    regions: list[str] | None = None,
    mode: str = "absolute",
    change: str = "none",
) -> pd.DataFrame:
    """Tidy rows of an indicator for the chosen regions.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.
    level : str
        "province", "city" or "county" (values aggregated from county returns).
    indicator : str
        The indicator.
    regions : list of str or None
        Codes to keep (None: every region of the level).
    mode : str
        "absolute", "per_10k" (per 10,000 resident population; rates stay as they are) or
        "indexed" (first value of each region = 100).
    change : str
        "none", "qoq" (against the previous quarter) or "yoy" (the same quarter a year
        before): % change, or percentage points for rates.

    Returns
    -------
    pandas.DataFrame
        region_code, name, city, period, value.
    """
    if indicator not in TREND_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}")
    if mode not in MODES or change not in CHANGES:
        raise ValueError(f"mode must be one of {MODES} and change one of {CHANGES}")
    wide = aggregate(obs, registry, level).sort_values(["region_code", "period"])
    if regions:
        wide = wide[wide.region_code.isin(regions)]
    if indicator == "settled_cumulative":
        wide = wide[wide.period >= SETTLEMENT_BASELINE].assign(value=cumulative(wide))
    else:
        wide = wide.assign(value=wide[indicator])
    if mode == "per_10k" and indicator not in RATES:
        wide = wide.assign(value=wide.value / wide.resident_pop * 1e4)
    elif mode == "indexed":
        first = wide.dropna(subset=["value"]).groupby("region_code").value.first()
        wide = wide.assign(value=100 * wide.value / wide.region_code.map(first))
    if change != "none":
        lag = 1 if change == "qoq" else 4
        before = wide.groupby("region_code").value.shift(lag)
        # only compare with the quarter that is really lag quarters earlier
        prev_period = wide.groupby("region_code").period.shift(lag)
        expected = wide.period.map(
            lambda p: str(pd.Period(p, freq="Q") - lag) if "Q" in p else None
        )
        before = before.where(prev_period == expected)
        diff = wide.value - before
        wide = wide.assign(value=diff if indicator in RATES else 100 * diff / before)
    return _named(wide[["region_code", "period", "value"]].copy(), registry, level)


def _named(out: pd.DataFrame, registry: pd.DataFrame, level: str) -> pd.DataFrame:
    """Rows region_code, period, value with the region's name and its city's."""
    reg = registry.set_index("code")
    names = reg.name.where(reg.stat_name.isna(), reg.stat_name)
    city_of = reporting_unit(registry)
    out["name"] = out.region_code.map(names)
    out["city"] = out.region_code.map(
        lambda c: names.get(city_of.get(c, c), c) if level == "county" else names.get(c, c)
    )
    return out[["region_code", "name", "city", "period", "value"]].reset_index(drop=True)


def target_lines(targets: pd.DataFrame, indicator: str, regions: list[str]) -> pd.DataFrame:
    """Targets of an indicator for the regions shown.

    Parameters
    ----------
    targets : pandas.DataFrame
        Target rows.
    indicator : str
        The indicator.
    regions : list of str
        The regions shown.

    Returns
    -------
    pandas.DataFrame
        region_code, value, period, source.
    """
    if targets.empty:
        return targets
    return targets[(targets.indicator == indicator) & targets.region_code.isin(regions)]
