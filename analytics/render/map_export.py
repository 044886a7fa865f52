"""Self-contained map files for reports: ``urbdash map OUT.html|OUT.png``.

The app's MapLibre map stays blank when an exported page is opened from ``file://``, so files
use plain shapes: an HTML file draws the polygons as filled plotly scatter traces on an
equal-area-looking lon/lat plane (plotly.js embedded, nothing fetched), and a PNG is drawn with
matplotlib. Both show the legend with class bounds, no-data grey, title, source and demo label.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry import shape

from analytics.maps import MAP_INDICATORS, classify
from analytics.render.choropleth import NO_DATA, PALETTE
from data.i18n import messages
from geo.boundaries import label_points

CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "DejaVu Sans",
]


def _classes(frame: pd.DataFrame, indicator: str, method: str, lang: str):
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    index, bins = classify(frame.value, method)
    labels, colors, lower = [], [], float(frame.value.min()) if frame.value.notna().any() else 0
    for i, upper in enumerate(bins):
        labels.append(f"{lower:,.{spec.decimals}f} – {upper:,.{spec.decimals}f} {unit}")
        colors.append(
            PALETTE[min(len(PALETTE) - 1, round(i * (len(PALETTE) - 1) / max(1, len(bins) - 1)))]
        )
        lower = upper
    return index, labels, colors, unit


def _rings(geom):
    for poly in getattr(geom, "geoms", [geom]):
        yield np.asarray(poly.exterior.coords)


def html_figure(
    frame, layer, indicator, method="quantiles", lang="zh", title="", note=""
) -> go.Figure:
    """The classed map as a standalone plotly figure (the HTML export: no tiles, draws offline).

    Parameters
    ----------
    frame : pandas.DataFrame
        code, name, value.
    layer : dict
        The regions' GeoJSON layer.
    indicator : str
        The indicator drawn.
    method : str
        "quantiles" or "equal".
    lang : str
        "zh" or "en".
    title : str
        The title.
    note : str
        The source note under the map.

    Returns
    -------
    plotly.graph_objects.Figure
        The map, regions as filled outlines.
    """
    index, labels, colors, unit = _classes(frame, indicator, method, lang)
    geoms = {f["id"]: shape(f["geometry"]) for f in layer["features"]}
    fig = go.Figure()
    shown: set = set()
    for r, cls in zip(frame.itertuples(index=False), index, strict=True):
        missing = pd.isna(cls)
        name = messages.t("map.no_data", lang) if missing else labels[int(cls)]
        color = NO_DATA if missing else colors[int(cls)]
        xs, ys = [], []
        for ring in _rings(geoms[r.code]):
            xs += ring[:, 0].tolist() + [None]
            ys += ring[:, 1].tolist() + [None]
        value = "—" if missing else f"{r.value:,.2f} {unit}"
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=color,
                mode="lines",
                line={"color": "white", "width": 0.6},
                name=name,
                legendgroup=name,
                showlegend=name not in shown,
                hoveron="fills",
                text=f"{r.name}: {value}",
                hoverinfo="text",
            )
        )
        shown.add(name)
    lat0 = np.mean([g.centroid.y for g in geoms.values()])
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / np.cos(np.radians(lat0)))
    # the footnote wrapped to the page's width (Plotly does not wrap), and the bottom margin
    # made tall enough for all of its lines, so none is cut off
    lines = _wrap(note, 46 if lang == "zh" else 100)
    bottom = 40 + 15 * len(lines)
    fig.update_layout(
        title=title,
        plot_bgcolor="white",
        height=760 + bottom,
        width=700,
        margin={"b": bottom},
        legend={"title": {"text": unit}},
        annotations=[
            {
                "text": "<br>".join(lines),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -10,
                "align": "left",
                "font": {"size": 10},
            }
        ],
    )
    return fig


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters: at spaces where the text has them (English),
    anywhere otherwise (Chinese has no spaces between words)."""
    import textwrap

    out = []
    for para in str(text).splitlines() or [""]:
        out += textwrap.wrap(para, width, break_long_words=True) or [""]
    return out


def draw_map(
    ax, frame, layer, indicator, method="quantiles", lang="zh", legend_size=8, names=False
) -> None:
    """Draw the classed choropleth on a matplotlib axis (the PNG export and the PDF brief).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axis.
    frame : pandas.DataFrame
        code, name, value.
    layer : dict
        The regions' GeoJSON layer.
    indicator : str
        The indicator drawn.
    method : str
        "quantiles" or "equal".
    lang : str
        "zh" or "en".
    legend_size : float
        The legend's font size.
    names : bool
        Write each region's name.

    Returns
    -------
    None
        The legend goes under the regions (never over them).
    """
    from matplotlib.patches import Patch, Polygon

    index, labels, colors, unit = _classes(frame, indicator, method, lang)
    geoms = {f["id"]: shape(f["geometry"]) for f in layer["features"]}
    for r, cls in zip(frame.itertuples(index=False), index, strict=True):
        color = NO_DATA if pd.isna(cls) else colors[int(cls)]
        for ring in _rings(geoms[r.code]):
            ax.add_patch(
                Polygon(ring, closed=True, facecolor=color, edgecolor="white", linewidth=0.4)
            )
    ax.autoscale_view()
    lat0 = np.mean([g.centroid.y for g in geoms.values()])
    ax.set_aspect(1 / np.cos(np.radians(lat0)))
    ax.axis("off")
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colors, labels, strict=True)]
    if index.isna().any():
        handles.append(Patch(facecolor=NO_DATA, label=messages.t("map.no_data", lang)))
    ax.legend(
        handles=handles,
        title=unit,
        title_fontsize=legend_size + 1,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        fontsize=legend_size,
        frameon=False,
    )
    if names:
        _draw_names(ax, frame, layer, legend_size + 0.5)


def _draw_names(ax, frame, layer, size: float) -> None:
    """Region names at their label points, the largest regions first; a name that would
    overlap one already written is left out (as the app's map does)."""
    import matplotlib.patheffects as pe

    features = [f for f in layer["features"] if f["id"] in set(frame.code)]
    area = {f["id"]: shape(f["geometry"]).area for f in features}
    name = dict(zip(frame.code, frame.name, strict=True))
    renderer = ax.figure.canvas.get_renderer()
    ax.apply_aspect()  # the axes' final box, so extents measured now are where text is drawn
    placed = []
    for code, lon, lat in sorted(label_points(features), key=lambda p: -area[p[0]]):
        text = ax.text(lon, lat, name[code], fontsize=size, ha="center", va="center", zorder=5)
        text.set_path_effects([pe.withStroke(linewidth=2, foreground="white")])
        box = text.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in placed):
            text.remove()
        else:
            placed.append(box)


def use_cjk_fonts() -> None:
    """Set matplotlib to the Noto CJK fonts and plain text (no math).

    Returns
    -------
    None
        matplotlib's settings are changed for the process.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS
    plt.rcParams["axes.unicode_minus"] = False
    # every text drawn is plain text: a "$" in a target's source or a set's name (typed by an
    # administrator) is a dollar sign, never matplotlib math, which a stray macro crashes
    plt.rcParams["text.parse_math"] = False


def write_png(
    path: Path, frame, layer, indicator, method="quantiles", lang="zh", title="", note=""
):
    """The map on a 7 x 10 inch page as PNG.

    Title, regions (named when there are few enough to read), the legend under them and the
    source note wrapped under the legend.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    frame : pandas.DataFrame
        code, name, value.
    layer : dict
        The regions' GeoJSON layer.
    indicator : str
        The indicator drawn.
    method : str
        "quantiles" or "equal".
    lang : str
        "zh" or "en".
    title : str
        The title.
    note : str
        The source note.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from analytics.render.text import wrap

    use_cjk_fonts()
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(7, 10), dpi=150)
    lines = wrap(note, 0.92 * 7 * 72, 7)
    note_height = (len(lines) * 7 * 1.4 + 10) / 72 / 10  # as a fraction of the page
    ax = fig.add_axes([0.04, note_height + 0.17, 0.92, 0.78 - note_height])
    draw_map(ax, frame, layer, indicator, method, lang, names=len(frame) <= 20)
    fig.text(0.5, 0.975, title, fontsize=12, ha="center", va="top")
    fig.text(0.04, 0.015, "\n".join(lines), fontsize=7, va="bottom", linespacing=1.3)
    fig.savefig(path)
    plt.close(fig)
