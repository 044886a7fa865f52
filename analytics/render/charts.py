"""Plotly figures (no Streamlit here): the same figures serve the app, the CLI and reports."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data.i18n import messages
from data.reference.official import BASIS_LABEL
from geo.regions import PROVINCE_CODE

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
COLORS = {"census2010": "#1f5f8b", "census2020": "#c0392b", "target": "#6c757d"}


def urbanization_chart(
    series: pd.DataFrame, targets: list[tuple[int, float]], lang: str = "zh"
) -> go.Figure:
    """The published urbanization rate with its targets.

    One trace per census basis (never joined across the break), derived values drawn hollow,
    target lines and a marker of the basis change.

    Parameters
    ----------
    series : pandas.DataFrame
        year, value, basis, flag (``analytics.published.urbanization_series``).
    targets : list of tuple
        (year, value %) of each target drawn.
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    fig = go.Figure()
    for basis, part in series.groupby("basis", sort=True):
        # one row per year of the basis span, so a year with no published value is a visible gap
        years = range(int(part.year.min()), int(part.year.max()) + 1)
        part = part.set_index("year").reindex(years).rename_axis("year").reset_index()
        part["flag"] = part.flag.fillna("missing")
        part["source_title"] = part.source_title.fillna("")
        fig.add_trace(
            go.Scatter(
                x=part.year,
                y=part.value,
                mode="lines+markers",
                name=BASIS_LABEL[basis][lang],
                line={"color": COLORS[basis], "width": 2.5},
                connectgaps=False,
                marker={
                    "size": 9,
                    "color": COLORS[basis],
                    "symbol": ["circle" if f == "published" else "circle-open" for f in part.flag],
                    "line": {"color": COLORS[basis], "width": 2},
                },
                customdata=part[["flag", "source_title"]].to_numpy(),
                hovertemplate="%{x}: %{y:.2f}%<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )
    for year, value in targets:
        fig.add_hline(
            y=value,
            line={"dash": "dash", "color": COLORS["target"], "width": 1.5},
            annotation_text=t("published.target", year=year, value=f"{value:g}"),
            annotation_position="top left",
        )
        fig.add_trace(
            go.Scatter(
                x=[year],
                y=[value],
                mode="markers",
                showlegend=False,
                marker={"symbol": "star", "size": 13, "color": COLORS["target"]},
                hovertemplate=t("published.target", year=year, value=f"{value:g}")
                + "<extra></extra>",
            )
        )
    breaks = sorted(series.loc[series.basis == "census2020", "year"])[:1]
    for year in breaks:
        fig.add_vline(
            x=year - 0.5,
            line={"dash": "dot", "color": COLORS["census2020"]},
            annotation_text=t("published.break"),
            annotation_position="bottom right",
            annotation_font_size=11,
        )
    fig.update_layout(
        title=t("published.chart_title"),
        font={"family": FONT},
        height=430,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="white",
        hovermode="closest",
    )
    fig.update_xaxes(title=t("published.axis_year"), tickformat="d", dtick=1, showgrid=False)
    fig.update_yaxes(title=t("published.axis_rate"), ticksuffix="%", gridcolor="#e5e5e5")
    return fig


def fan_chart(history: pd.DataFrame, record: dict, lang: str = "zh") -> go.Figure:
    """A target's history, the projected median with its 95% band, and the target.

    Parameters
    ----------
    history : pandas.DataFrame
        ``period`` and ``value`` (and optionally ``basis``: each basis its own line, never
        joined).
    record : dict
        The target's record (``analytics.targets.project_targets``).
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        The chart, its quarters in time order.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    scale, unit = (1e4, "万人") if record["unit"] == "人" else (1, record["unit"])
    if lang == "en" and record["unit"] == "人":
        unit = "10,000 persons"
    fig = go.Figure()
    groups = history.groupby("basis", sort=True) if "basis" in history else [("", history)]
    for basis, part in groups:
        name = t("proj.history") + (
            f" · {BASIS_LABEL[basis][lang]}" if basis in BASIS_LABEL else ""
        )
        fig.add_trace(
            go.Scatter(
                x=part.period.astype(str),
                y=part.value / scale,
                mode="lines+markers",
                name=name,
                line={"color": COLORS.get(basis, "#1f5f8b"), "width": 2.5},
            )
        )
    _projected(fig, record, scale, lang)
    target = record["target_value"] / scale
    fig.add_hline(
        y=target,
        line={"dash": "dot", "color": COLORS["target"]},
        annotation_text=t(
            "proj.target", value=f"{target:,.4g}", unit=unit, period=record["target_period"]
        ),
        annotation_position="top left",
    )
    fig.update_layout(
        height=360,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        font={"family": FONT},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
    )
    period_axis(fig, showgrid=False)
    fig.update_yaxes(title=unit, gridcolor="#e5e5e5", tickformat=",")
    return fig


def _projected(fig: go.Figure, record: dict, scale: float, lang: str) -> None:
    """A target's projection on ``fig``: the fitted line, the 95% band and the median path,
    and the alternative method's path when there is one."""
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    # a projection fitted on one census basis says so, beside history on either basis
    fit_basis = (record.get("method_fields") or {}).get("basis")
    on = f" · {BASIS_LABEL[fit_basis][lang]}" if fit_basis in BASIS_LABEL else ""
    fitted = pd.DataFrame(record.get("fitted", []))
    if len(fitted):
        fig.add_trace(
            go.Scatter(
                x=fitted.period.astype(str),
                y=fitted.value / scale,
                mode="lines",
                name=t("proj.fitted") + on,
                line={"color": "#8c564b", "dash": "dash", "width": 1.5},
            )
        )
    path = pd.DataFrame(record["path"])
    if len(path):
        x = path.period.astype(str)
        fig.add_trace(
            go.Scatter(
                x=pd.concat([x, x[::-1]]),
                y=pd.concat([path.upper, path.lower[::-1]]) / scale,
                fill="toself",
                mode="lines",
                fillcolor="rgba(49,130,189,0.18)",
                line={"width": 0},
                name=t("proj.band") + on,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=path.value / scale,
                mode="lines",
                name=t("proj.median") + on,
                line={"color": "#3182bd", "dash": "dash", "width": 2},
            )
        )
    alt = pd.DataFrame((record.get("alternative") or {}).get("path", []))
    if len(alt):
        fig.add_trace(
            go.Scatter(
                x=alt.period.astype(str),
                y=alt.value / scale,
                mode="lines",
                name=t("proj.alternative") + on,
                line={"color": "#6c757d", "dash": "dot", "width": 2},
            )
        )


def period_axis(fig: go.Figure, **axis) -> go.Figure:
    """The x axis as quarters in time order.

    Labels as periods (never "2,010"), and every period any trace names placed by its date,
    whichever trace names it first (a category axis would otherwise put a forecast drawn first
    before the past drawn after it).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart.
    **axis
        Further x-axis settings.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``, its axis set.
    """
    periods = {str(x) for trace in fig.data if trace.x is not None for x in trace.x}
    order = sorted(periods, key=lambda p: pd.Period(p, freq="Q"))
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=order,
        tickangle=-45,
        nticks=16,
        **axis,
    )
    return fig


def scenario_chart(settled: dict, actual: pd.Series, lang: str = "zh") -> go.Figure:
    """Cumulative settlement: what happened, then the baseline's and the scenario's paths.

    With their 95% bands and the target; what happened also past the scenario's start where the
    store holds those quarters.

    Parameters
    ----------
    settled : dict
        A scenario result's ``settled`` part (``analytics.scenarios.run``).
    actual : pandas.Series
        The province's cumulative settlement indexed by period.
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    from analytics.scenarios import target_label

    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=actual.index.astype(str),
            y=actual.to_numpy() / 1e4,
            name=t("whatif.col.actual"),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": "#111111", "width": 2},
        )
    )
    for key, color, label in (
        ("baseline_path", "#6c757d", "whatif.col.baseline"),
        ("scenario_path", "#3182bd", "whatif.col.scenario"),
    ):
        path = pd.DataFrame(settled[key])
        fig.add_trace(
            go.Scatter(x=path.period, y=path.value / 1e4, name=t(label), line={"color": color})
        )
        fig.add_trace(
            go.Scatter(
                x=pd.concat([path.period, path.period[::-1]]),
                y=pd.concat([path.upper, path.lower[::-1]]) / 1e4,
                fill="toself",
                mode="lines",
                line={"width": 0},
                opacity=0.15,
                fillcolor=color,
                showlegend=False,
                hoverinfo="skip",
            )
        )
    fig.add_hline(
        y=settled["target"] / 1e4,
        line={"dash": "dot"},
        annotation_text=f"{target_label(settled['target'], lang)} · {settled['period']}",
    )
    fig.update_layout(
        title=t("whatif.settled_chart"),
        height=360,
        font={"family": FONT},
        plot_bgcolor="white",
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        yaxis_title=t("unit.wan_persons"),
    )
    return period_axis(fig)


def reach_chart(series: pd.DataFrame, reach: dict, reference: dict, lang: str = "zh") -> go.Figure:
    """When the province reaches a share.

    The published rate on each basis (never joined), the projection on the newer basis with its
    interval, and the national reference line.

    Parameters
    ----------
    series : pandas.DataFrame
        The published rates.
    reach : dict
        ``analytics.urbanization_forecast.when_reached``.
    reference : dict
        The national reference (value, source).
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    fig = urbanization_chart(series, [], lang)
    path = reach["path"]
    path = path[path.year <= max(reference["year"], reach["latest"] or reach["year"] or 0) + 2]
    color = COLORS[reach["basis"]]
    fig.add_trace(
        go.Scatter(
            x=list(path.year) + list(path.year[::-1]),
            y=list(path.upper) + list(path.lower[::-1]),
            fill="toself",
            fillcolor="rgba(192,57,43,0.12)",
            line={"width": 0},
            hoverinfo="skip",
            name=t("reach.band", pct=f"{reach['confidence']:.0%}"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=path.year,
            y=path.value,
            mode="lines",
            line={"dash": "dash", "color": color, "width": 2},
            name=t("reach.projection", basis=BASIS_LABEL[reach["basis"]][lang]),
            hovertemplate="%{x}: %{y:.2f}%<extra></extra>",
        )
    )
    fig.add_hline(
        y=reference["value"],
        line={"dash": "dot", "color": COLORS["target"], "width": 1.5},
        annotation_text=t(
            "reach.reference_line", year=reference["year"], value=f"{reference['value']:g}"
        ),
        annotation_position="top left",
    )
    fig.update_layout(title=t("reach.chart_title", value=f"{reach['share']:g}"))
    fig.update_xaxes(dtick=2)
    return fig


def nowcast_chart(units: pd.DataFrame, names: dict, lang: str = "zh") -> go.Figure:
    """Settlement of a quarter by city: reported, estimated, and the total's 95% interval.

    Parameters
    ----------
    units : pandas.DataFrame
        The nowcast's units (``analytics.nowcast.Nowcast.units``).
    names : dict
        code -> name.
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        Reported solid, estimated light and hatched, the interval as a whisker.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    part = units[units.code != PROVINCE_CODE].sort_values("total")
    if "enough" in part:  # a city with too few counties in: what it reported, no estimate
        kept = part.enough.astype(bool)
        part = part.assign(
            estimated=part.estimated.where(kept, 0.0),
            **{c: part[c].where(kept, part.reported) for c in ("total", "lower", "upper")},
        )
    labels = [names.get(c, c) for c in part.code]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=part.reported / 1e4,
        orientation="h",
        name=t("nowcast.reported"),
        marker_color="#1f5f8b",
        hovertemplate="%{y}: %{x:,.2f}<extra></extra>",
    )
    fig.add_bar(
        y=labels,
        x=part.estimated / 1e4,
        orientation="h",
        name=t("nowcast.estimated"),
        marker={"color": "#9ecae1", "pattern": {"shape": "/", "fgcolor": "#1f5f8b"}},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (part.upper - part.total) / 1e4,
            "arrayminus": (part.total - part.lower) / 1e4,
            "color": "#333",
            "thickness": 1.2,
        },
        hovertemplate="%{y}: %{x:,.2f}<extra></extra>",
    )
    fig.update_layout(
        barmode="stack",
        height=60 + 28 * len(part),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font={"family": FONT},
        xaxis={"title": t("unit.wan_persons"), "tickformat": ","},
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": -0.25 if len(part) > 6 else -0.4},
        plot_bgcolor="white",
    )
    return fig


def reliability_chart(
    table: pd.DataFrame, lang: str = "zh", calibrated: tuple[str, float] | None = None
) -> go.Figure:
    """Nominal against empirical coverage of each method's 80% and 95% intervals.

    Mean over the horizons: a method on the diagonal says what it means.

    Parameters
    ----------
    table : pandas.DataFrame
        Scores per method and horizon (``analytics.skill.scores``).
    lang : str
        "zh" or "en".
    calibrated : tuple of (str, float) or None
        (method, mean coverage) of the calibrated 95% band of the cumulative settlements,
        drawn as a star.

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    fig = go.Figure()
    fig.add_scatter(
        x=[70, 100],
        y=[70, 100],
        mode="lines",
        line={"color": "#999", "dash": "dot"},
        name=t("skill.diagonal"),
        hoverinfo="skip",
    )
    colors = {"ets": "#1f5f8b", "ets_add": "#9467bd", "snaive": "#7f7f7f", "drift": "#ff7f0e",
              "theta": "#2ca02c"}  # fmt: skip
    means = table.groupby("method")[["coverage80", "coverage95"]].mean()
    for method, row in means.iterrows():
        fig.add_scatter(
            x=[80, 95],
            y=[100 * row.coverage80, 100 * row.coverage95],
            mode="lines+markers",
            name=t(f"skill.method.{method}"),
            marker={"size": 9, "color": colors.get(method)},
            line={"color": colors.get(method)},
            hovertemplate="%{x}% → %{y:.0f}%<extra></extra>",
        )
    if calibrated is not None:
        method, held = calibrated
        fig.add_scatter(
            x=[95],
            y=[100 * held],
            mode="markers",
            name=t("skill.calibrated_point", method=t(f"skill.method.{method}")),
            marker={"size": 16, "symbol": "star", "color": "#d62728"},
            hovertemplate="%{x}% → %{y:.0f}%<extra></extra>",
        )
    fig.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT},
        xaxis={"title": t("skill.nominal"), "range": [70, 100], "ticksuffix": "%"},
        yaxis={"title": t("skill.empirical"), "range": [0, 102], "ticksuffix": "%"},
        legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        plot_bgcolor="white",
    )
    return fig


def quality_trend_chart(trend: pd.DataFrame, names: dict, lang: str = "zh") -> go.Figure:
    """Each office's data-quality score per quarter, with the grade thresholds dotted.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``analytics.quality.trend``.
    names : dict
        office -> name.
    lang : str
        "zh" or "en".

    Returns
    -------
    plotly.graph_objects.Figure
        The chart.
    """
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    fig = go.Figure()
    for office, part in trend.groupby("office", sort=False):
        fig.add_scatter(
            x=part.period,
            y=part.score.round(1),
            mode="lines+markers",
            name=names.get(office, office),
            hovertemplate="%{x}: %{y}<extra>" + names.get(office, office) + "</extra>",
        )
    for grade, low in (("A", 90), ("B", 75), ("C", 60)):
        fig.add_hline(
            y=low,
            line={"color": "#bbb", "dash": "dot", "width": 1},
            annotation_text=t("quality.grades", grade=grade),
            annotation_position="bottom right",
        )
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT},
        yaxis={"title": t("quality.trend_axis"), "range": [0, 102]},
        legend={"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
        plot_bgcolor="white",
    )
    return period_axis(fig)
