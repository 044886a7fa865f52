"""数据质量 / Data quality: each reporting office's timeliness, completeness, revisions and
confirmed warnings, a grade by a written rule, the trend of the lowest, and downloads."""

import streamlit as st

import ui
from ui.views import quality as view

st.title(ui.tr("quality.heading"))
st.caption(view.intro())
obs = ui.observations()
quarters = sorted(obs.period.unique()) if len(obs) else []
if not quarters:
    st.info(ui.tr("quality.empty"))
    st.stop()
c1, c2, c3 = st.columns([2, 2, 1])
levels = view.levels()
level = c1.radio(
    ui.tr("quality.level"), list(levels), format_func=levels.get, horizontal=True, key="q_level"
)
through = c2.selectbox(ui.tr("quality.through"), quarters[::-1], key="q_through")
windows = sorted({4, 8, len(quarters)})
window = c3.selectbox(ui.tr("quality.window"), windows, key="q_window")
table = ui.quality(through, level, window)
if table.attrs.get("demo"):
    ui.demo_badge()
covered = table.attrs["quarters"]
st.caption(ui.tr("quality.window_note", first=covered[0], last=covered[-1], n=len(covered)))
if level == "county":
    cities = dict(zip(table.city, table.city_name, strict=True))
    picked = st.multiselect(
        ui.tr("quality.city_filter"),
        list(cities),
        format_func=cities.get,
        key="q_cities",
        placeholder=ui.tr("widget.choose"),
    )
    if picked:
        table = table[table.city.isin(picked)]
counts = table.grade.value_counts()
grades = view.grades()
for col, grade in zip(st.columns(len(grades)), grades, strict=True):
    col.metric(ui.tr("quality.grades", grade=grade), int(counts.get(grade, 0)))


full = view.scorecard(table, level)
shown = view.on_screen(full, table)
ui.table(  # each column as wide as its header or widest figure (ui.table)
    st,
    shown,
    hide_index=True,
    width="stretch",
    height=min(420, 38 + 35 * len(shown)),
)
st.caption(ui.tr("quality.legend"))
st.caption(ui.tr("quality.rule"))
if table.attrs.get("demo"):
    st.caption(ui.tr("quality.demo_note"))
stem = f"quality_{level}_{covered[0]}_{covered[-1]}"
d1, d2 = st.columns(2)
d1.download_button(
    ui.tr("quality.download_csv"), lambda: ui.to_csv(full), file_name=f"{stem}.csv", mime="text/csv"
)
d2.download_button(
    ui.tr("quality.download_xlsx"), lambda: ui.to_xlsx(full), file_name=f"{stem}.xlsx"
)

st.subheader(ui.tr("quality.trend"))
names = dict(zip(table.office, table.name, strict=True))
lowest = view.lowest(table)
offices = st.multiselect(
    ui.tr("quality.trend_offices"), list(names), default=lowest, format_func=names.get,
    key=f"q_trend_{level}", placeholder=ui.tr("widget.choose"))  # fmt: skip
if offices:
    trend = ui.quality_trend(tuple(offices), through, level)
    st.plotly_chart(
        view.trend_chart(trend, names),
        width="stretch",
        config={"displaylogo": False},
        key="quality_trend",
    )
if level == "county":
    with st.expander(ui.tr("quality.by_indicator")):
        share = ui.quality_by_indicator(tuple(covered))
        ui.table(st, view.by_indicator(share, table, names), width="stretch")
