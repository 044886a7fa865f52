"""Choropleth maps of settlement progress: values per region, classification, plotly figures.

Drawn with plotly's MapLibre choropleth (``go.Choroplethmap``) on the blank ``white-bg`` style,
so nothing is fetched from the internet (plotly's ``go.Choropleth`` asks a CDN for a world
outline and draws nothing offline).
"""

from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import shape

from analytics.aggregate import aggregate
from data import messages, periods

BASELINE = "2014Q1"
NO_DATA = "#d9d9d9"
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


@dataclass(frozen=True)
class MapIndicator:
    code: str
    source: str  # column of the aggregated frame (or derived below)
    unit_zh: str
    unit_en: str
    scale: float = 1.0  # divide values by this for display (1e4: 万人)
    decimals: int = 0


MAP_INDICATORS: dict[str, MapIndicator] = {
    "settled_cumulative": MapIndicator(
        "settled_cumulative", "settled_total", "万人", "10k persons", 1e4, 1
    ),
    "settled_total": MapIndicator("settled_total", "settled_total", "人", "persons"),
    "settled_per_10k": MapIndicator(
        "settled_per_10k", "settled_total", "人/万人", "per 10k residents", 1, 1
    ),
    "settled_cum_per_10k": MapIndicator(
        "settled_cum_per_10k", "settled_total", "人/万人", "per 10k residents", 1, 0
    ),
    "urbanization_rate": MapIndicator("urbanization_rate", "urbanization_rate", "%", "%", 1, 2),
    "hukou_urbanization_rate": MapIndicator(
        "hukou_urbanization_rate", "hukou_urbanization_rate", "%", "%", 1, 2
    ),
    "urbanization_gap": MapIndicator("urbanization_gap", "urbanization_gap", "百分点", "pp", 1, 2),
    "residence_permits": MapIndicator("residence_permits", "residence_permits", "张", "permits"),
    "target_share": MapIndicator("target_share", "settled_total", "%", "%", 1, 1),
}
CLASSIFIERS = ("quantiles", "natural_breaks", "equal_interval")


def map_values(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    level: str,
    indicator: str,
    period: str,
    city: str | None = None,
    allocations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per region of ``level`` (within ``city`` when given): value, previous quarter's
    value, rank (1 = highest) among the regions shown. Regions with no return have NaN.

    ``target_share`` needs ``allocations`` (region_code, value, baseline_period): the cumulative
    settled since each allocation's baseline as a % of the allocation; regions without one
    are NaN."""
    spec = MAP_INDICATORS[indicator]
    wide = aggregate(obs, registry, level)
    if indicator == "target_share":
        alloc = (
            allocations
            if allocations is not None
            else pd.DataFrame(columns=["region_code", "value", "baseline_period"])
        ).set_index("region_code")
        start = wide.region_code.map(alloc.baseline_period).fillna(BASELINE)
        part = wide[(wide.period >= start) & (wide.period <= period)].sort_values("period")
        cum = part.groupby("region_code").settled_total.cumsum()
        part = part.assign(value=100 * cum / part.region_code.map(alloc.value))
    elif indicator == "settled_cumulative":
        part = wide[(wide.period >= BASELINE) & (wide.period <= period)].sort_values("period")
        part = part.assign(value=part.groupby("region_code").settled_total.cumsum())
    elif indicator == "settled_cum_per_10k":
        part = wide[(wide.period >= BASELINE) & (wide.period <= period)].sort_values("period")
        cum = part.groupby("region_code").settled_total.cumsum()
        part = part.assign(value=cum / part.resident_pop * 1e4)
    elif indicator == "settled_per_10k":
        part = wide.assign(value=wide.settled_total / wide.resident_pop * 1e4)
    else:
        part = wide.assign(value=wide[spec.source])
    now = part[part.period == period].set_index("region_code").value
    before = part[part.period == periods.shift(period, -1)].set_index("region_code").value
    regions = _regions(registry, level, city)
    out = regions.assign(
        value=regions.code.map(now) / spec.scale, previous=regions.code.map(before) / spec.scale
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
    """Class index per value (NaN stays NaN) and the upper bounds of the classes."""
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
    index = pd.Series(
        np.searchsorted(bins, values.to_numpy(dtype=float), side="left"), index=values.index
    ).where(values.notna())
    return index.clip(upper=len(bins) - 1), bins


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def choropleth(
    frame: pd.DataFrame,
    layer: dict,
    indicator: str,
    method: str = "quantiles",
    lang: str = "zh",
    borders: dict | None = None,
    height: int = 560,
    highlight: str | None = None,
    tiles: str | None = None,
    compact: bool = False,
) -> go.Figure:
    """A classed choropleth: one trace per class (so the legend shows the class bounds), regions
    without a value in grey, optional city borders drawn over the counties and one region
    (``highlight``, e.g. found by the search box) outlined in red. ``compact`` fits the regions
    to ``height`` and puts the legend beside them (a small overview map)."""
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    index, bins = classify(frame.value, method)
    by_code = {f["id"]: f for f in layer["features"]}

    def feats_of(part: pd.DataFrame) -> dict:  # each trace carries only its own polygons
        return {
            "type": "FeatureCollection",
            "features": [by_code[c] for c in part.code if c in by_code],
        }

    feats = feats_of(frame)
    fig = go.Figure()
    lower = float(frame.value.min()) if frame.value.notna().any() else 0.0
    change = frame.value - frame.previous
    hover = pd.DataFrame(
        {
            "name": frame.name,
            "value": frame.value.map(
                lambda v: t("missing") if pd.isna(v) else f"{_fmt(v, spec.decimals)} {unit}"
            ),
            "rank": frame["rank"].map(
                lambda r: "—" if pd.isna(r) else f"{int(r)}/{int(frame.value.notna().sum())}"
            ),
            "change": change.map(
                lambda v: "—" if pd.isna(v) else f"{v:+,.{spec.decimals}f} {unit}"
            ),
        }
    )
    template = (
        f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}}<br>{t('map.rank')}: %{{customdata[2]}}"
        f"<br>{t('map.change')}: %{{customdata[3]}}<extra></extra>"
    )
    for i, upper in enumerate(bins):
        members = index == i
        if not members.any():
            lower = upper
            continue
        label = f"{_fmt(lower, spec.decimals)} – {_fmt(upper, spec.decimals)} {unit}"
        color = PALETTE[
            min(len(PALETTE) - 1, round(i * (len(PALETTE) - 1) / max(1, len(bins) - 1)))
        ]
        fig.add_trace(
            _trace(frame[members], hover[members], feats_of(frame[members]), color, label, template)
        )
        lower = upper
    missing = frame.value.isna()
    if missing.any():
        fig.add_trace(
            _trace(
                frame[missing],
                hover[missing],
                feats_of(frame[missing]),
                NO_DATA,
                t("map.no_data"),
                template,
            )
        )
    if borders:
        fig.add_trace(_lines(borders, "#333333", 1.4, name=t("map.city_borders")))
    if highlight and highlight in by_code:
        fig.add_trace(_lines({"features": [by_code[highlight]]}, "#d62728", 3, name=None))
    (x0, y0, x1, y1) = _bounds(feats)
    span = max(x1 - x0, (y1 - y0) * 1.3)
    zoom = float(np.clip(np.log2(360 / span) - 0.05, 3, 11))
    if compact:  # fit the height: MapLibre draws 512 * 2**zoom pixels per 360 degrees
        stretch = 1 / np.cos(np.radians((y0 + y1) / 2))
        zoom = float(np.clip(np.log2((height - 30) * 360 / (512 * (y1 - y0) * stretch)), 3, 11))
        base_lon = (x0 + x1) / 2 + 0.45 * (x1 - x0)  # room on the east for the legend
    else:
        base_lon = (x0 + x1) / 2
    base = {
        "style": "white-bg",
        "center": {"lon": base_lon, "lat": (y0 + y1) / 2},
        "zoom": zoom,
    }
    if tiles:  # a deployment's own tile server, drawn under the regions
        base["layers"] = [{"sourcetype": "raster", "source": [tiles], "below": "traces"}]
    fig.update_layout(
        map=base,
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        height=height,
        font={"family": FONT},
        legend={
            "title": {"text": unit},
            "orientation": "v" if compact else "h",
            "x": 1 if compact else 0,
            "y": 0,
            "xanchor": "right" if compact else "left",
            "yanchor": "bottom" if compact else "top",
            "bgcolor": "rgba(255,255,255,0.9)",
            "font": {"size": 11} if compact else {},
        },
        uirevision=indicator,
        clickmode="event+select",  # a click selects a region (drill-down in the app)
    )
    return fig


def _trace(frame, hover, feats, color, label, template) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson=feats,
        locations=frame.code,
        z=[1] * len(frame),
        colorscale=[[0, color], [1, color]],
        showscale=False,
        name=label,
        showlegend=True,
        marker={"line": {"color": "white", "width": 0.6}},
        customdata=hover.to_numpy(),
        hovertemplate=template,
    )


def _lines(layer: dict, color: str, width: float, name: str | None) -> go.Scattermap:
    lon, lat = _outline(layer)
    return go.Scattermap(
        lon=lon,
        lat=lat,
        mode="lines",
        hoverinfo="skip",
        name=name,
        showlegend=name is not None,
        line={"color": color, "width": width},
    )


def _outline(layer: dict) -> tuple[np.ndarray, np.ndarray]:
    """Region borders as one line with NaN breaks, each shared border once, float32 (sent
    as a compact typed array)."""
    import shapely

    rings = [shape(f["geometry"]).boundary for f in layer["features"]]
    merged = shapely.line_merge(shapely.union_all(rings))
    lon, lat = [], []
    for line in getattr(merged, "geoms", [merged]):
        xs, ys = line.coords.xy
        lon += list(xs) + [np.nan]
        lat += list(ys) + [np.nan]
    return np.asarray(lon, dtype=np.float32), np.asarray(lat, dtype=np.float32)


def _bounds(layer: dict) -> tuple[float, float, float, float]:
    import shapely

    geoms = np.array([shape(f["geometry"]) for f in layer["features"]], dtype=object)
    return tuple(shapely.total_bounds(geoms).tolist())


def ranked_bar(
    frame: pd.DataFrame, indicator: str, lang: str = "zh", height: int = 560
) -> go.Figure:
    """The same values as a ranked horizontal bar chart (highest on top)."""
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    part = frame.dropna(subset=["value"]).sort_values("value")
    fig = go.Figure(
        go.Bar(
            x=part.value,
            y=part.name,
            orientation="h",
            marker_color="#3182bd",
            hovertemplate=f"%{{y}}: %{{x:,.{spec.decimals}f}} {unit}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        font={"family": FONT},
        xaxis={"title": unit, "tickformat": ","},
        yaxis={"automargin": True},
        plot_bgcolor="white",
    )
    return fig
