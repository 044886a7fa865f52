"""The trends page's choices, chart and table: the indicators a store can show, the regions
of a level, the chart with its target lines, and the table by quarter."""

from __future__ import annotations

import pandas as pd

from analytics import trends
from analytics.render.trend_chart import trend_chart
from ui.state import lang, tr

LEVELS = ("province", "city", "county")


def indicators(has_returns: bool) -> dict[str, str]:
    """The returns' indicators (when there are returns) and the two censuses', in words."""
    offered = (trends.TREND_INDICATORS if has_returns else ()) + trends.CENSUS_TRENDS
    return {i: trends.label(i, lang()) for i in offered}


def is_census(indicator: str) -> bool:
    return indicator in trends.CENSUS_TRENDS


def choices(key: str, values) -> dict[str, str]:
    """A radio's options in words: ``trend.<key>.<value>``."""
    return {v: tr(f"trend.{key}.{v}") for v in values}


def modes() -> dict[str, str]:
    return choices("mode", trends.MODES)


def changes() -> dict[str, str]:
    return choices("change", trends.CHANGES)


def regions(registry: pd.DataFrame, level: str) -> dict[str, str]:
    """The regions of a level, by code, as the picker names them (a city's statistical name
    for 杨凌示范区), each with its code."""
    options = {
        "province": registry[registry.level == "province"],
        "city": registry[(registry.level == "city") | registry.stat_name.notna()],
        "county": registry[registry.level == "county"],
    }[level]
    return {
        c: f"{s if isinstance(s, str) else n} {c}"
        for c, n, s in zip(options.code, options.name, options.stat_name, strict=True)
    }


def per_10k_not_applicable(indicator: str, mode: str) -> bool:
    return mode == "per_10k" and indicator in trends.RATES


def chart(frame, indicator, mode, change, lines, multiples: bool):
    unit = trends.unit(indicator, mode, change, lang())
    return trend_chart(frame, indicator, unit, lang(), lines, multiples, signed=change != "none")


def target_lines(targets: pd.DataFrame, indicator: str, chosen: list[str]):
    return trends.target_lines(targets, indicator, chosen)


def by_quarter(frame: pd.DataFrame) -> pd.DataFrame:
    """The chart's values as a table: a row per period, a column per region."""
    table = frame.pivot_table(index="period", columns="name", values="value", sort=False)
    return table.reset_index().rename(columns={"period": tr("trend.axis_period")})
