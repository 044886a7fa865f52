"""数据概览 / Data overview: published urbanization series, targets, census break, city table."""

import streamlit as st

import ui
from ui.views import published as view

st.title(ui.tr("published.heading"))
st.write(ui.tr("published.intro"))

official = ui.official_headline()
series = ui.urbanization_series()
by_year = series.set_index("year").value
target = view.rate_targets()  # the plan's, as published (2015 and 2020)
c1, c2, c3, c4 = st.columns(4)
latest = int(series.year.max())
c1.metric(ui.tr("published.metric_latest", year=latest), f"{by_year[latest]:.2f}%")
c2.metric(
    ui.tr("published.metric_2015", target=target[2015]),
    f"{by_year[2015]:.2f}%",
    ui.tr("published.vs_target", delta=f"{by_year[2015] - target[2015]:+.2f}"),
)
c3.metric(ui.tr("published.metric_2019"), f"{by_year[2019]:.2f}%")
c4.metric(
    ui.tr("published.metric_2020", target=target[2020]),
    f"{by_year[2020]:.2f}%",
    ui.tr("published.vs_target", delta=f"{by_year[2020] - target[2020]:+.2f}"),
)

st.plotly_chart(view.chart(series, target), width="stretch", config={"displaylogo": False})
st.caption(ui.tr("published.chart_note"))
ui.sources(view.sources(series))

st.subheader(ui.tr("published.cities"))
obs = ui.observations()
table, has_demo, span = ui.city_table()
if has_demo:
    ui.demo_badge()
shown, decimals = view.city_grid(table)
ui.table(st, shown, hide_index=True, width="stretch", column_config=decimals)
st.caption(ui.tr("published.cities_note"))
if span:
    origin = ui.tr("published.origin_demo" if has_demo else "published.origin_returns")
    st.caption(ui.tr("published.star_note", origin=origin, start=span[0], end=span[1]))
ui.sources(view.sources(official, cities=True))
if obs.empty:
    st.info(ui.no_data_text())

with st.expander(ui.tr("published.series_table")):
    shown = view.series_table(official, ui.registry())
    ui.table(st, shown, hide_index=True, width="stretch")
    st.download_button(
        ui.tr("published.download_csv"),
        lambda: ui.to_csv(shown),  # made when pressed, not on every run
        file_name="official_series.csv",
        mime="text/csv",
    )
