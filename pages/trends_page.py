"""趋势 / Trends: any indicator over time for any set of regions, with targets and downloads;
and the two censuses (real county figures, 2010 and 2020) for the same regions."""

import streamlit as st

import ui
from analytics import trends
from analytics.render.trend_chart import trend_chart

lang = ui.lang()
st.title(ui.tr("trend.heading"))
obs = ui.observations()
if obs.empty:  # the census trends need no returns
    st.info(ui.no_data_text())
reg = ui.registry()

c1, c2, c3 = st.columns([3, 2, 5])
offered = (() if obs.empty else trends.TREND_INDICATORS) + trends.CENSUS_TRENDS
indicator = c1.selectbox(
    ui.tr("trend.indicator"),
    offered,
    key="trend_indicator",
    format_func={i: trends.label(i, lang) for i in offered}.get,
)
is_census = indicator in trends.CENSUS_TRENDS
level = c2.radio(
    ui.tr("trend.level"),
    ["province", "city", "county"],
    key="trend_level",
    horizontal=True,
    format_func={v: ui.tr(f"trend.level.{v}") for v in ("province", "city", "county")}.get,
)
options = {
    "province": reg[reg.level == "province"],
    "city": reg[(reg.level == "city") | reg.stat_name.notna()],
    "county": reg[reg.level == "county"],
}[level]
names = {
    c: (s if isinstance(s, str) else n)
    for c, n, s in zip(options.code, options.name, options.stat_name, strict=True)
}
default = list(names)[:1] if level != "city" else list(names)[:3]
chosen = c3.multiselect(
    ui.tr("trend.regions"),
    list(names),
    default=default,
    key=f"trend_regions_{level}",
    format_func={c: f"{names[c]} {c}" for c in names}.get,
)
d1, d2, d3 = st.columns([4, 4, 3], vertical_alignment="bottom")
mode = d1.radio(
    ui.tr("trend.mode"),
    trends.MODES,
    key="trend_mode",
    horizontal=True,
    format_func={v: ui.tr(f"trend.mode.{v}") for v in trends.MODES}.get,
    disabled=is_census,  # two census counts: shown as they are
)
change = d2.radio(
    ui.tr("trend.change"),
    trends.CHANGES,
    key="trend_change",
    horizontal=True,
    format_func={v: ui.tr(f"trend.change.{v}") for v in trends.CHANGES}.get,
    disabled=is_census,
)
if is_census:
    mode, change = "absolute", "none"
multiples = d3.toggle(
    ui.tr("trend.small_multiples"), key="trend_multiples", disabled=level == "province"
)
if not chosen:
    st.info(ui.tr("trend.no_selection"))
    st.stop()
if mode == "per_10k" and indicator in trends.RATES:
    st.caption(ui.tr("trend.per10k_na"))

if is_census:
    frame = trends.census_frame(ui.official(), reg, level, indicator, chosen)
else:
    frame = trends.trend_frame(obs, reg, level, indicator, chosen, mode, change)
unit = trends.unit(indicator, mode, change, lang)
lines = (
    trends.target_lines(ui.all_targets(), indicator, chosen)
    if mode == "absolute" and change == "none" and not is_census
    else None
)
fig = trend_chart(
    frame,
    indicator,
    unit,
    lang,
    lines,
    multiples and level != "province",
    signed=change != "none",
)
st.plotly_chart(
    fig,
    width="stretch",
    key="trend_chart",
    config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"trend-{indicator}", "scale": 2},
    },
)
if is_census:  # real figures: the census and its boundary, never the demo label
    st.caption(ui.tr("trend.source_census"))
else:
    if bool(obs.is_demo.any()):
        st.badge(ui.tr("demo.badge"), icon=":material/science:", color="orange")
    st.caption(ui.tr("trend.source_returns"))
if lines is not None and len(lines):
    st.caption("；".join(dict.fromkeys(lines.source)))

with st.expander(ui.tr("trend.table"), expanded=False):
    table = frame.pivot_table(index="period", columns="name", values="value", sort=False)
    table = table.reset_index().rename(columns={"period": ui.tr("trend.axis_period")})
    ui.table(st, table, hide_index=True, width="stretch", height=260)
    ui.download_row(frame, f"trend-{indicator}", "trend")
