"""地图 / Map: city and county choropleths of settlement progress (quarterly returns) and of the
2010 and 2020 censuses (real county figures), drillable, offline."""

from functools import partial

import streamlit as st

import ui
from ui.views import map as view

# the controls and the whole map on one 1366x768 screen: less padding above, a smaller heading
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")
st.markdown(f"### {ui.tr('map.heading')}")
obs = ui.observations()
has_returns = not obs.empty
quarters = view.quarters(obs)
allocs = ui.allocations()  # city allocations: the target-share indicator is offered only then
PROVINCE = ui.PROVINCE_CODE  # the registry's code
cities = {k: v for k, v in ui.scope_options().items() if k != PROVINCE}
state = st.session_state
MAP_HEIGHT = view.MAP_HEIGHT
state.setdefault("map_city", PROVINCE)
# playback (the map's own play button) covers the complete quarters only and stops at the
# last one: a quarter still coming in would draw the counties not yet in as gaps
headline = ui.headline_quarter() or ""  # the latest complete quarter
complete = [q for q in quarters if q <= headline]
if quarters:
    state.setdefault("map_period", headline)
if not has_returns:
    st.info(ui.no_data_text())


c1, c2, c3, c4 = st.columns([1, 2, 2, 1])
level = c1.radio(
    ui.tr("map.level"),
    ["city", "county"],
    key="map_level",
    format_func={v: ui.tr(f"map.level.{v}") for v in ("city", "county")}.get,
)
offered = view.indicators(has_returns, len(allocs) > 0)
indicator = c2.selectbox(
    ui.tr("map.indicator"), list(offered), key="map_indicator", format_func=offered.get
)
is_census = view.is_census(indicator)
classifiers = view.classifiers()
method = c4.selectbox(
    ui.tr("map.classification"), list(classifiers), key="map_method", format_func=classifiers.get
)
if is_census:  # two census dates, no quarter to pick
    period = None
    c3.caption(ui.tr("map.census_when"))
else:
    period = c3.select_slider(ui.tr("map.period"), quarters, key="map_period")

d1, d2, d3 = st.columns([2, 3, 1.5], vertical_alignment="bottom")
city = d1.selectbox(
    ui.tr("map.city"),
    [PROVINCE, *cities],
    key="map_city",
    format_func={PROVINCE: ui.tr("map.all_cities"), **cities}.get,
)
city = None if city == PROVINCE else city
query = d2.text_input(ui.tr("map.search"), key="map_search", on_change=ui.jump_to_county)
if query:
    hit = ui.find_county(query)
    if hit:
        d2.caption(ui.tr("map.found", raw=query, **hit))
    else:
        d2.caption(ui.tr("map.not_found", raw=query))

show_clusters = d3.toggle(
    ui.tr("clusters.toggle"),
    key="map_clusters",
    help=ui.tr("clusters.toggle_help"),
    disabled=indicator == "target_share",  # allocations are per city: nothing to cluster
)

shown_level = "county" if city else level
frame = ui.map_values(shown_level, indicator, period, city)
lisa = None  # the clusters, over all counties, when asked for and drawn at county level
if show_clusters and indicator != "target_share":
    if shown_level != "county":
        st.caption(ui.tr("clusters.county_only"))
    else:
        try:
            lisa = ui.clusters(indicator, period)
        except ValueError:  # fewer than 8 counties with a value this quarter
            st.warning(ui.tr("clusters.too_few"))
if lisa is not None:
    fig = view.cluster_figure(lisa, frame, ui.map_layers(), indicator, city, ui.map_tiles())
elif not is_census and len(complete) > 1:  # the map plays the complete quarters itself
    fig = ui.playback_map(
        shown_level,
        indicator,
        city,
        period,
        tuple(complete),
        method,
        state.get("map_highlight"),
        MAP_HEIGHT,
    )
else:
    fig = view.still_figure(
        frame,
        ui.map_layers(),
        shown_level,
        indicator,
        method,
        city,
        state.get("map_highlight"),
        ui.map_tiles(),
    )

chart_key = f"map_{shown_level}_{city}"


left, right = st.columns([3, 2])
with left:
    st.plotly_chart(
        fig,
        width="stretch",
        # a click on a city shows its counties (a callback from ui, not made here: see there)
        on_select=partial(
            ui.drill_into_city, chart_key, tuple(cities) if shown_level == "city" else ()
        ),
        selection_mode="points",
        key=chart_key,
        config={"displaylogo": False},
    )
    if city:
        st.button(
            ui.tr("map.back"),
            icon=":material/arrow_back:",
            on_click=state.update,
            kwargs={"map_city": PROVINCE},
        )
    if shown_level == "city":
        st.caption(ui.tr("map.click_hint"))
    if lisa is None and not is_census and len(complete) > 1:
        st.caption(ui.tr("map.play_hint", first=complete[0], last=complete[-1]))
with right:
    st.markdown(f"**{ui.tr('map.ranking')}**")
    st.plotly_chart(
        view.ranking_figure(frame, indicator),
        width="stretch",
        config={"displaylogo": False},
    )

if is_census:  # real figures: their source and boundary, never the demo label
    st.caption(ui.tr("map.census_source") + " " + ui.tr("map.crs"))
    st.caption(view.census_basis(ui.census_notes()))
else:
    if bool(obs.is_demo.any()):
        ui.demo_badge()
    st.caption(ui.tr("map.source") + " " + ui.tr("map.crs"))
    if frame.value.isna().all():
        st.warning(ui.tr("map.no_returns"))

if lisa is not None:  # the global statistic, in words, and how it was computed
    st.caption(view.clusters_line(lisa))

st.subheader(ui.tr("map.table"))
table = view.map_table(frame, indicator)
if lisa is not None:
    table = view.with_clusters(table, lisa)
ui.table(
    st,
    table,
    hide_index=True,
    width="stretch",
    column_config=view.map_table_columns(table, indicator),
)
ui.download_row(table, f"map_{indicator}" + (f"_{period}" if period else ""), "map")
