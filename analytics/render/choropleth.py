"""Choropleth figures: plotly's MapLibre choropleth (``go.Choroplethmap``) on a blank white
style, so nothing is fetched from the internet (plotly's ``go.Choropleth`` asks a CDN for a world
outline and draws nothing offline), and the ranked bar beside the map.

Region names are drawn by MapLibre. Its glyphs come from the app itself (``static/glyphs``, see
``SOURCE.md`` there): Latin letters from the one glyph range served, Chinese characters from the
browser's own font.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import shape

from analytics.maps import MAP_INDICATORS, classify
from data.i18n import messages
from geo.boundaries import label_points

NO_DATA = "#d9d9d9"
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"
# The font stack of the served glyphs (static/glyphs/SOURCE.md).
LABEL_FONT = "NotoSansCJKsc-Regular"
# Relative to the page, so it holds behind a reverse proxy's path prefix too.
GLYPHS = "app/static/glyphs/{fontstack}/{range}.pbf"
NAMES_LAYER = "region-names"
EMPTY = {"type": "FeatureCollection", "features": []}


def blank_style(names: list[tuple[str, float, float]] | None = None) -> dict:
    """A blank white MapLibre style with the app's own glyphs and, optionally, region names.

    The names are dark with a white halo (legible on every class), tried around the point when
    the centre collides, dropped only when no place is free. The regions are drawn below this
    layer (``below=NAMES_LAYER``).

    Parameters
    ----------
    names : list of tuple or None
        (name, lon, lat) of each name written.

    Returns
    -------
    dict
        The style.
    """
    # the names' source is there even when empty: an empty "sources" object does not survive
    # the figure's way to the browser, and MapLibre refuses a restyle without it (the "Map
    # error." a redraw of the map used to log)
    style = {
        "version": 8,
        "sources": {
            "names": {
                "type": "geojson",
                "data": {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": name, "rank": i},
                            "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        }
                        for i, (name, lon, lat) in enumerate(names or [])
                    ],
                },
            }
        },
        "glyphs": GLYPHS,
        "layers": [{"id": "white-bg", "type": "background", "paint": {"background-color": "#fff"}}],
    }
    if names:
        style["layers"].append(
            {
                "id": NAMES_LAYER,
                "type": "symbol",
                "source": "names",
                "layout": {
                    "text-field": ["get", "name"],
                    "text-font": [LABEL_FONT],
                    "text-size": 11,
                    "text-variable-anchor": ["center", "top", "bottom", "left", "right"],
                    "text-radial-offset": 0.4,
                    "symbol-sort-key": ["get", "rank"],  # the largest regions are placed first
                },
                "paint": {
                    "text-color": "#1a1a1a",
                    "text-halo-color": "rgba(255,255,255,0.9)",
                    "text-halo-width": 1.4,
                },
            }
        )
    return style


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def drawn_with(level: str, city: str | None, layers: dict) -> dict:
    """What a map draws beside its regions.

    Parameters
    ----------
    level : str
        "city" or "county".
    city : str or None
        The reporting unit whose map it is (None: the whole province).
    layers : dict
        The boundary layers (``analytics.maps.boundary_layers``).

    Returns
    -------
    dict
        ``borders``: the city borders over the province's counties; ``labels``: whether the
        regions' names are written (on the city map and on a city's own map; 107 names would
        crowd the province).
    """
    return {
        "borders": layers["city"] if level == "county" and not city else None,
        "labels": level == "city" or city is not None,
    }


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
    labels: bool = False,
) -> go.Figure:
    """A classed choropleth.

    One trace per class (so the legend shows the class bounds), regions without a value in
    grey, optional city borders drawn over the counties and one region outlined in red.

    Parameters
    ----------
    frame : pandas.DataFrame
        code, name, value (``analytics.maps.map_values``).
    layer : dict
        The regions' GeoJSON layer.
    indicator : str
        The indicator drawn (its unit and colours).
    method : str
        "quantiles" or "equal".
    lang : str
        "zh" or "en".
    borders : dict or None
        A layer drawn as lines over the regions.
    height : int
        Pixels.
    highlight : str or None
        A region outlined in red (e.g. found by the search box).
    tiles : str or None
        A tile URL under the regions (None: a blank style).
    compact : bool
        Fit the regions to ``height`` with the legend beside them (a small overview map).
    labels : bool
        Write each region's name inside it (MapLibre drops a name that would overlap another).

    Returns
    -------
    plotly.graph_objects.Figure
        The map.
    """
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
    hover = _hover(frame, indicator, lang)
    below = NAMES_LAYER if labels else None  # the names stay above the regions
    template = _template(indicator, lang, compared=frame.previous.notna().any())
    for i, upper in enumerate(bins):
        members = index == i
        if not members.any():
            lower = upper
            continue
        # the unit is the legend's title: a class is its range only
        label = f"{_fmt(lower, spec.decimals)} – {_fmt(upper, spec.decimals)}"
        color = _class_color(i, len(bins))
        fig.add_trace(
            _trace(
                frame[members],
                hover[members],
                feats_of(frame[members]),
                color,
                label,
                template,
                below,
            )
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
                below,
            )
        )
    if borders:
        fig.add_trace(_lines(borders, "#333333", 1.4, name=t("map.city_borders")))
    if highlight and highlight in by_code:
        fig.add_trace(_lines({"features": [by_code[highlight]]}, "#d62728", 3, name=None))
    return _place(fig, feats, frame, unit, indicator, height, compact, tiles, labels)


def _hover(frame: pd.DataFrame, indicator: str, lang: str) -> pd.DataFrame:
    """What hovering a region shows: its name, value, rank and change from last quarter."""
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    missing = messages.t("missing", lang)
    ranked = int(frame.value.notna().sum())
    d = spec.decimals
    return pd.DataFrame(
        {
            "name": frame.name.to_numpy(),
            "value": [missing if pd.isna(v) else f"{_fmt(v, d)} {unit}" for v in frame.value],
            "rank": ["—" if pd.isna(r) else f"{int(r)}/{ranked}" for r in frame["rank"]],
            "change": [
                "—" if pd.isna(v) else f"{v:+,.{d}f} {unit}" for v in (frame.value - frame.previous)
            ],
        },
        index=frame.index,
    )


def _template(indicator: str, lang: str, compared: bool) -> str:
    """The hover template for ``_hover``'s columns (no change line with nothing to compare)."""
    spec = MAP_INDICATORS[indicator]
    t = lambda k: messages.t(k, lang)  # noqa: E731
    return (
        f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}}<br>{t('map.rank')}: %{{customdata[2]}}"
        + (f"<br>{t(spec.change_key)}: %{{customdata[3]}}" if compared else "")
        + "<extra></extra>"
    )


def _class_color(i: int, classes: int) -> str:
    """Class ``i`` of ``classes``, spread over the palette from lightest to darkest."""
    return PALETTE[min(len(PALETTE) - 1, round(i * (len(PALETTE) - 1) / max(1, classes - 1)))]


def _place(fig, feats, frame, legend_title, revision, height, compact, tiles, labels):
    """Centre and zoom the map on ``feats`` to fit ``height``, the blank style (with the
    regions' names when ``labels``), and the legend under the map (beside it when
    ``compact``)."""
    (x0, y0, x1, y1) = _bounds(feats)
    span = max(x1 - x0, (y1 - y0) * 1.3)
    # fit the height too (a tall province on a short map): MapLibre draws 512 * 2**zoom pixels
    # per 360 degrees, stretched by 1/cos(latitude) north-south
    stretch = 1 / np.cos(np.radians((y0 + y1) / 2))
    room = height - (30 if compact else 100)  # a legend under the map takes about 70 px
    fit_height = float(np.log2(room * 360 / (512 * (y1 - y0) * stretch)))
    zoom = float(np.clip(min(np.log2(360 / span) - 0.05, fit_height), 3, 11))
    if compact:
        zoom = float(np.clip(fit_height, 3, 11))
        base_lon = (x0 + x1) / 2 + 0.45 * (x1 - x0)  # room on the east for the legend
    else:
        base_lon = (x0 + x1) / 2
    base = {
        "style": blank_style(_label_points(feats["features"], frame) if labels else None),
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
            "title": {"text": legend_title},
            "orientation": "v" if compact else "h",
            "x": 1 if compact else 0,
            "y": 0,
            "xanchor": "right" if compact else "left",
            "yanchor": "bottom" if compact else "top",
            "bgcolor": "rgba(255,255,255,0.9)",
            "font": {"size": 11} if compact else {},
        },
        uirevision=revision,
        clickmode="event+select",  # a click selects a region (drill-down in the app)
    )
    return fig


def _trace(frame, hover, feats, color, label, template, below=None) -> go.Choroplethmap:
    """One class of regions; ``below`` names the style layer they are drawn under."""
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
        below=below,
    )


def _label_points(features: list[dict], frame: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Each region's name at its label point, the largest regions first."""
    names = dict(zip(frame.code, frame.name, strict=True))
    sizes = {f["id"]: shape(f["geometry"]).area for f in features}
    points = sorted(label_points(features), key=lambda p: -sizes[p[0]])
    return [(names[code], lon, lat) for code, lon, lat in points]


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


CLUSTER_COLORS = {
    "hh": "#d7191c",
    "ll": "#2c7bb6",
    "hl": "#fdae61",
    "lh": "#abd9e9",
    "ns": "#f0f0f0",
    "missing": NO_DATA,
}


def cluster_map(
    frame: pd.DataFrame,
    layer: dict,
    indicator: str,
    alpha: float,
    lang: str = "zh",
    borders: dict | None = None,
    height: int = 560,
    tiles: str | None = None,
) -> go.Figure:
    """The LISA classes as a categorical map.

    High-high and low-low clusters, high-low and low-high outliers at significance ``alpha``,
    the rest not significant; the legend gives each class with its count.

    Parameters
    ----------
    frame : pandas.DataFrame
        code, name, value, p_value, cluster (``analytics.clusters``).
    layer : dict
        The counties' GeoJSON layer.
    indicator : str
        The indicator clustered.
    alpha : float
        The significance level.
    lang : str
        "zh" or "en".
    borders : dict or None
        A layer drawn as lines over the regions.
    height : int
        Pixels.
    tiles : str or None
        A tile URL under the regions.

    Returns
    -------
    plotly.graph_objects.Figure
        The map.
    """
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    by_code = {f["id"]: f for f in layer["features"]}
    hover = pd.DataFrame(
        {
            "name": frame.name,
            "value": frame.value.map(
                lambda v: t("missing") if pd.isna(v) else f"{_fmt(v, spec.decimals)} {unit}"
            ),
            "class": frame.cluster.map(lambda c: t(f"clusters.class.{c}", alpha=alpha)),
            "p": frame.p_value.map(lambda p: "—" if pd.isna(p) else f"{p:.3f}"),
        }
    )
    template = (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
        f"<br>{t('clusters.p')}: %{{customdata[3]}}<extra></extra>"
    )
    fig = go.Figure()
    for kind, color in CLUSTER_COLORS.items():
        members = (frame.cluster == kind).to_numpy()
        if not members.any():
            continue
        part = frame[members]
        feats = {"type": "FeatureCollection", "features": [by_code[c] for c in part.code]}
        label = f"{t(f'clusters.class.{kind}', alpha=alpha)} ({int(members.sum())})"
        fig.add_trace(_trace(part, hover[members], feats, color, label, template))
    if borders:
        fig.add_trace(_lines(borders, "#333333", 1.4, name=t("map.city_borders")))
    feats = {"type": "FeatureCollection", "features": [by_code[c] for c in frame.code]}
    return _place(fig, feats, frame, t("clusters.legend"), f"lisa-{indicator}", height, False,
                  tiles, False)  # fmt: skip


def ranked_bar(
    frame: pd.DataFrame, indicator: str, lang: str = "zh", height: int = 560
) -> go.Figure:
    """The map's values as a ranked horizontal bar chart (highest on top).

    Parameters
    ----------
    frame : pandas.DataFrame
        code, name, value.
    indicator : str
        The indicator.
    lang : str
        "zh" or "en".
    height : int
        Pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
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
