"""Numbers behind the data-overview page: the official series and the city table."""

from __future__ import annotations

import pandas as pd

from analytics.aggregate import aggregate
from data.i18n import messages
from data.reference import indicators, official
from data.reference.targets import SETTLEMENT_BASELINE
from geo.regions import PROVINCE_CODE, reporting_units


def urbanization_series(official_frame: pd.DataFrame) -> pd.DataFrame:
    """The province's urbanization rate per year.

    Parameters
    ----------
    official_frame : pandas.DataFrame
        The official series.

    Returns
    -------
    pandas.DataFrame
        year, value, basis and flag (published / derived).
    """
    return official.province_series("urbanization_rate", official_frame)


def city_table(
    official_frame: pd.DataFrame,
    registry: pd.DataFrame,
    obs: pd.DataFrame | None,
    lang: str = "zh",
) -> tuple[pd.DataFrame, bool, tuple[str, str] | None]:
    """One row per city (plus 杨凌示范区): published 2015/2020 figures and figures from the returns.

    Parameters
    ----------
    official_frame : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.
    obs : pandas.DataFrame or None
        Observations; with returns, cumulative settlement and hukou urbanization from them.
    lang : str
        "zh" or "en".

    Returns
    -------
    tuple
        The frame (labelled in ``lang``), whether any column comes from demo data, and the
        (first, last) quarters of the columns from the returns (None without returns).
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    off = official.headline(official_frame)
    off = off[off.region_code != PROVINCE_CODE]

    def pick(year: int, ind: str) -> pd.Series:
        return off[(off.year == year) & (off.indicator == ind)].set_index("region_code").value

    table = reporting_units(registry)
    table[t("col.pop2015")] = table.code.map(pick(2015, "resident_pop"))
    table[t("col.rate2015")] = table.code.map(pick(2015, "urbanization_rate"))
    table[t("col.pop2020")] = table.code.map(pick(2020, "resident_pop")).round(2)
    table[t("col.rate2020")] = table.code.map(pick(2020, "urbanization_rate"))
    demo, span = False, None
    if obs is not None and len(obs):
        demo = bool(obs.is_demo.any())
        agg = aggregate(obs, registry, "city")
        end = agg.period.max()
        cum = (
            agg[agg.period >= SETTLEMENT_BASELINE].groupby("region_code").settled_total.sum() / 1e4
        )
        last = agg[agg.period == end].set_index("region_code")
        table[t("col.settled_cum")] = table.code.map(cum).round(1)
        table[t("col.hukou_rate")] = table.code.map(last.hukou_urbanization_rate).round(2)
        span = (SETTLEMENT_BASELINE, end)
    table = table.rename(columns={"code": t("col.code"), "name": t("col.region")})
    return table, demo, span


def sources(official_frame: pd.DataFrame, lang: str = "zh") -> list[str]:
    """Distinct source lines (title, URL) in first-appearance order.

    Parameters
    ----------
    official_frame : pandas.DataFrame
        The official series.
    lang : str
        The language of the remarks after a title (``data.reference.official.wording``).

    Returns
    -------
    list of str
        One line per source.
    """
    seen: list[str] = []
    for r in official_frame.itertuples(index=False):
        title = official.wording(r.source_title, lang)
        line = title + (f" — {r.source_url}" if r.source_url else "")
        if line not in seen:
            seen.append(line)
    return seen


def series_table(official_frame: pd.DataFrame, names: dict, lang: str = "zh") -> pd.DataFrame:
    """The official series as a person reads it.

    Parameters
    ----------
    official_frame : pandas.DataFrame
        The official series.
    names : dict
        code -> name in the page's language.
    lang : str
        "zh" or "en".

    Returns
    -------
    pandas.DataFrame
        Region name and code, year, indicator name, value, unit, census basis, published or
        derived, source, its address, note and licence.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    units = {"万人": t("unit.wan_persons"), "%": "%"}
    f = official_frame
    return pd.DataFrame(
        {
            t("col.region"): f.region_code.map(names).fillna(f.region_code),
            t("col.code"): f.region_code,
            t("col.year"): f.year,
            t("col.indicator"): f.indicator.map(lambda c: indicators.get(c).name(lang)),
            t("col.value"): f.value,
            t("col.unit"): f.unit.map(lambda u: units.get(u, u)),
            t("col.basis"): f.basis.map(lambda b: official.BASIS_LABEL[b][lang]),
            t("col.flag"): f.flag.map(lambda g: official.FLAG_LABEL[g][lang]),
            t("col.source"): f.source_title.map(lambda v: official.wording(v, lang)),
            t("col.source_url"): f.source_url,
            t("col.note"): f.note.map(lambda v: official.wording(v, lang)),
            t("col.licence"): f.licence.map(lambda v: official.wording(v, lang)),
        }
    )
