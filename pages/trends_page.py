"""趋势 / Trends: any indicator over time for any set of regions, with targets and downloads;
and the two censuses (real county figures, 2010 and 2020) for the same regions."""

import streamlit as st

import ui
from ui.views import trends as view

st.title(ui.tr("trend.heading"))
obs = ui.observations()
if obs.empty:  # the census trends need no returns
    st.info(ui.no_data_text())

c1, c2, c3 = st.columns([3, 2, 5])
offered = view.indicators(not obs.empty)
indicator = c1.selectbox(
    ui.tr("trend.indicator"), list(offered), key="trend_indicator", format_func=offered.get
)
is_census = view.is_census(indicator)
levels = view.choices("level", view.LEVELS)
level = c2.radio(
    ui.tr("trend.level"), list(levels), key="trend_level", horizontal=True, format_func=levels.get
)
names = view.regions(ui.registry(), level)
default = list(names)[:1] if level != "city" else list(names)[:3]
chosen = c3.multiselect(
    ui.tr("trend.regions"),
    list(names),
    default=default,
    key=f"trend_regions_{level}",
    format_func=names.get,
)
d1, d2, d3 = st.columns([4, 4, 3], vertical_alignment="bottom")
modes, changes = view.modes(), view.changes()
mode = d1.radio(
    ui.tr("trend.mode"),
    list(modes),
    key="trend_mode",
    horizontal=True,
    format_func=modes.get,
    disabled=is_census,  # two census counts: shown as they are
)
change = d2.radio(
    ui.tr("trend.change"),
    list(changes),
    key="trend_change",
    horizontal=True,
    format_func=changes.get,
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
if view.per_10k_not_applicable(indicator, mode):
    st.caption(ui.tr("trend.per10k_na"))

frame = ui.trend_frame(level, indicator, tuple(chosen), mode, change)
lines = (
    view.target_lines(ui.all_targets(), indicator, chosen)
    if mode == "absolute" and change == "none" and not is_census
    else None
)
fig = view.chart(frame, indicator, mode, change, lines, multiples and level != "province")
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
    ui.table(st, view.by_quarter(frame), hide_index=True, width="stretch", height=260)
    ui.download_row(frame, f"trend-{indicator}", "trend")
