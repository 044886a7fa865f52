"""The map page's choices, figures and table: which indicators a store can map, the map
drawn as the choice asks (a choropleth, its clusters, or the playing quarters), the ranking
bar, the census basis and cluster lines, and the table with the indicator's precision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.maps import CLASSIFIERS, MAP_INDICATORS, offered
from analytics.render import choropleth
from data.reference import periods
from ui.state import lang, tr

MAP_HEIGHT = 430  # the controls and the whole map on a 1366x768 screen, no scrolling


def quarters(obs: pd.DataFrame) -> list[str]:
    """Every quarter from the first return to the last."""
    return periods.quarter_range(obs.period.min(), obs.period.max()) if len(obs) else []


def indicators(has_returns: bool, has_allocations: bool) -> dict[str, str]:
    """The indicators this store can map, in words (the target share once allocations exist)."""
    return {v: tr(f"map.ind.{v}") for v in offered(has_returns, has_allocations)}


def classifiers() -> dict[str, str]:
    return {v: tr(f"map.cls.{v}") for v in CLASSIFIERS}


def is_census(indicator: str) -> bool:
    return MAP_INDICATORS[indicator].census


def cluster_figure(lisa, frame, layers: dict, indicator: str, city, tiles):
    """The counties coloured by their cluster (over all counties), city borders on top."""
    shown = lisa.counties.set_index("code").reindex(frame.code).reset_index()
    return choropleth.cluster_map(
        shown,
        layers["county"],
        indicator,
        lisa.alpha,
        lang(),
        borders=layers["city"] if not city else None,
        height=MAP_HEIGHT,
        tiles=tiles,
    )


def still_figure(frame, layers: dict, level: str, indicator: str, method: str, city, highlight,
                 tiles):  # fmt: skip
    """One quarter (or a census) as a choropleth."""
    return choropleth.choropleth(
        frame,
        layers[level],
        indicator,
        method,
        lang(),
        highlight=highlight,
        tiles=tiles,
        height=MAP_HEIGHT,
        **choropleth.drawn_with(level, city, layers),
    )


def ranking_figure(frame, indicator: str):
    return choropleth.ranked_bar(frame, indicator, lang(), height=MAP_HEIGHT)


def census_basis(notes: list[dict]) -> str:
    """Per census, the county sum beside the bulletin's province figure, as lines."""
    rows = [
        tr(
            "map.census_basis_row",
            name=n["name"],
            counties=f"{n['counties']:,}",
            bulletin=f"{n['bulletin']:,}",
        )
        for n in notes
    ]
    return tr("map.census_basis") + "  \n" + "  \n".join(rows)


def clusters_line(lisa) -> str:
    """The global statistic, in words, and how it was computed."""
    clustered = lisa.p_value <= lisa.alpha
    verdict = (
        ("clustered" if lisa.moran_i > lisa.expected_i else "dispersed") if clustered else "random"
    )
    return (
        tr(
            "clusters.global",
            i=f"{lisa.moran_i:.3f}",
            e=f"{lisa.expected_i:.3f}",
            p=f"{lisa.p_value:.3f}",
            n=f"{lisa.permutations:,}",
            verdict=tr(f"clusters.verdict.{verdict}"),
        )
        + "  \n"
        + tr("clusters.method", n=f"{lisa.permutations:,}", alpha=lisa.alpha)
    )


def map_table(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The map's table with headers in the page's language and the change from last quarter."""
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang() == "zh" else spec.unit_en
    out = frame.sort_values("rank").rename(
        columns={
            "code": tr("col.code"),
            "name": tr("col.region"),
            "value": f"{tr(f'map.ind.{indicator}')} ({unit})",
            "previous": tr(spec.change_key),
            "rank": tr("map.rank"),
        }
    )
    out[tr("map.rank")] = out[tr("map.rank")].astype("Int64")  # a place, never "10.0"
    if frame.previous.notna().any():
        out[tr(spec.change_key)] = frame.value - frame.previous
    else:  # nothing to compare with (a census change, or the first quarter)
        out = out.drop(columns=tr(spec.change_key))
    return out


def map_table_columns(table: pd.DataFrame, indicator: str) -> dict:
    """Column settings for ``map_table``: its figures to the indicator's precision (the data,
    and the downloads, keep every digit)."""
    spec = MAP_INDICATORS[indicator]
    number = st.column_config.NumberColumn(
        format=f"%.{spec.decimals}f" if spec.decimals else "localized"
    )
    unit = spec.unit_zh if lang() == "zh" else spec.unit_en
    figures = {f"{tr(f'map.ind.{indicator}')} ({unit})", tr(spec.change_key)}
    return {c: number for c in table.columns if c in figures}


def with_clusters(table: pd.DataFrame, lisa) -> pd.DataFrame:
    """The map's table with each county's cluster and its p-value."""
    found = lisa.counties.set_index("code")
    codes = table[tr("col.code")]
    return table.assign(
        **{
            tr("clusters.col"): codes.map(
                lambda c: tr(f"clusters.class.{found.cluster.get(c, 'missing')}", alpha=lisa.alpha)
            ),
            tr("clusters.p"): codes.map(found.p_value),
        }
    )
