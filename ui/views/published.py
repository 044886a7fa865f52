"""The published-figures page: the plan's urbanization targets beside the published series,
the chart, the per-city table and the series table, with their sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import published
from analytics.render import charts
from data.reference.targets import published_targets
from geo.regions import PROVINCE_CODE
from ui.state import lang, tr


def rate_targets() -> dict[int, float]:
    """The plan's urbanization targets (2015 and 2020), as published, by year."""
    plan = published_targets()
    plan = plan[plan.indicator == "urbanization_rate"]
    return {int(p[:4]): float(v) for p, v in zip(plan.period, plan.value, strict=True)}


def chart(series: pd.DataFrame, targets: dict[int, float]):
    return charts.urbanization_chart(series, sorted(targets.items()), lang())


def sources(frame: pd.DataFrame, cities: bool = False) -> list[str]:
    """The published sources of a series (of the cities' rows only with ``cities``)."""
    if cities:
        frame = frame[frame.region_code != PROVINCE_CODE]
    return published.sources(frame, lang())


def city_grid(table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """A city by its name (the codes are in the series table below), figures to 2 decimals."""
    decimals = {c: st.column_config.NumberColumn(format="%.2f") for c in table.columns[2:]}
    return table.drop(columns=[tr("col.code")]), decimals


def series_table(official: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(registry.code, registry.name, strict=True))
    return published.series_table(official, names, lang())
