"""The map that plays the quarters in the browser (plotly's frames over one MapLibre
choropleth): drawn first at the quarter picked, the classes of that quarter kept for every
quarter played, the quarter written on the map, and a play button."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.maps import MAP_INDICATORS, assign_classes, classify
from analytics.render.choropleth import (
    EMPTY,
    NAMES_LAYER,
    NO_DATA,
    _class_color,
    _fmt,
    _hover,
    _lines,
    _place,
    _template,
)
from data.i18n import messages

# the pace of map playback: one quarter a second, as long as the browser draws it
PLAY_PACE_MS = 1000


def playback(
    frames: dict[str, pd.DataFrame],
    shown: str,
    played: list[str],
    layer: dict,
    indicator: str,
    method: str = "quantiles",
    lang: str = "zh",
    borders: dict | None = None,
    height: int = 560,
    highlight: str | None = None,
    tiles: str | None = None,
    labels: bool = False,
    pace_ms: int = PLAY_PACE_MS,
) -> go.Figure:
    """A map that plays quarters in the browser.

    Playing happens inside the figure (plotly's frames): the page is not run again and the map
    is never taken down, so each quarter is drawn over the last one and no blank map is ever
    seen. One trace carries every region, coloured by class. The classes are those of the
    quarter ``shown`` (as ``choropleth`` draws it), kept for every quarter played, so a colour
    means the same in each and the legend stays put; the lowest and highest classes reach to the
    lowest and highest value played. The quarter drawn is written on the map.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Each quarter's ``maps.map_values`` frame (the same regions in each).
    shown : str
        The quarter drawn first.
    played : list of str
        The quarters played, in order.
    layer : dict
        The regions' GeoJSON layer.
    indicator : str
        The indicator drawn.
    method : str
        "quantiles" or "equal".
    lang : str
        "zh" or "en".
    borders : dict or None
        A layer drawn as lines over the regions.
    height : int
        Pixels.
    highlight : str or None
        A region outlined in red.
    tiles : str or None
        A tile URL under the regions.
    labels : bool
        Write each region's name.
    pace_ms : int
        Milliseconds per quarter played.

    Returns
    -------
    plotly.graph_objects.Figure
        The map with its frames and play button.
    """
    spec = MAP_INDICATORS[indicator]
    unit = spec.unit_zh if lang == "zh" else spec.unit_en
    codes = list(frames[shown].code)
    by_quarter = {q: f.set_index("code").reindex(codes).reset_index() for q, f in frames.items()}
    pooled = pd.concat([f.value for f in by_quarter.values()], ignore_index=True)
    here = by_quarter[shown].value
    _, bins = classify(here if here.notna().any() else pooled, method)
    k = len(bins)
    colors = [_class_color(i, k) for i in range(k)] + [NO_DATA]  # the last: no figure
    by_code = {f["id"]: f for f in layer["features"]}
    feats = {"type": "FeatureCollection", "features": [by_code[c] for c in codes if c in by_code]}

    def classes(q: str) -> list[int]:  # what changes from quarter to quarter
        return assign_classes(by_quarter[q].value, bins).fillna(k).astype(int).tolist()

    fig = go.Figure(
        _classed(feats, codes, colors, by_quarter, shown, classes(shown), indicator, lang, labels)
    )
    for label, color in _legend(pooled, bins, colors, spec.decimals, lang):
        fig.add_trace(  # a legend entry only: nothing of it is drawn
            go.Choroplethmap(
                geojson=EMPTY,
                locations=[""],
                z=[0],
                colorscale=[[0, color], [1, color]],
                showscale=False,
                name=label,
                showlegend=True,
                hoverinfo="skip",
            )
        )
    if borders:
        fig.add_trace(_lines(borders, "#333333", 1.4, name=messages.t("map.city_borders", lang)))
    if highlight and highlight in by_code:
        fig.add_trace(_lines({"features": [by_code[highlight]]}, "#d62728", 3, name=None))
    # a frame sends the classes and the quarter only (the county map's payload stays within
    # its budget); while and after playing, hovering names the region, and the quarter picked
    # on the page gives its figures again
    # (the first frame sets the name-only hover, the label's place and look stay: a frame's
    # layout is merged into the figure's)
    named = "<b>%{customdata[0]}</b><extra></extra>"
    fig.frames = [
        go.Frame(
            name=q,
            data=[go.Choroplethmap(z=classes(q), **({"hovertemplate": named} if i == 0 else {}))],
            traces=[0],
            layout={"annotations": [{"text": q}]},
        )
        for i, q in enumerate(played)
    ]
    fig.update_layout(annotations=_stamp(shown), updatemenus=[_play_button(played, pace_ms, lang)])
    fig = _place(fig, feats, by_quarter[shown], unit, indicator, height, False, tiles, labels)
    fig.update_layout(legend={"itemclick": False, "itemdoubleclick": False})
    return fig


def _classed(feats, codes, colors, by_quarter, shown, z, indicator, lang, labels):
    """The one trace that carries every region, coloured by class (the last colour: no
    figure), with the hover of the quarter ``shown``."""
    n = len(colors)
    compared = any(f.previous.notna().any() for f in by_quarter.values())
    return go.Choroplethmap(
        geojson=feats,
        locations=codes,
        zmin=-0.5,
        zmax=n - 0.5,
        colorscale=[[edge, c] for i, c in enumerate(colors) for edge in (i / n, (i + 1) / n)],
        showscale=False,
        showlegend=False,
        marker={"line": {"color": "white", "width": 0.6}},
        hovertemplate=_template(indicator, lang, compared),
        customdata=_hover(by_quarter[shown], indicator, lang).to_numpy(),
        z=z,
        below=NAMES_LAYER if labels else None,
    )


def _stamp(quarter: str) -> list[dict]:
    """The quarter drawn, written on the map (a frame changes its text only)."""
    return [
        {
            "text": quarter,
            "x": 0.01,
            "y": 0.99,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 18, "color": "#1a1a1a", "weight": "bold"},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    ]


def _legend(pooled: pd.Series, bins: list, colors: list, decimals: int, lang: str) -> list:
    """(label, colour) of each class, the ranges stretched to what is played: the lowest from
    the lowest value of any quarter, the highest to the highest; and "no data" when a region
    lacks a figure in a quarter played."""
    lows = [float(pooled.min()) if pooled.notna().any() else 0.0, *bins[:-1]]
    highs = [*bins[:-1], max(bins[-1], float(pooled.max()))] if bins else []
    out = [
        (f"{_fmt(lo, decimals)} – {_fmt(hi, decimals)}", colors[i])
        for i, (lo, hi) in enumerate(zip(lows, highs, strict=False))
    ]
    if pooled.isna().any():
        out.append((messages.t("map.no_data", lang), NO_DATA))
    return out


def _play_button(played: list[str], pace_ms: int, lang: str) -> dict:
    """The play button: every quarter played once, at ``pace_ms`` a quarter."""
    step = {"frame": {"duration": pace_ms, "redraw": True}, "transition": {"duration": 0}}
    return {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.01,
        "y": 0.9,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 0, "r": 4},
        "bgcolor": "white",
        # no pause: plotly rejects the interrupted animation's promise, an error in the
        # page's console; picking a quarter on the page stops the playback
        "buttons": [
            {
                "label": "▶ " + messages.t("map.play", lang),
                "method": "animate",
                # "afterall": a second click waits for the playback under way
                "args": [list(played), {**step, "mode": "afterall", "fromcurrent": False}],
            }
        ],
    }
