"""地图 / Map: city and county choropleths of settlement progress (quarterly returns) and of the
2010 and 2020 censuses (real county figures), drillable, offline."""

from functools import partial

import streamlit as st

import ui
from analytics import census, maps
from analytics.render import choropleth
from data.reference import periods
from geo.regions import PROVINCE_CODE

lang = ui.lang()
# the controls and the whole map on one 1366x768 screen: less padding above, a smaller heading
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")
st.markdown(f"### {ui.tr('map.heading')}")
obs = ui.observations()
has_returns = not obs.empty
quarters = periods.quarter_range(obs.period.min(), obs.period.max()) if has_returns else []
allocs = ui.allocations()  # city allocations: the target-share indicator is offered only then
cities = {k: v for k, v in ui.scope_options().items() if k != PROVINCE_CODE}
state = st.session_state
PROVINCE = PROVINCE_CODE  # the registry's code
MAP_HEIGHT = 430  # the controls and the whole map on a 1366x768 screen, no scrolling
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
offered = maps.offered(has_returns, len(allocs) > 0)
indicator = c2.selectbox(
    ui.tr("map.indicator"),
    offered,
    key="map_indicator",
    format_func={v: ui.tr(f"map.ind.{v}") for v in offered}.get,
)
is_census = maps.MAP_INDICATORS[indicator].census
method = c4.selectbox(
    ui.tr("map.classification"),
    maps.CLASSIFIERS,
    key="map_method",
    format_func={v: ui.tr(f"map.cls.{v}") for v in maps.CLASSIFIERS}.get,
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
layer = ui.map_layers()[shown_level]
official = ui.official()
frame = maps.map_values(
    obs, ui.registry(), shown_level, indicator, period, city, allocs, official=official
)
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
    shown = lisa.counties.set_index("code").reindex(frame.code).reset_index()
    fig = choropleth.cluster_map(
        shown,
        layer,
        indicator,
        lisa.alpha,
        lang,
        borders=ui.map_layers()["city"] if not city else None,
        height=MAP_HEIGHT,
        tiles=ui.map_tiles(),
    )
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
    fig = choropleth.choropleth(
        frame,
        layer,
        indicator,
        method,
        lang,
        highlight=state.get("map_highlight"),
        tiles=ui.map_tiles(),
        height=MAP_HEIGHT,
        **choropleth.drawn_with(shown_level, city, ui.map_layers()),
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
        choropleth.ranked_bar(frame, indicator, lang, height=MAP_HEIGHT),
        width="stretch",
        config={"displaylogo": False},
    )

if is_census:  # real figures: their source and boundary, never the demo label
    st.caption(ui.tr("map.census_source") + " " + ui.tr("map.crs"))
    notes = census.basis_notes(official, ui.registry())
    st.caption(
        ui.tr("map.census_basis")
        + "  \n"
        + "  \n".join(
            ui.tr(
                "map.census_basis_row",
                name=n["name"],
                counties=f"{n['counties']:,}",
                bulletin=f"{n['bulletin']:,}",
            )
            for n in notes
        )
    )
else:
    if bool(obs.is_demo.any()):
        ui.demo_badge()
    st.caption(ui.tr("map.source") + " " + ui.tr("map.crs"))
    if frame.value.isna().all():
        st.warning(ui.tr("map.no_returns"))

if lisa is not None:  # the global statistic, in words, and how it was computed
    clustered = lisa.p_value <= lisa.alpha
    verdict = (
        ("clustered" if lisa.moran_i > lisa.expected_i else "dispersed") if clustered else "random"
    )
    st.caption(
        ui.tr(
            "clusters.global",
            i=f"{lisa.moran_i:.3f}",
            e=f"{lisa.expected_i:.3f}",
            p=f"{lisa.p_value:.3f}",
            n=f"{lisa.permutations:,}",
            verdict=ui.tr(f"clusters.verdict.{verdict}"),
        )
        + "  \n"
        + ui.tr("clusters.method", n=f"{lisa.permutations:,}", alpha=lisa.alpha)
    )

st.subheader(ui.tr("map.table"))
table = ui.map_table(frame, indicator)
if lisa is not None:
    found = lisa.counties.set_index("code")
    codes = table[ui.tr("col.code")]
    table[ui.tr("clusters.col")] = codes.map(
        lambda c: ui.tr(f"clusters.class.{found.cluster.get(c, 'missing')}", alpha=lisa.alpha)
    )
    table[ui.tr("clusters.p")] = codes.map(found.p_value)
ui.table(
    st,
    table,
    hide_index=True,
    width="stretch",
    column_config=ui.map_table_columns(table, indicator),
)
ui.download_row(table, f"map_{indicator}" + (f"_{period}" if period else ""), "map")
