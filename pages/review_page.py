"""Review and release: where every office's quarter stands in the cycle, and the steps the
signed-in statistician (or admin) may take on it: a city approves or returns its counties'
returns, the province approves the cities and its own quarter, and releases it on a day."""

from datetime import date

import streamlit as st

import ui
from ui import actions
from ui.views import review as view

me = ui.user()
st.title(ui.tr("review.heading"))
st.caption(ui.tr("review.intro"))
quarters = sorted(ui.completeness().matrix.columns, reverse=True)
if not quarters:
    st.info(ui.tr("app.no_data"))
    st.stop()
period = st.selectbox(ui.tr("review.period"), quarters, key="review_period")
r = ui.review(period)


def _run(step: str, *args) -> None:
    """One step; its outcome (or refusal, in the page's language) shown after the rerun."""
    refused = actions.review_step(step, *args)
    st.session_state["review_said"] = ("error", refused) if refused else (
        "success", ui.tr("review.done"))  # fmt: skip
    st.rerun()


said = st.session_state.pop("review_said", None)
if said:
    getattr(st, said[0])(said[1])

offices = view.in_order(r.offices)
names = dict(zip(offices.county_code, offices.county_name, strict=True))
units = dict(zip(r.by_unit.unit_code, r.by_unit.unit_name, strict=True))
mine = view.reviewed_by(me, offices, ui.reviewers(tuple(offices.county_code)))
own = view.reported_by(me, offices, mine)
if me.has("statistician") and len(own) and not me.is_system:
    st.subheader(ui.tr("review.own"))
    for row in own[own.state == "returned"].itertuples():
        st.warning(
            ui.tr("review.own_returned", county=row.county_name, period=period, by=row.by)
            + "  \n"
            + ui.md_escape(row.comment or ""),
            icon=":material/assignment_return:",
        )
    table, columns = view.own_table(own)
    ui.table(st, table, hide_index=True, column_config=columns)
    if (own.state == "returned").any():
        st.page_link(
            "pages/returns_page.py", label=ui.tr("review.send_again"), icon=":material/upload_file:"
        )


# ------------------------------------------------------------------ where the quarter stands
prov = r.province
if prov.get("released"):
    st.success(ui.tr("review.province_released", period=period, on=prov["release_on"]))
elif prov.get("release_on"):
    st.info(ui.tr("review.province_scheduled", period=period, on=prov["release_on"]))
elif prov.get("approved"):
    st.info(ui.tr("review.province_approved", period=period))
else:
    st.info(ui.tr("review.province_open", period=period))
st.markdown(view.counts_line(r.as_dict()["counts"]))
table, columns = view.units_table(r.by_unit)
ui.table(st, table, hide_index=True, width="stretch", column_config=columns)


# ------------------------------------------------------------------ a city's counties
if len(mine):
    st.subheader(ui.tr("review.counties"))
    table, columns = view.counties_table(mine)
    ui.table(st, table, hide_index=True, width="stretch", column_config=columns)
    ready = mine[mine.state == "submitted"].county_code.tolist()
    done = mine[mine.state == "approved_city"].county_code.tolist()
    a, b, c = st.tabs([ui.tr("review.approve"), ui.tr("review.send_back"), ui.tr("review.undo")])
    with a:
        pick = st.multiselect(
            ui.tr("review.pick_approve"),
            ready,
            default=ready,
            format_func=names.get,
            key=f"review_approve_pick_{period}_{'-'.join(ready)}",  # a new choice: anew
            placeholder=ui.tr("review.none_ready"),
        )
        if st.button(ui.tr("review.approve"), disabled=not pick, key="review_approve"):
            _run("approve_many", pick, period, me)
    with b:
        one = st.selectbox(
            ui.tr("review.pick_return"),
            ready,
            index=None,
            format_func=names.get,
            key="review_return_pick",
            placeholder=ui.tr("review.none_ready"),
        )
        why = st.text_area(ui.tr("review.comment"), key="review_return_comment", height=80)
        if st.button(ui.tr("review.send_back"), disabled=one is None, key="review_return"):
            _run("send_back", one, period, me, why)
    with c:
        undo = st.selectbox(
            ui.tr("review.pick_undo"),
            done,
            index=None,
            format_func=names.get,
            key="review_undo_pick",
            placeholder=ui.tr("review.none_approved"),
        )
        reason = st.text_input(ui.tr("review.reason"), key="review_undo_reason")
        if st.button(ui.tr("review.undo"), disabled=undo is None, key="review_undo"):
            _run("unapprove", undo, period, me, reason)

# ------------------------------------------------------------------ the province's steps
if view.reviews_province(me):
    st.subheader(ui.tr("review.province"))
    units_ready = view.units_ready(r.by_unit, offices)
    units_done = view.units_done(r.by_unit, offices)
    pick = st.multiselect(
        ui.tr("review.pick_units"),
        units_ready,
        default=units_ready,
        format_func=units.get,
        key=f"review_units_pick_{period}_{'-'.join(units_ready)}",
        placeholder=ui.tr("review.none_ready"),
    )
    if st.button(ui.tr("review.approve_units"), disabled=not pick, key="review_units"):
        _run("approve_many", pick, period, me)
    u1, u2 = st.columns(2)
    undo = u1.selectbox(
        ui.tr("review.pick_undo_unit"),
        units_done,
        index=None,
        format_func=units.get,
        key="review_undo_unit",
        placeholder=ui.tr("review.none_approved"),
    )
    reason = u2.text_input(ui.tr("review.reason"), key="review_undo_unit_reason")
    if st.button(ui.tr("review.undo"), disabled=undo is None, key="review_undo_unit_go"):
        _run("unapprove", undo, period, me, reason)
    if not prov.get("approved"):
        if st.button(ui.tr("review.approve_province", period=period), key="review_province"):
            _run("approve", ui.PROVINCE_CODE, period, me)

# ------------------------------------------------------------------ release
if view.releases(me):
    if prov.get("approved") and not prov.get("released"):
        st.subheader(ui.tr("review.release"))
        day = st.date_input(
            ui.tr("review.release_on"), value=date.today(), min_value=date.today(), key="rel_on"
        )
        if st.button(ui.tr("review.release_go", period=period), key="review_release"):
            _run("release", period, me, day)
    if prov.get("release_on"):
        with st.expander(ui.tr("review.unrelease"), icon=":material/undo:"):
            reason = st.text_input(ui.tr("review.reason"), key="review_unrelease_reason")
            if st.button(ui.tr("review.unrelease"), key="review_unrelease"):
                _run("unrelease", period, me, reason)

# ------------------------------------------------------------------ the quarter's history
st.subheader(ui.tr("review.history"))
table, columns = view.history_table(ui.review_events(period), {**names, **units})
if table.empty:
    st.caption(ui.tr("review.no_events"))
else:
    ui.table(st, table, hide_index=True, width="stretch", height=260, column_config=columns)
