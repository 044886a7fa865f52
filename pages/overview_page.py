"""总览 / Overview: the state of the province in ten seconds, on one 1366×768 screen."""

import streamlit as st

import ui
from ui.views import overview as view

lang = ui.lang()
st.html(view.ONE_SCREEN)
fresh = ui.freshness()
if fresh["latest"] is None:
    st.title(ui.tr("lead.heading"))
    st.info(ui.no_data_text())
    st.stop()
# the latest complete quarter: an early return for a new quarter does not redraw the province
as_of = fresh["as_of"]
# the targets that lead: the set named in the address (?set=plan-2015), else the page default
# (the nearest set still ahead, else the latest)
sets = ui.held_target_sets()
target_set = st.query_params.get("set")
if target_set not in set(sets.name):
    target_set = ui.default_target_set()
    st.query_params.pop("set", None)  # a set that does not exist is not kept in the address
comp = ui.completeness("settlement", as_of)  # what the headline needs: the settlement counts

top = st.columns([6, 5, 2.4], vertical_alignment="center")
top[0].markdown(f"#### {ui.tr('lead.heading')}")
chips = view.chips(fresh, comp.as_dict(), as_of)
top[1].markdown(chips, help=ui.tr("demo.explain") if fresh["demo"] else None)
released = ui.release_line()
if released:  # the release calendar: the newest released quarter, the next one scheduled
    top[1].caption(f":material/calendar_month: {released[0]}", help=released[1])
if fresh["reporting"]:  # what has arrived for the newer quarter: the returns page's matrix
    top[1].page_link(
        "pages/returns_page.py",
        label=ui.tr("lead.reporting_link", period=fresh["reporting"][-1]["period"]),
        icon=":material/arrow_forward:",
    )
# projections need MIN_QUARTERS quarters of returns; a store with fewer (a province that has
# just started reporting) still gets its map, ranking and completeness, and says why no forecast
history = ui.quarters_reported()
can_project = history >= ui.MIN_QUARTERS
if can_project and len(sets) > 1:  # which targets lead: kept in the address (?set=), shareable
    # labels made here, in the page's language (a format_func may also run outside the script)
    choices = {r.name: ui.target_set_choice(r.name, r.horizon) for r in sets.itertuples()}
    with top[2].popover(ui.tr("lead.set_button"), icon=":material/flag:", width="stretch"):
        picked = st.radio(
            ui.tr("proj.target_set"),
            list(sets.name),
            index=list(sets.name).index(target_set),
            format_func=choices.get,
            key="lead_target_set",
        )
        st.caption(ui.tr("proj.target_set_source", source=sets.set_index("name").source[picked]))
    if picked != target_set:
        st.query_params["set"] = target_set = picked
if can_project and top[2].button(
    ui.tr("brief.button"), icon=":material/picture_as_pdf:", key="brief_make", width="stretch"
):
    st.session_state["brief_ready"] = as_of
if st.session_state.get("brief_ready") == as_of:
    pdf = ui.brief_pdf(as_of, lang, target_set)  # None while the worker projects (said so)
    if pdf is not None:
        top[2].download_button(
            ui.tr("brief.download"),
            pdf,
            file_name=f"urbdash-brief-{as_of}.pdf",
            mime="application/pdf",
            key="brief_download",
            icon=":material/download:",
        )


# no date asked for: settlement at the latest complete quarter, a rate at its newest
# published year (analytics.targets.project_targets)
records = ui.headline_records(target_set) if can_project else []
ranking = ui.city_ranking(as_of)
left, right = st.columns([6, 5])
if not can_project:
    left.info(ui.tr("lead.too_little_history", n=history, need=ui.MIN_QUARTERS))
for r in records[:2]:
    with left.container(border=True):
        st.markdown(f"**{ui.tr('proj.target_label.' + r['indicator'])}** · " + view.target_line(r))
        a, b = st.columns([2, 3], vertical_alignment="center")
        a.markdown(
            f"<span style='font-size:1.9rem;font-weight:600'>{view.value(r, r['current_value'])}</span> "
            f"<span style='color:#888;font-size:0.8rem'>{r['current_period']}</span>",
            unsafe_allow_html=True,
        )
        if r["closed"]:  # judged, not forecast: the verdict only (its basis as the help)
            badge, line = ui.verdict(r, compact=True)
            b.markdown(f"{badge}  \n{line}", help=ui.verdict_basis(r))
        else:
            b.markdown(
                f":{ui.STATUS_COLORS[r['status']]}-badge[{ui.tr('proj.status.' + r['status'])}] "
                f"R = {r['ratio']:.0%}  \n"
                f"{ui.tr('lead.probability')} **{r['probability']:.0%}** · "
                f"{ui.tr('lead.reach')} **{r['reach_period'] or ui.tr('lead.reach_none')}**",
                help=ui.tr("lead.rule"),
            )
            st.progress(
                min(max(r["share_achieved"], 0.0), 1.0),
                text=ui.tr("lead.share", achieved=r["share_achieved"], time=r["share_of_time"]),
            )

indicator = view.map_indicator(ranking.basis)
with right:
    st.markdown(f"**{ui.tr('lead.map_title.' + ranking.basis)}**")
    frame = ui.map_values("city", indicator, as_of, None)
    fig = view.city_map(frame, ui.map_layers(), indicator)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="lead_map")


t1, t2, t3 = st.columns([3, 3, 4])
t1.markdown(f"**{ui.tr('lead.ahead')}**", help=ui.tr(f"lead.basis.{ranking.basis}"))
ui.table(
    t1, view.ranked(ranking.ahead(), ranking.basis), hide_index=True, width="stretch", height=213
)
t2.markdown(f"**{ui.tr('lead.behind')}**", help=ui.tr(f"lead.basis.{ranking.basis}"))
ui.table(
    t2, view.ranked(ranking.behind(), ranking.basis), hide_index=True, width="stretch", height=213
)
with t3:
    st.markdown(f"**{ui.tr('lead.earlier')}**")
    for r in records[2:]:
        head = f"{ui.tr('proj.target_label.' + r['indicator'])} " + view.target_line(r)
        if r["closed"]:
            badge, line = ui.verdict(r, compact=True)
            st.markdown(f"{head} {badge} {line}", help=ui.verdict_basis(r))
        else:
            st.markdown(
                f"{head} :{ui.STATUS_COLORS[r['status']]}-badge"
                f"[{ui.tr('proj.status.' + r['status'])}]"
            )
    st.caption(
        view.sources(fresh, as_of),
        # the targets' documents and the ranking rule on hover: the first screen stays one screen
        help="  \n".join(
            [ui.tr(f"lead.basis.{ranking.basis}"), *dict.fromkeys(r["source"] for r in records)]
        ),
    )
