"""The trends page's chart: lines per region on a quarter axis, targets as dashed lines, or
small multiples by city. Drawn here (analytics/render), from the frames of analytics.trends."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.render.charts import FONT
from analytics.trends import label
from data.i18n import messages

COLORS = px.colors.qualitative.Dark24


def trend_chart(
    frame: pd.DataFrame,
    indicator: str,
    unit_label: str,
    lang: str = "zh",
    targets: pd.DataFrame | None = None,
    small_multiples: bool = False,
    height: int = 440,
    signed: bool = False,
) -> go.Figure:
    """Lines per region on a quarter axis in time order.

    Each region its own colour, the legend beside the plot; targets as dashed lines with labels;
    small multiples put each city (and its counties) in its own panel.

    Parameters
    ----------
    frame : pandas.DataFrame
        region_code, name, city, period, value (``analytics.trends.trend_frame``).
    indicator : str
        The indicator.
    unit_label : str
        The axis's unit.
    lang : str
        "zh" or "en".
    targets : pandas.DataFrame or None
        Target lines (``analytics.trends.target_lines``).
    small_multiples : bool
        One panel per city.
    height : int
        Pixels.
    signed : bool
        The values are changes, shown with their sign (+2.10 %, -0.40 pp).

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    number = "+,.2f" if signed else ",.2f"
    title = (
        f"{label(indicator, lang)}（{unit_label}）"
        if lang == "zh"
        else (f"{label(indicator, lang)} ({unit_label})")
    )
    periods_shown = sorted(frame.period.unique())
    if small_multiples:
        n = frame.city.nunique()
        fig = px.line(
            frame,
            x="period",
            y="value",
            color="name",
            facet_col="city",
            facet_col_wrap=4,
            color_discrete_sequence=COLORS,
            category_orders={"period": periods_shown},
            height=max(height, 220 * ((n + 3) // 4)),
        )
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        fig.update_xaxes(type="category", nticks=6, title=None)
        fig.update_yaxes(title=None, matches=None, tickformat="+," if signed else ",")
        fig.update_traces(hovertemplate=f"%{{x}}: %{{y:{number}}} {unit_label}<extra></extra>")
    else:
        fig = go.Figure()
        for i, (name, part) in enumerate(frame.groupby("name", sort=False)):
            fig.add_trace(
                go.Scatter(
                    x=part.period,
                    y=part.value,
                    name=name,
                    mode="lines+markers",
                    marker={"size": 4},
                    line={"color": COLORS[i % len(COLORS)]},
                    hovertemplate=(
                        f"{name}<br>%{{x}}: %{{y:{number}}} {unit_label}<extra></extra>"
                    ),
                )
            )
        fig.update_layout(height=height)
        fig.update_xaxes(
            type="category",
            categoryorder="array",
            categoryarray=periods_shown,
            nticks=12,
            title=messages.t("trend.axis_period", lang),
        )
        fig.update_yaxes(title=unit_label, tickformat="+," if signed else ",")
        if signed:
            fig.add_hline(y=0, line_color="#999", line_width=1)
        _target_lines(fig, targets, periods_shown, lang)
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        font={"family": FONT},
        # beside the plot, never over the axis or cut off below it; scrolls when long
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#eee")
    return fig


def _target_lines(fig, targets: pd.DataFrame | None, periods_shown: list, lang: str) -> None:
    """Each target as a dashed line with its label, and a star at its quarter when shown."""
    for t in (targets if targets is not None else pd.DataFrame()).itertuples(index=False):
        value = t.value
        text = messages.t("trend.target", lang, value=f"{value:,.0f}", period=t.period)
        fig.add_hline(
            y=value,
            line_dash="dash",
            line_color="#c0392b",
            annotation_text=text,
            annotation_position="top left",
        )
        if t.period in periods_shown:
            fig.add_trace(
                go.Scatter(
                    x=[t.period],
                    y=[value],
                    mode="markers",
                    marker={"symbol": "star", "size": 12, "color": "#c0392b"},
                    name=text,
                    showlegend=False,
                )
            )
