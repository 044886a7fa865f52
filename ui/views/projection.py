"""The projection page's words, tables and charts: each target's method and calibration, the
rolling-origin backtests, the forecast-skill tables, and when the rate reaches the national
reference. Built from the results the worker keeps (``ui.cached``); nothing here fits."""

from __future__ import annotations

import pandas as pd

from analytics.calibration import COVERAGE_GOAL
from analytics.overview import method_text
from analytics.published import sources as published_sources
from analytics.render import charts
from analytics.skill import MIN_BRIER_EVENTS, MIN_CASES
from data.reference.official import BASIS_LABEL
from data.reference.targets import NATIONAL_REFERENCES
from ui.state import fmt_target, lang, tr

REFERENCE = NATIONAL_REFERENCES[0]  # after 2020: when does the rate reach the national 70%?


def method_name(key: str) -> str:
    return tr(f"skill.method.{key}")


def yes_no(flag: bool) -> str:
    return tr("bt.yes") if flag else tr("bt.no")


def method_line(record: dict, alternative: bool = False) -> str:
    return method_text(record, lang(), alternative=alternative)


def fan_chart(history: pd.DataFrame, record: dict):
    return charts.fan_chart(history, record, lang())


def reach_distribution(record: dict) -> str:
    top = sorted(record["reach_distribution"].items(), key=lambda kv: -kv[1])[:4]
    return tr("proj.reach_distribution") + tr("list.sep").join(f"{q} {v:.0%}" for q, v in top)


# ------------------------------------------------------------------ an open target's method
def calibration_words(cal: dict) -> list[str]:
    """How the method of an open settlement target was picked and how well its band holds
    (``analytics.calibration.calibration_record``): the lines under its chart."""
    if not cal["judged"]:
        return [tr("cal.too_short", origins=cal["origins"], min=cal["min_cases"])]
    judged = [h for h in cal["horizons"] if h["factor"] is not None]
    lines = [
        tr("cal.picked", method=method_name(cal["method"]))
        + " "
        + tr(
            "cal.coverage",
            through=max(h["h"] for h in judged),
            oos=f"{cal['coverage95_out_of_sample']:.0%}",
            cases=cal["cases"],
            lo=f"{min(h['calibrated95'] for h in judged):.0%}",
            hi=f"{max(h['calibrated95'] for h in judged):.0%}",
        )
    ]
    if cal["coverage95_out_of_sample"] < COVERAGE_GOAL:  # said in words, not hidden
        lines.append(tr("cal.short_of_goal", oos=f"{cal['coverage95_out_of_sample']:.0%}"))
    return lines


def methods_table(cal: dict) -> pd.DataFrame:
    """The simple benchmarks beside the picked method."""
    rows = cal["methods"]
    return pd.DataFrame(
        {
            tr("skill.col.method"): [method_name(m["method"]) for m in rows],
            tr("cal.col.is95"): [
                "—" if m["interval_score95"] is None else f"{m['interval_score95']:.1f}"
                for m in rows
            ],
            tr("cal.col.mase"): ["—" if m["mase"] is None else f"{m['mase']:.2f}" for m in rows],
            tr("cal.col.picked"): ["✓" if m["method"] == cal["method"] else "" for m in rows],
        }
    )


# ------------------------------------------------------------------ after 2020: when 70%?
def reach_answer(reach: dict) -> str:
    value = f"{REFERENCE['value']:g}"
    first, last = reach["fitted_years"]
    if reach["observed"]:
        return tr("reach.observed", year=reach["observed"], value=value)
    if reach["year"] is None:
        return tr("reach.not_by", first=first, last=last, horizon=reach["horizon"], value=value)
    return tr(
        "reach.answer",
        first=first,
        last=last,
        basis=BASIS_LABEL[reach["basis"]][lang()],
        n=reach["points"],
        year=reach["year"],
        value=value,
        pct=f"{reach['confidence']:.0%}",
        earliest=reach["earliest"] or reach["year"],
        latest=reach["latest"] or tr("reach.after_horizon", year=reach["horizon"]),
    )


def sources(series: pd.DataFrame) -> list[str]:
    return published_sources(series, lang())


def reach_chart(series: pd.DataFrame, reach: dict):
    return charts.reach_chart(series, reach, REFERENCE, lang())


# ------------------------------------------------------------------ backtests
def rate_backtest_line(summary: dict) -> str:
    """The urbanization rate as of each year's end beside "last value + last change"."""
    line = tr(
        "proj.backtest_rate",
        n=summary["n"],
        first=summary["first"][:4],
        last=summary["last"][:4],
        mae=summary["mae_pp"],
        naive=summary["mae_naive_pp"],
        coverage=summary["out_of_sample"],
    )
    if summary["out_of_sample"] < 0.9:
        line += tr("proj.backtest_rate_short", coverage=summary["out_of_sample"])
    return f"**{tr('proj.target_label.urbanization_rate')}** · {line}"


def rate_by_horizon(summary: dict) -> pd.DataFrame:
    by_h = pd.DataFrame(summary["by_h"])
    pp = lambda v: f"{v:.2f}"  # noqa: E731
    return pd.DataFrame(
        {
            tr("skill.col.years"): by_h.h,
            tr("bt.col.cases"): by_h.cases,
            tr("skill.col.mae"): by_h.mae.map(pp),
            tr("bt.col.naive_mae"): by_h.mae_naive.map(pp),
            tr("bt.col.held_oos"): by_h.coverage95_out_of_sample.map(lambda v: f"{v:.0%}"),
        }
    )


def backtest_line(indicator: str, summary: dict) -> str:
    if not summary["n"]:
        line = tr("proj.backtest_short", n=0, mape=0, min=MIN_CASES)
    elif not summary["judged"]:
        line = tr("proj.backtest_short", n=summary["n"], mape=summary["mape"], min=MIN_CASES)
    elif summary["calibrated"]:
        line = tr(
            "proj.backtest_calibrated",
            n=summary["n"],
            method=method_name(summary["method"]),
            mape=summary["mape"],
            coverage=summary["coverage"],
            out_of_sample=summary["out_of_sample"],
        )
    else:
        line = tr("proj.backtest_summary", n=summary["n"], mape=summary["mape"],
                  coverage=summary["coverage"])  # fmt: skip
    return f"**{tr(f'proj.target_label.{indicator}')}** · {line}"


def backtest_cases(indicator: str, table: pd.DataFrame) -> pd.DataFrame:
    """Each backtest case: origin, quarter or year, forecast and its band, the actual and
    whether the band held it. The rate's cases are "as of" a year's end and carry no error
    column (its line gives the mean error in points)."""
    rate = indicator == "urbanization_rate"
    value = lambda v: fmt_target(v, "%" if indicator != "settled_cumulative" else "人")  # noqa: E731
    columns = {
        tr("bt.col.as_of" if rate else "bt.col.origin"): table.origin,
        tr("bt.col.period"): table.period,
        tr("bt.col.forecast"): table.forecast.map(value),
        tr("bt.col.interval"): [
            f"{value(lo)}–{value(hi)}" for lo, hi in zip(table.lower, table.upper, strict=True)
        ],
        tr("bt.col.actual"): table.actual.map(value),
    }
    if not rate:
        columns[tr("bt.col.error")] = table.error_pct.map(lambda v: f"{v:+.1f}%")
    columns[tr("bt.col.covered")] = table.covered.map(yes_no)
    return pd.DataFrame(columns)


# ------------------------------------------------------------------ forecast skill
def skill_table(scores: pd.DataFrame) -> pd.DataFrame:
    shown = scores[scores.h.isin([1, 2, 4, 8])]
    return pd.DataFrame(
        {
            tr("skill.col.h"): shown.h,
            tr("skill.col.method"): shown.method.map(method_name),
            "MASE": shown.mase.round(2),
            tr("skill.col.skill"): shown.skill.map(lambda v: f"{v:+.0%}"),
            tr("skill.col.cov80"): shown.coverage80.map(lambda v: f"{v:.0%}"),
            tr("skill.col.cov95"): shown.coverage95.map(lambda v: f"{v:.0%}"),
            tr("skill.col.is95"): shown.interval_score95.round(1),
        }
    )


def reliability_chart(cal):
    calibrated = (cal.method, cal.out_of_sample["coverage95_out_of_sample"]) if cal.judged else None
    return charts.reliability_chart(cal.flow_scores, lang(), calibrated=calibrated)


def calibration_table(mine: pd.DataFrame) -> pd.DataFrame:
    pct = lambda v: tr("cal.not_judged") if pd.isna(v) else f"{v:.0%}"  # noqa: E731
    return pd.DataFrame(
        {
            tr("skill.col.h"): mine.h,
            tr("cal.col.cases"): mine.cases,
            tr("cal.col.before"): mine.coverage95.map(lambda v: f"{v:.0%}"),
            tr("cal.col.after"): mine.calibrated95.map(pct),
            tr("cal.col.oos"): mine.coverage95_out_of_sample.map(pct),
            tr("cal.col.factor"): mine.factor.map(
                lambda v: tr("cal.not_judged") if pd.isna(v) else f"{v:.2f}"
            ),
        }
    )


def brier_words(brier: pd.DataFrame) -> list[str]:
    """The note on target-probability scores; with too few outcomes, what happened and what
    was said, no score."""
    lines = [tr("skill.brier_note")]
    if not brier.brier.notna().any():
        lines.append(
            tr("skill.brier_too_few", events=int(brier.events.max()), min=MIN_BRIER_EVENTS)
        )
    return lines


def brier_table(brier: pd.DataFrame) -> pd.DataFrame:
    table = {
        tr("skill.col.method"): brier.method.map(method_name),
        tr("skill.col.calibrated"): brier.calibrated.map(yes_no),
        tr("skill.col.events"): brier.events,
        tr("cal.col.cases"): brier.cases,
        tr("skill.col.reached"): brier.reached.map(lambda v: f"{v:.0%}"),
        tr("skill.col.mean_p"): brier.mean_p.map(lambda v: f"{v:.0%}"),
    }
    if brier.brier.notna().any():
        table[tr("skill.col.brier")] = brier.brier.map(lambda v: f"{v:.3f}")
    return pd.DataFrame(table)


def rate_skill_table(rate: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("skill.col.basis"): rate.basis.map(lambda b: BASIS_LABEL[b][lang()]),
            tr("skill.col.years"): rate.h,
            tr("skill.col.method"): rate.method.map(method_name),
            tr("cal.col.cases"): rate.cases,
            tr("skill.col.mae"): rate.mae.map(lambda v: f"{v:.2f}"),
        }
    )


# ------------------------------------------------------------------ each city's coverage
def goal() -> str:
    return f"{COVERAGE_GOAL:.0%}"


def city_coverage_table(cov: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Each city's own backtest: the method its rule picks, the cases out of sample, how
    often its 95% band held, and whether that meets the goal."""
    judged = cov.coverage95_out_of_sample.notna()
    return pd.DataFrame(
        {
            tr("skill.cities_col.city"): [names.get(c, c) for c in cov.region_code],
            tr("skill.cities_col.method"): [
                method_name(m) if isinstance(m, str) else "—" for m in cov.method
            ],
            tr("skill.cities_col.cases"): cov.cases.astype(int),
            tr("skill.cities_col.coverage"): [
                f"{v:.0%}" if ok else tr("skill.cities_short")
                for v, ok in zip(cov.coverage95_out_of_sample, judged, strict=True)
            ],
            tr("skill.cities_col.goal"): [
                yes_no(bool(m)) if ok else "—" for m, ok in zip(cov.meets_goal, judged, strict=True)
            ],
        }
    )


def city_coverage_line(cov: pd.DataFrame, names: dict) -> tuple[bool, str]:
    """Whether every judged city meets the goal, and the sentence that says so, naming each
    city below it (with its figure)."""
    judged = cov[cov.coverage95_out_of_sample.notna()]
    below = judged[~judged.meets_goal.astype(bool)]
    if below.empty:
        return True, tr("skill.cities_all_meet", goal=goal())
    cities = tr("list.enum").join(
        f"{names.get(r.region_code, r.region_code)} {r.coverage95_out_of_sample:.0%}"
        for r in below.itertuples()
    )
    return False, tr("skill.cities_below", goal=goal(), cities=cities)
