"""What pages compute from the store's frames (cheap next to the heavy results, but not free):
projection histories, what-if runs, rankings, map values and playing maps, clusters, trends,
the data-quality scorecard and the published series, each cached per choice, view and
language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cached.results import projections
from ui.cached.store import (
    _lang,
    _view,
    allocations,
    current_keys,
    map_layers,
    map_tiles,
    observations,
    official,
    official_headline,
    province_targets,
    quality_history,
    registry,
)


def projection_history(indicator: str, as_of: str) -> pd.DataFrame:
    return _projection_history(indicator, as_of, _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _projection_history(indicator: str, as_of: str, view: str) -> pd.DataFrame:
    from analytics.targets import target_history

    return target_history(indicator, as_of, observations(), official(), registry())


def scenario_result(params_json: str) -> dict:
    """One what-if run, cached by its parameters (a slider move back is instant)."""
    return _scenario_result(params_json, _view())


@st.cache_data(show_spinner=False, max_entries=64)
def _scenario_result(params_json: str, view: str) -> dict:
    import json

    from analytics import scenarios

    params = scenarios.ScenarioParams.from_dict(json.loads(params_json))
    return scenarios.run(params, observations(), official(), registry(), targets=province_targets())


def future_quarters(as_of: str, target_set: str | None = None) -> list[str]:
    from analytics.scenarios import future_quarters as quarters

    return quarters(as_of, province_targets(), target_set)


def city_ranking(as_of: str):
    return _city_ranking(as_of, _lang(), _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _city_ranking(as_of: str, lang: str, view: str):  # names in ``lang``: part of the key
    from analytics.overview import city_ranking as rank

    return rank(observations(), registry(), allocations(), as_of)


def quality(period: str | None, level: str, window: int) -> pd.DataFrame:
    """The ranked data-quality scorecard (``analytics.quality``), names in the page's
    language."""
    return _quality(period, level, window, _lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _quality(period: str | None, level: str, window: int, lang: str) -> pd.DataFrame:
    from analytics import quality as q

    history, flags = quality_history()
    return q.scorecard(history, flags, registry(), period, level, window)


def quality_trend(offices: tuple[str, ...], period: str | None, level: str) -> pd.DataFrame:
    from analytics import quality as q

    history, flags = quality_history()
    return q.trend(history, flags, registry(), list(offices), period, level)


def playback_map(
    level: str,
    indicator: str,
    city: str | None,
    period: str,
    played: tuple[str, ...],
    method: str,
    highlight: str | None,
    height: int,
):
    """The map of ``period`` that plays the quarters ``played`` in the browser
    (``analytics.render.playback``), built once per choice and store version."""
    return _playback_map(
        level, indicator, city, period, played, method, highlight, height, _lang(), map_tiles(),
        _view(),
    )  # fmt: skip


# the figure itself, shared and never changed after it is built: a cached copy would be
# unpickled and checked by plotly again on every run (130 ms for the county map)
@st.cache_resource(show_spinner=False, max_entries=16)
def _playback_map(
    level, indicator, city, period, played, method, highlight, height, lang, tiles, view
):
    from analytics.maps import map_frames
    from analytics.render.choropleth import drawn_with
    from analytics.render.playback import playback

    obs, reg, allocs, off = observations(), registry(), allocations(), official()
    quarters = list(dict.fromkeys([*played, period]))
    frames = map_frames(obs, reg, level, indicator, quarters, city, allocs, official=off)
    layers = map_layers()
    return playback(
        frames,
        period,
        list(played),
        layers[level],
        indicator,
        method,
        lang,
        height=height,
        highlight=highlight,
        tiles=tiles,
        **drawn_with(level, city, layers),
    )


def clusters(indicator: str, period: str | None):
    """Moran's I and the LISA classes of a county indicator (``analytics.clusters``)."""
    return _clusters(indicator, period, _lang(), _view())


@st.cache_data(show_spinner=False, max_entries=32)
def _clusters(indicator: str, period: str | None, lang: str, view: str):  # names, view: keys
    from analytics.clusters import county_clusters

    return county_clusters(observations(), registry(), indicator, period, official())


def freshness() -> dict:
    """What the returns cover: latest and complete quarter, the quarters still coming in."""
    return _freshness(_view(), _lang())


@st.cache_data(show_spinner=False, max_entries=4)
def _freshness(view: str, lang: str) -> dict:
    from analytics.overview import freshness as fresh

    return fresh(observations(), registry())


def headline_records(target_set: str | None) -> list[dict]:
    """The targets that lead the overview, ``target_set``'s first (None while projecting)."""
    from analytics.overview import headline

    return headline(projections(None) or [], target_set)


def map_values(level: str, indicator: str, period: str | None, city: str | None) -> pd.DataFrame:
    """Each unit's value of a map indicator (``analytics.maps.map_values``)."""
    return _map_values(level, indicator, period, city, _view(), _lang())


@st.cache_data(show_spinner=False, max_entries=32)
def _map_values(level, indicator, period, city, view: str, lang: str) -> pd.DataFrame:
    from analytics.maps import map_values as values

    return values(
        observations(), registry(), level, indicator, period, city, allocations(), official()
    )


def census_notes() -> list[dict]:
    """Per census, the county sum beside the bulletin's province figure."""
    from analytics.census import basis_notes

    return basis_notes(official(), registry())


@st.cache_data(show_spinner=False)
def urbanization_series() -> pd.DataFrame:
    from analytics.published import urbanization_series as series

    return series(official_headline())


def city_table() -> tuple[pd.DataFrame, bool, tuple | None]:
    """The published figures per city, with the returns' settlement beside them."""
    return _city_table(_view(), _lang())


@st.cache_data(show_spinner=False, max_entries=4)
def _city_table(view: str, lang: str):
    from analytics.published import city_table as table

    return table(official_headline(), registry(), observations(), lang)


@st.cache_data(show_spinner=False, max_entries=8)
def reach(value: float) -> dict:
    """When the urbanization rate reaches ``value`` (``urbanization_forecast.when_reached``)."""
    from analytics.urbanization_forecast import when_reached

    return when_reached(urbanization_series(), value)


def province_cumulative() -> pd.Series:
    """The returns' cumulative settlement of the province, by quarter."""
    return _province_cumulative(_view())


@st.cache_data(show_spinner=False, max_entries=4)
def _province_cumulative(view: str) -> pd.Series:
    from analytics.aggregate import province_cumulative as cumulative

    return cumulative(observations(), registry())


def best_method(scores: pd.DataFrame) -> str:
    """The method with the lowest mean 95% interval score in a skill table."""
    from analytics.skill import best_by_interval_score

    return best_by_interval_score(scores)


def scenario_comparison(result: dict) -> pd.DataFrame:
    """A what-if run's baseline and scenario side by side, one row per measure."""
    from analytics.scenarios import comparison

    return comparison(result, _lang())


def trend_frame(level: str, indicator: str, chosen: tuple, mode: str, change: str):
    """One indicator over time for the chosen regions (``analytics.trends``)."""
    return _trend_frame(level, indicator, chosen, mode, change, _view(), _lang())


@st.cache_data(show_spinner=False, max_entries=32)
def _trend_frame(level, indicator, chosen, mode, change, view: str, lang: str):
    from analytics import trends

    if indicator in trends.CENSUS_TRENDS:
        return trends.census_frame(official(), registry(), level, indicator, list(chosen))
    return trends.trend_frame(
        observations(), registry(), level, indicator, list(chosen), mode, change
    )


def quality_by_indicator(quarters: tuple[str, ...]) -> pd.DataFrame:
    """Each county's completeness per indicator over ``quarters``."""
    return _quality_by_indicator(quarters, _view())


@st.cache_data(show_spinner=False, max_entries=8)
def _quality_by_indicator(quarters: tuple[str, ...], view: str) -> pd.DataFrame:
    from analytics.quality import by_indicator

    return by_indicator(current_keys(), registry(), list(quarters))


def confirmed_unusual(period: str) -> list[str]:
    """Counties whose unusual value for ``period`` was confirmed as sent."""
    from analytics.nowcast import confirmed_unusual as unusual

    return unusual(quality_history()[1], period)


__all__ = [
    "projection_history",
    "scenario_result",
    "future_quarters",
    "city_ranking",
    "quality",
    "quality_trend",
    "playback_map",
    "clusters",
    "freshness",
    "headline_records",
    "map_values",
    "census_notes",
    "urbanization_series",
    "city_table",
    "reach",
    "province_cumulative",
    "best_method",
    "scenario_comparison",
    "trend_frame",
    "quality_by_indicator",
    "confirmed_unusual",
]
