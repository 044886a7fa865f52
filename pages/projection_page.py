"""预测 / Projection: each target with status, probability, reach date, fan chart and method."""

import streamlit as st

import ui
from ui.views import projection as view

st.title(ui.tr("proj.heading"))
st.caption(ui.tr("proj.intro"))
origins = ui.origin_quarters()
obs = ui.observations()
complete = ui.headline_quarter()  # by default the latest complete quarter, not a partial one
as_of = st.select_slider(
    ui.tr("proj.as_of"),
    origins,
    value=complete if complete in origins else origins[-1],
    key="proj_as_of",
)
sets = ui.held_target_sets()
labels = {r.name: ui.target_set_choice(r.name, r.horizon) for r in sets.itertuples()}
default = ui.default_target_set()
target_set = st.selectbox(
    ui.tr("proj.target_set"),
    list(labels),
    index=list(labels).index(default) if default in labels else 0,
    format_func=labels.get,
    key="proj_target_set",
)
st.caption(ui.tr("proj.target_set_source", source=sets.set_index("name").source[target_set]))
records = ui.projections(as_of, target_set) or []  # None: being computed (a line says so)


method_name = view.method_name


def calibration_lines(cal: dict) -> None:
    """How the method of an open settlement target was picked and how well its band holds,
    with the simple benchmarks beside it."""
    for line in view.calibration_words(cal):
        st.caption(line)
    if cal["judged"]:
        with st.expander(ui.tr("cal.compare")):
            ui.table(st, view.methods_table(cal), hide_index=True, width="stretch")


for r in records:
    ind = r["indicator"]

    def fmt(v: float, unit: str = r["unit"]) -> str:
        return ui.fmt_target(v, unit)

    with st.container(border=True):
        st.subheader(
            f"{ui.tr(f'proj.target_label.{ind}')} · {fmt(r['target_value'])} · {r['target_period']}"
        )
        if r["demo"]:
            st.badge(ui.tr("demo.badge"), icon=":material/science:", color="orange")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(ui.tr("proj.current", period=r["current_period"]), fmt(r["current_value"]))
        if r["closed"]:  # judged at its date: the verdict, no status, odds or forecast date
            badge, line = ui.verdict(r)
            c2.markdown(badge)
            c3.markdown(line)
        else:
            c2.markdown(
                f":{ui.STATUS_COLORS[r['status']]}-badge[{ui.tr('proj.status.' + r['status'])}]"
                f"  \nR = {r['ratio']:.0%}"
            )
            c3.metric(ui.tr("proj.probability"), f"{r['probability']:.0%}")
            c4.metric(ui.tr("proj.reach"), r["reach_period"] or ui.tr("proj.reach_none"))
            st.caption(ui.tr("proj.share", achieved=r["share_achieved"], time=r["share_of_time"]))
        if r["pace_needed"] is not None:
            st.caption(
                ui.tr("proj.pace", needed=fmt(r["pace_needed"]), trailing=fmt(r["trailing_pace"]))
            )
        if r.get("reach_distribution") and not r["closed"]:  # a forecast's, not a verdict's
            st.caption(view.reach_distribution(r))
        st.plotly_chart(
            view.fan_chart(ui.projection_history(ind, as_of), r),
            width="stretch",
            config={"displaylogo": False},
            key=f"fan_{ind}_{r['target_period']}",
        )
        st.caption(f"{ui.tr('proj.method')}: {view.method_line(r)}。{r['source']}")
        if r.get("calibration") and not r["closed"]:
            calibration_lines(r["calibration"])
        if r.get("alternative"):
            st.caption(
                ui.tr(
                    "proj.alternative_note",
                    method=view.method_line(r, alternative=True),
                    p=r["alternative"]["probability"],
                )
            )


def rate_backtest(table, summary: dict) -> None:
    """The urbanization rate as of each year's end beside "last value + last change": the
    line, the scores per horizon, the cases."""
    st.markdown(view.rate_backtest_line(summary))
    ui.table(st, view.rate_by_horizon(summary), hide_index=True)
    ui.table(
        st,
        view.backtest_cases("urbanization_rate", table),
        hide_index=True,
        width="stretch",
        height=200,
    )


# ---------------------------------------------------------------- after 2020: when 70%?
reference = view.REFERENCE
series = ui.urbanization_series()
reach = ui.reach(reference["value"])
with st.container(border=True):
    st.subheader(ui.tr("reach.heading", value=f"{reference['value']:g}"))
    st.markdown(view.reach_answer(reach))
    st.plotly_chart(
        view.reach_chart(series, reach),
        width="stretch",
        config={"displaylogo": False},
        key="reach_chart",
    )
    st.caption(ui.tr("reach.reference_note", source=reference["source"]))
    st.caption(ui.tr("reach.method"))
    ui.sources(view.sources(series[series.basis == reach["basis"]]))
st.subheader(ui.tr("proj.backtest"))
st.caption(ui.tr("proj.backtest_note"))
for ind, (table, summary) in (ui.backtests() or {}).items():
    if ind == "urbanization_rate" and summary["n"]:
        rate_backtest(table, summary)
        continue
    st.markdown(view.backtest_line(ind, summary))
    ui.table(st, view.backtest_cases(ind, table), hide_index=True, width="stretch", height=200)
# how good the settlement forecast is, beside simple methods (analytics.skill)
st.subheader(ui.tr("skill.heading"))
st.caption(ui.tr("skill.note"))
# every method from every origin: computed by the results worker, the tables on request
show = st.toggle(ui.tr("skill.show"), key="skill_show")
evaluation = ui.forecast_skill() if show else None
cal = evaluation["calibration"] if evaluation else None
if cal is not None and len(cal.flow_scores):
    scores = cal.flow_scores
    left, right = st.columns([3, 2])
    ui.table(left, view.skill_table(scores), hide_index=True, width="stretch", height=420)
    right.plotly_chart(
        view.reliability_chart(cal),
        width="stretch",
        config={"displaylogo": False},
        key="reliability_chart",
    )
    st.caption(ui.tr("skill.best", method=method_name(ui.best_method(scores))))
    st.markdown(f"**{ui.tr('cal.heading')}** · {method_name(cal.method)}")
    st.caption(ui.tr("cal.note", min=view.MIN_CASES))
    if not cal.judged:
        st.caption(ui.tr("cal.too_short", origins=cal.origins, min=view.MIN_CASES))
    ui.table(st, view.calibration_table(cal.chosen()), hide_index=True, width="stretch")
    brier = evaluation["brier"]
    st.markdown(f"**{ui.tr('skill.brier_heading')}**")
    if brier is None or brier.empty:
        st.caption(ui.tr("skill.brier_none"))
    else:
        for line in view.brier_words(brier):
            st.caption(line)
        ui.table(st, view.brier_table(brier), hide_index=True, width="stretch")
# each city's own coverage beside the province's: one backtest per city, asked for here and
# computed by the results worker (never in this run), then kept for the store's version
if show and st.toggle(ui.tr("skill.cities_show"), key="skill_cities"):
    coverage = ui.city_coverage()  # None while computed: a line says so, the page refreshes
    if coverage is not None and len(coverage):
        names = ui.scope_options()
        st.markdown(f"**{ui.tr('skill.cities_heading')}**")
        st.caption(ui.tr("skill.cities_note", goal=view.goal()))
        ui.table(st, view.city_coverage_table(coverage, names), hide_index=True, width="stretch")
        met, line = view.city_coverage_line(coverage, names)
        (st.success if met else st.warning)(line)
if evaluation is not None and len(evaluation["rate"]):
    rate = evaluation["rate"]
    st.markdown(f"**{ui.tr('skill.rate_heading')}**")
    st.caption(ui.tr("skill.rate_note", most=int(rate.cases.max()), min=view.MIN_CASES))
    ui.table(st, view.rate_skill_table(rate), hide_index=True, width="stretch")
st.caption(ui.tr("proj.rule"))
st.caption(ui.tr("proj.basis_note"))
if bool(obs.is_demo.any()):
    st.caption(ui.tr("demo.explain"))
