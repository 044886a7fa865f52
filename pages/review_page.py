"""Review and release: where every office's quarter stands in the cycle, and the steps the
signed-in statistician (or admin) may take on it: a city approves or returns its counties'
returns, the province approves the cities and its own quarter, and releases it on a day."""

from datetime import date

import pandas as pd
import streamlit as st

import ui
from analytics import review as cycle
from data.accounts.policy import PermissionDenied, covered_counties, may_review
from data.i18n.formats import local_time
from data.refusal import Refusal
from data.store import approvals, releases
from geo.regions import PROVINCE_CODE

lang = ui.lang()
me = ui.user()
st.title(ui.tr("review.heading"))
st.caption(ui.tr("review.intro"))
quarters = sorted(ui.completeness().matrix.columns, reverse=True)
if not quarters:
    st.info(ui.tr("app.no_data"))
    st.stop()
period = st.selectbox(ui.tr("review.period"), quarters, key="review_period")
r = cycle.review(ui.engine(), ui.registry(), period)
state_name = {s: ui.tr(f"review.state.{s}") for s in cycle.STATES}


def _said(exc: Exception) -> str:
    return exc.message(lang) if isinstance(exc, Refusal) else str(exc)


def _run(step, *args, **kwargs) -> None:
    """One step; its outcome (or refusal, in the page's language) shown after the rerun."""
    try:
        step(*args, engine=ui.engine(), **kwargs)
        st.session_state["review_said"] = ("success", ui.tr("review.done"))
    except (PermissionDenied, Refusal) as exc:
        st.session_state["review_said"] = ("error", _said(exc))
    ui.clear_data_caches()
    st.rerun()


said = st.session_state.pop("review_said", None)
if said:
    getattr(st, said[0])(said[1])

offices = r.offices
names = dict(zip(offices.county_code, offices.county_name, strict=True))
units = dict(zip(r.by_unit.unit_code, r.by_unit.unit_name, strict=True))
# the counties this person reviews: those whose reviewer (their city; the province for
# 杨凌示范区) is one of their regions
where = approvals.places(offices.county_code)
# rows that ask for a step first: submitted, returned; then the rest in the cycle's order
order = {"submitted": 0, "returned": 1, **{s: 2 + i for i, s in enumerate(cycle.STATES)}}
offices = offices.sort_values("state", key=lambda s: s.map(order), kind="stable")
mine = offices[
    [may_review(me, where[c].reviewer) and not me.is_system for c in offices.county_code]
]
# the offices this person reports for (a county's statistician): their state and comments
own = offices[
    offices.county_code.isin(covered_counties(me.regions))
    & ~offices.county_code.isin(mine.county_code)
]
if me.has("statistician") and len(own) and not me.is_system:
    st.subheader(ui.tr("review.own"))
    for row in own[own.state == "returned"].itertuples():
        st.warning(
            ui.tr("review.own_returned", county=row.county_name, period=period, by=row.by)
            + "  \n"
            + ui.md_escape(row.comment or ""),
            icon=":material/assignment_return:",
        )
    ui.table(
        st,
        own.assign(state=own.state.map(state_name))[["county_name", "state", "by", "comment"]],
        hide_index=True,
        column_config={
            "county_name": ui.tr("col.county"),
            "state": ui.tr("review.col.state"),
            "by": ui.tr("review.col.by"),
            "comment": ui.tr("review.col.comment"),
        },
    )
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
counts = r.as_dict()["counts"]
# one line of counts that wraps on a narrow screen (seven metrics side by side were cut)
colour = {"not_submitted": "gray", "submitted": "blue", "returned": "orange",
          "approved_city": "violet", "approved_province": "violet", "scheduled": "violet",
          "released": "green"}  # fmt: skip
st.markdown(" ".join(f":{colour[s]}-badge[{state_name[s]} **{counts[s]}**]" for s in cycle.STATES))
by_unit = r.by_unit.assign(unit_approved=r.by_unit.unit_approved.map({True: "✓", False: ""})).drop(
    columns=["unit_code"]
)
ui.table(
    st,
    by_unit,
    hide_index=True,
    width="stretch",
    column_config={
        "unit_name": ui.tr("col.city"),
        **state_name,
        "expected": ui.tr("col.expected"),
        "unit_approved": ui.tr("review.unit_approved"),
    },
)


# ------------------------------------------------------------------ a city's counties
if len(mine):
    st.subheader(ui.tr("review.counties"))
    shown = mine.assign(
        state=mine.state.map(state_name),
        at=[local_time(a) if not pd.isna(a) else None for a in mine["at"]],
    )[["county_name", "unit_name", "state", "by", "at", "comment"]]
    ui.table(
        st,
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "county_name": ui.tr("col.county"),
            "unit_name": ui.tr("col.city"),
            "state": ui.tr("review.col.state"),
            "by": ui.tr("review.col.by"),
            "at": ui.tr("review.col.at"),
            "comment": ui.tr("review.col.comment"),
        },
    )
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
            _run(approvals.approve_many, pick, period, me)
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
            _run(approvals.send_back, one, period, me, why)
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
            _run(approvals.unapprove, undo, period, me, reason)

# ------------------------------------------------------------------ the province's steps
if may_review(me, PROVINCE_CODE) and not me.is_system:
    st.subheader(ui.tr("review.province"))
    units_ready = r.by_unit[
        (r.by_unit.approved_city == r.by_unit.expected)
        & ~r.by_unit.unit_approved
        & (r.by_unit.unit_code.map(lambda u: u not in set(offices.county_code)))
    ].unit_code.tolist()
    units_done = r.by_unit[
        r.by_unit.unit_approved & ~r.by_unit.unit_code.isin(offices.county_code)
    ].unit_code.tolist()
    pick = st.multiselect(
        ui.tr("review.pick_units"),
        units_ready,
        default=units_ready,
        format_func=units.get,
        key=f"review_units_pick_{period}_{'-'.join(units_ready)}",
        placeholder=ui.tr("review.none_ready"),
    )
    if st.button(ui.tr("review.approve_units"), disabled=not pick, key="review_units"):
        _run(approvals.approve_many, pick, period, me)
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
        _run(approvals.unapprove, undo, period, me, reason)
    if not prov.get("approved"):
        if st.button(ui.tr("review.approve_province", period=period), key="review_province"):
            _run(approvals.approve, PROVINCE_CODE, period, me)

# ------------------------------------------------------------------ release
if (me.has("admin") or may_review(me, PROVINCE_CODE)) and not me.is_system:
    if prov.get("approved") and not prov.get("released"):
        st.subheader(ui.tr("review.release"))
        day = st.date_input(
            ui.tr("review.release_on"), value=date.today(), min_value=date.today(), key="rel_on"
        )
        if st.button(ui.tr("review.release_go", period=period), key="review_release"):
            _run(releases.release, period, me, day)
    if prov.get("release_on"):
        with st.expander(ui.tr("review.unrelease"), icon=":material/undo:"):
            reason = st.text_input(ui.tr("review.reason"), key="review_unrelease_reason")
            if st.button(ui.tr("review.unrelease"), key="review_unrelease"):
                _run(releases.unrelease, period, me, reason)

# ------------------------------------------------------------------ the quarter's history
st.subheader(ui.tr("review.history"))
events = approvals.read_events(ui.engine(), period)
# a release made public at once says so itself: its "made public" step shows only for a
# release scheduled for a later day
at_once = {
    on for on, at in zip(events.release_on, events["at"], strict=True)
    if on is not None and not pd.isna(at) and pd.Timestamp(at).date() >= on
}  # fmt: skip
events = events[~((events.action == "publish") & events.release_on.isin(at_once))]
if events.empty:
    st.caption(ui.tr("review.no_events"))
else:
    every = {**names, **units, PROVINCE_CODE: ui.tr("returns.province")}
    shown = events.iloc[::-1].assign(
        region=events.region_code.map(every),
        action=events.action.map(lambda a: ui.tr(f"review.action.{a}")),
        at=[local_time(a) for a in events["at"]],
    )[["at", "region", "action", "user", "comment"]]
    ui.table(
        st,
        shown,
        hide_index=True,
        width="stretch",
        height=260,
        column_config={
            "at": ui.tr("review.col.at"),
            "region": ui.tr("col.region"),
            "action": ui.tr("review.col.action"),
            "user": ui.tr("review.col.by"),
            "comment": ui.tr("review.col.comment"),
        },
    )
