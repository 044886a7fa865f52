"""数据概览 / Data overview: published urbanization series, targets, census break, city table."""

import streamlit as st

import ui
from analytics import published as overview
from analytics.render import charts
from data.downloads import csv_bytes
from data.reference.official import headline
from data.reference.targets import published_targets
from geo.regions import PROVINCE_CODE

lang = ui.lang()
st.title(ui.tr("overview.heading"))
st.write(ui.tr("overview.intro"))

official = headline(ui.official())
series = overview.urbanization_series(official)
by_year = series.set_index("year").value
# the plan's urbanization targets (2015 and 2020), as published (data.reference.targets)
plan = published_targets()
plan = plan[plan.indicator == "urbanization_rate"]
target = {int(p[:4]): float(v) for p, v in zip(plan.period, plan.value, strict=True)}
c1, c2, c3, c4 = st.columns(4)
latest = int(series.year.max())
c1.metric(ui.tr("overview.metric_latest", year=latest), f"{by_year[latest]:.2f}%")
c2.metric(
    ui.tr("overview.metric_2015", target=target[2015]),
    f"{by_year[2015]:.2f}%",
    ui.tr("overview.vs_target", delta=f"{by_year[2015] - target[2015]:+.2f}"),
)
c3.metric(ui.tr("overview.metric_2019"), f"{by_year[2019]:.2f}%")
c4.metric(
    ui.tr("overview.metric_2020", target=target[2020]),
    f"{by_year[2020]:.2f}%",
    ui.tr("overview.vs_target", delta=f"{by_year[2020] - target[2020]:+.2f}"),
)

fig = charts.urbanization_chart(series, sorted(target.items()), lang)
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
st.caption(ui.tr("overview.chart_note"))
ui.sources(overview.sources(series, lang))

st.subheader(ui.tr("overview.cities"))
obs = ui.observations()
table, has_demo, span = overview.city_table(official, ui.registry(), obs, lang)
if has_demo:
    ui.demo_badge()
decimals = {c: st.column_config.NumberColumn(format="%.2f") for c in table.columns[2:]}
# a city by its name (the codes are in the series table below)
shown = table.drop(columns=[ui.tr("col.code")])
ui.table(st, shown, hide_index=True, width="stretch", column_config=decimals)
st.caption(ui.tr("overview.cities_note"))
if span:
    origin = ui.tr("overview.origin_demo" if has_demo else "overview.origin_returns")
    st.caption(ui.tr("overview.star_note", origin=origin, start=span[0], end=span[1]))
ui.sources(overview.sources(official[official.region_code != PROVINCE_CODE], lang))
if obs.empty:
    st.info(ui.no_data_text())

with st.expander(ui.tr("overview.series_table")):
    reg = ui.registry()
    shown = overview.series_table(official, dict(zip(reg.code, reg.name, strict=True)), lang)
    ui.table(st, shown, hide_index=True, width="stretch")
    st.download_button(
        ui.tr("overview.download_csv"),
        csv_bytes(shown),
        file_name="official_series.csv",
        mime="text/csv",
    )
