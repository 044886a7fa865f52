"""预测 / Projection: each target with status, probability, reach date, fan chart and method."""

import pandas as pd
import streamlit as st

import ui
from analytics import overview, published, skill
from analytics.render import charts
from analytics.urbanization_forecast import when_reached
from data.reference.official import BASIS_LABEL
from data.reference.targets import NATIONAL_REFERENCES

lang = ui.lang()
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


def method_name(key: str) -> str:
    return ui.tr(f"skill.method.{key}")


def calibration_lines(cal: dict) -> None:
    """How the method of an open settlement target was picked and how well its band holds
    (``analytics.skill.calibration_record``), with the simple benchmarks beside it."""
    if not cal["judged"]:
        st.caption(ui.tr("cal.too_short", origins=cal["origins"], min=cal["min_cases"]))
        return
    judged = [h for h in cal["horizons"] if h["factor"] is not None]
    st.caption(
        ui.tr("cal.picked", method=method_name(cal["method"]))
        + " "
        + ui.tr(
            "cal.coverage",
            through=max(h["h"] for h in judged),
            oos=f"{cal['coverage95_out_of_sample']:.0%}",
            cases=cal["cases"],
            lo=f"{min(h['calibrated95'] for h in judged):.0%}",
            hi=f"{max(h['calibrated95'] for h in judged):.0%}",
        )
    )
    if cal["coverage95_out_of_sample"] < skill.COVERAGE_GOAL:  # said in words, not hidden
        st.caption(ui.tr("cal.short_of_goal", oos=f"{cal['coverage95_out_of_sample']:.0%}"))
    with st.expander(ui.tr("cal.compare")):
        rows = cal["methods"]
        ui.table(
            st,
            pd.DataFrame(
                {
                    ui.tr("skill.col.method"): [method_name(m["method"]) for m in rows],
                    ui.tr("cal.col.is95"): [
                        "—" if m["interval_score95"] is None else f"{m['interval_score95']:.1f}"
                        for m in rows
                    ],
                    ui.tr("cal.col.mase"): [
                        "—" if m["mase"] is None else f"{m['mase']:.2f}" for m in rows
                    ],
                    ui.tr("cal.col.picked"): [
                        "✓" if m["method"] == cal["method"] else "" for m in rows
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )


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
            top = sorted(r["reach_distribution"].items(), key=lambda kv: -kv[1])[:4]
            st.caption(
                ui.tr("proj.reach_distribution")
                + ui.tr("list.sep").join(f"{q} {v:.0%}" for q, v in top)
            )
        st.plotly_chart(
            charts.fan_chart(ui.projection_history(ind, as_of), r, lang),
            width="stretch",
            config={"displaylogo": False},
            key=f"fan_{ind}_{r['target_period']}",
        )
        st.caption(f"{ui.tr('proj.method')}: {overview.method_text(r, lang)}。{r['source']}")
        if r.get("calibration") and not r["closed"]:
            calibration_lines(r["calibration"])
        if r.get("alternative"):
            st.caption(
                ui.tr(
                    "proj.alternative_note",
                    method=overview.method_text(r, lang, alternative=True),
                    p=r["alternative"]["probability"],
                )
            )


def rate_backtest(table: pd.DataFrame, summary: dict) -> None:
    """The urbanization rate as of each year's end beside "last value + last change": the
    line, the scores per horizon, the cases."""
    line = ui.tr(
        "proj.backtest_rate",
        n=summary["n"],
        first=summary["first"][:4],
        last=summary["last"][:4],
        mae=summary["mae_pp"],
        naive=summary["mae_naive_pp"],
        coverage=summary["out_of_sample"],
    )
    if summary["out_of_sample"] < 0.9:
        line += ui.tr("proj.backtest_rate_short", coverage=summary["out_of_sample"])
    st.markdown(f"**{ui.tr('proj.target_label.urbanization_rate')}** · {line}")
    by_h = pd.DataFrame(summary["by_h"])
    pp = lambda v: f"{v:.2f}"  # noqa: E731
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("skill.col.years"): by_h.h,
                ui.tr("bt.col.cases"): by_h.cases,
                ui.tr("skill.col.mae"): by_h.mae.map(pp),
                ui.tr("bt.col.naive_mae"): by_h.mae_naive.map(pp),
                ui.tr("bt.col.held_oos"): by_h.coverage95_out_of_sample.map(lambda v: f"{v:.0%}"),
            }
        ),
        hide_index=True,
    )
    value = lambda v: ui.fmt_target(v, "%")  # noqa: E731
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("bt.col.as_of"): table.origin,
                ui.tr("bt.col.period"): table.period,
                ui.tr("bt.col.forecast"): table.forecast.map(value),
                ui.tr("bt.col.interval"): [
                    f"{value(lo)}–{value(hi)}"
                    for lo, hi in zip(table.lower, table.upper, strict=True)
                ],
                ui.tr("bt.col.actual"): table.actual.map(value),
                ui.tr("bt.col.covered"): table.covered.map(
                    lambda c: ui.tr("bt.yes") if c else ui.tr("bt.no")
                ),
            }
        ),
        hide_index=True,
        width="stretch",
        height=200,
    )


# ---------------------------------------------------------------- after 2020: when 70%?
reference = NATIONAL_REFERENCES[0]
series = published.urbanization_series(ui.official())
reach = when_reached(series, reference["value"])
with st.container(border=True):
    st.subheader(ui.tr("reach.heading", value=f"{reference['value']:g}"))
    first, last = reach["fitted_years"]
    if reach["observed"]:
        st.markdown(
            ui.tr("reach.observed", year=reach["observed"], value=f"{reference['value']:g}")
        )
    elif reach["year"] is None:
        st.markdown(
            ui.tr(
                "reach.not_by",
                first=first,
                last=last,
                horizon=reach["horizon"],
                value=f"{reference['value']:g}",
            )
        )
    else:
        after = ui.tr("reach.after_horizon", year=reach["horizon"])
        st.markdown(
            ui.tr(
                "reach.answer",
                first=first,
                last=last,
                basis=BASIS_LABEL[reach["basis"]][lang],
                n=reach["points"],
                year=reach["year"],
                value=f"{reference['value']:g}",
                pct=f"{reach['confidence']:.0%}",
                earliest=reach["earliest"] or reach["year"],
                latest=reach["latest"] or after,
            )
        )
    st.plotly_chart(
        charts.reach_chart(series, reach, reference, lang),
        width="stretch",
        config={"displaylogo": False},
        key="reach_chart",
    )
    st.caption(ui.tr("reach.reference_note", source=reference["source"]))
    st.caption(ui.tr("reach.method"))
    ui.sources(published.sources(series[series.basis == reach["basis"]], lang))
st.subheader(ui.tr("proj.backtest"))
st.caption(ui.tr("proj.backtest_note"))
for ind, (table, summary) in (ui.backtests() or {}).items():
    if ind == "urbanization_rate" and summary["n"]:
        rate_backtest(table, summary)
        continue
    if not summary["n"]:
        line = ui.tr("proj.backtest_short", n=0, mape=0, min=skill.MIN_CASES)
    elif not summary["judged"]:
        line = ui.tr("proj.backtest_short", n=summary["n"], mape=summary["mape"],
                     min=skill.MIN_CASES)  # fmt: skip
    elif summary["calibrated"]:
        line = ui.tr(
            "proj.backtest_calibrated",
            n=summary["n"],
            method=method_name(summary["method"]),
            mape=summary["mape"],
            coverage=summary["coverage"],
            out_of_sample=summary["out_of_sample"],
        )
    else:
        line = ui.tr("proj.backtest_summary", n=summary["n"], mape=summary["mape"],
                     coverage=summary["coverage"])  # fmt: skip
    st.markdown(f"**{ui.tr(f'proj.target_label.{ind}')}** · {line}")
    unit = "人" if ind == "settled_cumulative" else "%"
    value = lambda v, u=unit: ui.fmt_target(v, u)  # noqa: E731
    shown = pd.DataFrame(
        {
            ui.tr("bt.col.origin"): table.origin,
            ui.tr("bt.col.period"): table.period,
            ui.tr("bt.col.forecast"): table.forecast.map(value),
            ui.tr("bt.col.interval"): [
                f"{value(lo)}–{value(hi)}" for lo, hi in zip(table.lower, table.upper, strict=True)
            ],
            ui.tr("bt.col.actual"): table.actual.map(value),
            ui.tr("bt.col.error"): table.error_pct.map(lambda v: f"{v:+.1f}%"),
            ui.tr("bt.col.covered"): table.covered.map(
                lambda c: ui.tr("bt.yes") if c else ui.tr("bt.no")
            ),
        }
    )
    ui.table(st, shown, hide_index=True, width="stretch", height=200)
# how good the settlement forecast is, beside simple methods (analytics.skill)
st.subheader(ui.tr("skill.heading"))
st.caption(ui.tr("skill.note"))
# every method from every origin: computed by the results worker, the tables on request
show = st.toggle(ui.tr("skill.show"), key="skill_show")
evaluation = ui.forecast_skill() if show else None
cal = evaluation["calibration"] if evaluation else None
if cal is not None and len(cal.flow_scores):
    scores = cal.flow_scores
    shown = scores[scores.h.isin([1, 2, 4, 8])]
    left, right = st.columns([3, 2])
    ui.table(
        left,
        pd.DataFrame(
            {
                ui.tr("skill.col.h"): shown.h,
                ui.tr("skill.col.method"): shown.method.map(method_name),
                "MASE": shown.mase.round(2),
                ui.tr("skill.col.skill"): shown.skill.map(lambda v: f"{v:+.0%}"),
                ui.tr("skill.col.cov80"): shown.coverage80.map(lambda v: f"{v:.0%}"),
                ui.tr("skill.col.cov95"): shown.coverage95.map(lambda v: f"{v:.0%}"),
                ui.tr("skill.col.is95"): shown.interval_score95.round(1),
            }
        ),
        hide_index=True,
        width="stretch",
        height=420,
    )
    mine = cal.chosen()
    right.plotly_chart(
        charts.reliability_chart(
            scores,
            lang,
            calibrated=(cal.method, cal.out_of_sample["coverage95_out_of_sample"])
            if cal.judged
            else None,
        ),
        width="stretch",
        config={"displaylogo": False},
        key="reliability_chart",
    )
    st.caption(ui.tr("skill.best", method=method_name(skill.best_by_interval_score(scores))))
    st.markdown(f"**{ui.tr('cal.heading')}** · {method_name(cal.method)}")
    st.caption(ui.tr("cal.note", min=skill.MIN_CASES))
    if not cal.judged:
        st.caption(ui.tr("cal.too_short", origins=cal.origins, min=skill.MIN_CASES))
    pct = lambda v: ui.tr("cal.not_judged") if pd.isna(v) else f"{v:.0%}"  # noqa: E731
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("skill.col.h"): mine.h,
                ui.tr("cal.col.cases"): mine.cases,
                ui.tr("cal.col.before"): mine.coverage95.map(lambda v: f"{v:.0%}"),
                ui.tr("cal.col.after"): mine.calibrated95.map(pct),
                ui.tr("cal.col.oos"): mine.coverage95_out_of_sample.map(pct),
                ui.tr("cal.col.factor"): mine.factor.map(
                    lambda v: ui.tr("cal.not_judged") if pd.isna(v) else f"{v:.2f}"
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    brier = evaluation["brier"]
    st.markdown(f"**{ui.tr('skill.brier_heading')}**")
    if brier is None or brier.empty:
        st.caption(ui.tr("skill.brier_none"))
    else:
        scored = brier.brier.notna().any()
        st.caption(ui.tr("skill.brier_note"))
        if not scored:  # one or a few outcomes: what happened and what was said, no score
            st.caption(
                ui.tr(
                    "skill.brier_too_few",
                    events=int(brier.events.max()),
                    min=skill.MIN_BRIER_EVENTS,
                )  # fmt: skip
            )
        table = {
            ui.tr("skill.col.method"): brier.method.map(method_name),
            ui.tr("skill.col.calibrated"): brier.calibrated.map(
                lambda c: ui.tr("bt.yes") if c else ui.tr("bt.no")
            ),
            ui.tr("skill.col.events"): brier.events,
            ui.tr("cal.col.cases"): brier.cases,
            ui.tr("skill.col.reached"): brier.reached.map(lambda v: f"{v:.0%}"),
            ui.tr("skill.col.mean_p"): brier.mean_p.map(lambda v: f"{v:.0%}"),
        }
        if scored:
            table[ui.tr("skill.col.brier")] = brier.brier.map(lambda v: f"{v:.3f}")
        ui.table(st, pd.DataFrame(table), hide_index=True, width="stretch")
if evaluation is not None and len(evaluation["rate"]):
    rate = evaluation["rate"]
    st.markdown(f"**{ui.tr('skill.rate_heading')}**")
    st.caption(ui.tr("skill.rate_note", most=int(rate.cases.max()), min=skill.MIN_CASES))
    ui.table(
        st,
        pd.DataFrame(
            {
                ui.tr("skill.col.basis"): rate.basis.map(lambda b: BASIS_LABEL[b][lang]),
                ui.tr("skill.col.years"): rate.h,
                ui.tr("skill.col.method"): rate.method.map(method_name),
                ui.tr("cal.col.cases"): rate.cases,
                ui.tr("skill.col.mae"): rate.mae.map(lambda v: f"{v:.2f}"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
st.caption(ui.tr("proj.rule"))
st.caption(ui.tr("proj.basis_note"))
if bool(obs.is_demo.any()):
    st.caption(ui.tr("demo.explain"))
