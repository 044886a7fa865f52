"""Census map and trend numbers: the 2010 and 2020 county census figures (real, from the
yearbooks, administrative boundary) per county and per reporting unit.

A city's figure is the sum of its counties in the same census (so 咸阳市 here is the
administrative 咸阳市 without 杨陵区, which the map draws as 杨凌示范区); it is never mixed with
the city bulletins, which count 西安市 and 咸阳市 by management boundary. ``basis_notes`` says
where the two differ, with both figures.
"""

from __future__ import annotations

import pandas as pd

from data.reference.official import census_stocks, headline
from geo.regions import reporting_unit, reporting_units

# indicator -> (how it is computed from the wide frame, the "previous" value shown beside it)
INDICATORS = (
    "census_rate_2020",
    "census_rate_2010",
    "census_rate_change",
    "census_urban_growth_pct",
    "census_urban_growth",
    "census_pop_change",
    "census_pop_change_pct",
)


def with_indicators(stocks: pd.DataFrame) -> pd.DataFrame:
    """The census indicators of rows of stocks.

    Parameters
    ----------
    stocks : pandas.DataFrame
        Census stocks (resident and urban population, 2010 and 2020) per region.

    Returns
    -------
    pandas.DataFrame
        ``stocks`` with the indicators: rates in %, changes in pp, persons or %.
    """
    out = stocks.copy()
    out["census_rate_2010"] = 100 * out.urban2010 / out.pop2010
    out["census_rate_2020"] = 100 * out.urban2020 / out.pop2020
    out["census_rate_change"] = out.census_rate_2020 - out.census_rate_2010
    out["census_urban_growth"] = out.urban2020 - out.urban2010
    out["census_urban_growth_pct"] = 100 * out.census_urban_growth / out.urban2010
    out["census_pop_change"] = out.pop2020 - out.pop2010
    out["census_pop_change_pct"] = 100 * out.census_pop_change / out.pop2010
    return out


def by_level(official: pd.DataFrame, registry: pd.DataFrame, level: str) -> pd.DataFrame:
    """Census stocks and indicators per county or per reporting unit.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series holding the county census figures.
    registry : pandas.DataFrame
        The region registry.
    level : str
        "county", or "city" (10 cities and 杨凌示范区, each the sum of its counties).

    Returns
    -------
    pandas.DataFrame
        Stocks and indicators indexed by region code.
    """
    stocks = census_stocks(official)
    if level == "city":
        unit = reporting_unit(registry)
        stocks = stocks.groupby(stocks.index.map(unit)).sum()
    return with_indicators(stocks)


PREVIOUS = {"census_rate_2020": "census_rate_2010"}


def map_values(
    official: pd.DataFrame,
    regions: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    scale: float = 1.0,
) -> pd.DataFrame:
    """The regions with a census indicator's value, what it is compared with, and its rank.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series.
    regions : pandas.DataFrame
        The regions drawn (code, name).
    registry : pandas.DataFrame
        The region registry.
    level : str
        "county" or "city".
    indicator : str
        A census indicator (``CENSUS_INDICATORS``).
    scale : float
        Divides the values (e.g. 1e4 for 万).

    Returns
    -------
    pandas.DataFrame
        ``regions`` with value, compare (2010's rate beside 2020's, else none) and rank
        (1 = highest).
    """
    table = by_level(official, registry, level)
    out = regions.assign(value=regions.code.map(table[indicator]) / scale)
    before = PREVIOUS.get(indicator)
    out["previous"] = regions.code.map(table[before]) / scale if before else float("nan")
    out["rank"] = out.value.rank(ascending=False, method="min")
    return out


def basis_notes(official: pd.DataFrame, registry: pd.DataFrame) -> list[dict]:
    """Reporting units whose census count on the map differs from the city census bulletin.

    The map sums the yearbook's counties; the bulletin counts the management boundary.

    Parameters
    ----------
    official : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    list of dict
        code, name, the counties' sum, the bulletin's figure.
    """
    ours = by_level(official, registry, "city").pop2020
    bulletin = headline(official)
    bulletin = bulletin[
        (bulletin.year == 2020)
        & (bulletin.indicator == "resident_pop")
        & (bulletin.boundary == "management")
    ].set_index("region_code")
    names = reporting_units(registry).set_index("code").name
    notes = []
    for code, row in bulletin.iterrows():
        persons = round(row.value * 1e4)
        if code in ours.index and round(ours[code]) != persons:
            notes.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "counties": int(ours[code]),
                    "bulletin": persons,
                }
            )
    return notes
