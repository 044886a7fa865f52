"""数据质量 / Data quality: each reporting office's timeliness, completeness, revisions and
confirmed warnings, a grade by a written rule, the trend of the lowest, and downloads."""

import pandas as pd
import streamlit as st

import ui
from analytics import quality
from analytics.render import charts
from data import settings
from data.downloads import csv_bytes
from data.reference import indicators

lang = ui.lang()
st.title(ui.tr("quality.heading"))
st.caption(ui.tr("quality.intro", due=int(settings.get("report_due_days"))))
obs = ui.observations()
quarters = sorted(obs.period.unique()) if len(obs) else []
if not quarters:
    st.info(ui.tr("quality.empty"))
    st.stop()
c1, c2, c3 = st.columns([2, 2, 1])
levels = {"city": ui.tr("quality.level.city"), "county": ui.tr("quality.level.county")}
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
for col, (grade, _) in zip(st.columns(len(quality.GRADES)), quality.GRADES, strict=True):
    col.metric(ui.tr("quality.grades", grade=grade), int(counts.get(grade, 0)))


def pct(v: float) -> str:
    return f"{v:.0%}"


full = pd.DataFrame(
    {
        ui.tr("quality.col.rank"): table["rank"],
        ui.tr("quality.col.office"): table.name,
        **({ui.tr("quality.col.city"): table.city_name} if level == "county" else {}),
        ui.tr("quality.col.grade"): table.grade,
        ui.tr("quality.col.score"): table.score.round(1),
        ui.tr("quality.col.on_time"): table.on_time.map(pct),
        ui.tr("quality.col.days"): table.days.map(
            lambda d: ui.tr("quality.never") if pd.isna(d) else f"{d:.0f}"
        ),
        ui.tr("quality.col.completeness"): table.completeness.map(pct),
        ui.tr("quality.col.revised"): table.revised.map(pct),
        ui.tr("quality.col.revised_values"): table.revised_values,
        ui.tr("quality.col.unit_slip"): table.unit_slip,
        ui.tr("quality.col.outlier"): table.outlier,
        ui.tr("quality.col.other_flags"): table.other_flags,
    }
)
# on screen the warnings in one column; the downloads keep them by kind
kinds = [ui.tr(f"quality.col.{k}") for k in ("unit_slip", "outlier", "other_flags")]
shown = full.drop(columns=kinds).assign(
    **{ui.tr("quality.col.flags"): table.unit_slip + table.outlier + table.other_flags}
)
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
    ui.tr("quality.download_csv"), csv_bytes(full), file_name=f"{stem}.csv", mime="text/csv"
)
d2.download_button(ui.tr("quality.download_xlsx"), ui.to_xlsx(full), file_name=f"{stem}.xlsx")

st.subheader(ui.tr("quality.trend"))
names = dict(zip(table.office, table.name, strict=True))
lowest = table.sort_values("score", kind="stable").office.head(3).tolist()
offices = st.multiselect(
    ui.tr("quality.trend_offices"), list(names), default=lowest, format_func=names.get,
    key=f"q_trend_{level}", placeholder=ui.tr("widget.choose"))  # fmt: skip
if offices:
    trend = ui.quality_trend(tuple(offices), through, level)
    st.plotly_chart(
        charts.quality_trend_chart(trend, names, lang),
        width="stretch",
        config={"displaylogo": False},
        key="quality_trend",
    )
if level == "county":
    with st.expander(ui.tr("quality.by_indicator")):
        share = quality.by_indicator(ui.current_keys(), ui.registry(), covered)
        share = share[share.office.isin(table.office)]
        label = {i.code: i.name(lang) for i in indicators.REPORTED}
        grid = share.pivot(index="office", columns="indicator", values="completeness")
        grid = grid.reindex(table.office)[list(indicators.REPORTED_CODES)]
        grid.index = grid.index.map(names)
        grid.index.name = ui.tr("quality.col.office")
        ui.table(st, grid.rename(columns=label).map(pct), width="stretch")
