"""``urbdash nowcast`` and ``backtest``: the newest quarter's totals while counties are still
missing, and how good the forecasts are against simple methods (out of sample)."""

from __future__ import annotations

import click

from cli.base import (
    EXIT_INVALID,
    LANG,
    PROVISIONAL,
    fail,
    lang_or_default,
    main,
    records,
    store_errors,
)
from data import store
from geo.regions import PROVINCE_CODE


@main.command("nowcast")
@click.option("--period", default=None, help="Quarter (default: the newest with any return).")
@click.option("--backtest", "with_backtest", is_flag=True, help="Also score the method.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@LANG
@store_errors
def nowcast_command(
    period: str | None, with_backtest: bool, as_json: bool, lang: str | None
) -> None:
    """Settlement totals of a quarter while counties are missing: reported + estimated, with a
    95% interval, for the province and each city."""
    import json

    import pandas as pd

    from analytics import nowcast as nc
    from data.reference import periods
    from data.store.observations import read_observations
    from geo.names import localized
    from geo.regions import PROVINCE_CODE, load_registry, reporting_unit, reporting_units

    lang = lang_or_default(lang)
    registry = localized(load_registry(), lang)
    obs = read_observations(store.get_engine(), view="provisional")  # a quarter coming in
    try:
        period = periods.parse_period(period) if period else nc.latest_reporting(obs, registry)
        if period is None:
            fail("the store holds no settlement returns (run `urbdash demo` or ingest some)")
        flows = nc.county_flows(obs, registry)
        unit = reporting_unit(registry)
        late = nc.usual_late(registry)
        result = nc.calibrated_nowcast(flows, period, unit, late)
        scores = result.scores if with_backtest else None  # the one it was calibrated with
    except (ValueError, periods.PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    names = {**reporting_units(registry).set_index("code").name, PROVINCE_CODE: "province"}
    if as_json:
        out = result.as_dict() | {"min_share": nc.min_share()}
        if scores is not None:
            out["backtest"] = scores.astype(object).where(scores.notna(), None).to_dict("records")
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    p = result.province
    too_few = f"too few have reported for an estimate (fewer than {nc.min_share():.0%})"
    head = f"{period}: reported {int(p.counties_reported)}/{int(p.counties_expected)} counties, "
    if p.enough:
        click.echo(
            head + f"{p.reported:,.0f} settled + {p.estimated:,.0f} estimated = {p.total:,.0f} "
            f"(95% interval {p.lower:,.0f}-{p.upper:,.0f}, "
            f"widened x{result.factor:.2f} by the backtest's calibration)"
        )
    else:
        click.echo(head + f"{p.reported:,.0f} settled so far; {too_few}")
    for r in result.units.itertuples():
        if r.code != PROVINCE_CODE and r.counties_reported < r.counties_expected:
            figures = (
                f"{r.reported:,.0f} + {r.estimated:,.0f} = {r.total:,.0f} "
                f"({r.lower:,.0f}-{r.upper:,.0f})"
                if r.enough
                else f"{r.reported:,.0f} so far, {too_few}"
            )
            click.echo(
                f"  {names.get(r.code, r.code)}: {r.counties_reported}/{r.counties_expected} "
                f"reported, {figures}"
            )
    if scores is not None:
        click.echo("backtest (province total; counties hidden in complete quarters):")
        for r in scores.itertuples():
            cover = (
                ""
                if pd.isna(r.coverage)
                else f", calibrated 95% interval held it in {r.coverage:.0f}% out of sample"
                + (
                    f" (mean over {r.patterns} patterns of hidden counties, "
                    f"{r.coverage_min:.0f}-{r.coverage_max:.0f}%)"
                    if r.patterns > 1
                    else ""
                )
                + f"; {r.coverage_raw:.0f}% before calibration"
            )
            click.echo(
                f"  {r.scenario:<7} {r.method:<13} {r.cases:>3} cases, "
                f"mean abs error {r.mape:.1f}%{cover}"
            )


def _rate_backtest(official, as_json: bool) -> None:
    """`urbdash backtest --indicator urbanization_rate`: the forecasts as of each year's end
    (figures public by then only, across the census break) beside "last value + last change";
    then each basis's own rolling-origin scores."""
    import json

    import pandas as pd

    from analytics import rate_skill, skill
    from analytics import urbanization_forecast as uf
    from data.reference.official import province_series

    cases = uf.backtest_as_of(official)
    scores = uf.backtest_scores(cases)
    series = province_series("urbanization_rate", official)
    table = rate_skill.rate_scores(
        pd.concat([rate_skill.rate_forecasts(series, b) for b in sorted(series.basis.unique())])
    )
    if as_json:
        click.echo(json.dumps({"indicator": "urbanization_rate", "as_of_backtest": {
            "first": cases.as_of.min(), "last": cases.as_of.max(),
            "scores": records(scores), "cases": records(cases)},
            "min_cases": skill.MIN_CASES, "scores": records(table)}))  # fmt: skip
        return
    click.echo(
        f"as of each year's end {cases.as_of.min()[:4]}-{cases.as_of.max()[:4]}, figures public"
        " by then only (h = years after the as-of year):"
    )
    click.echo(f"{'h':>2} {'cases':>5} {'MAE pp':>7} {'naive':>7} {'cov95':>6}")
    for r in scores.itertuples():
        click.echo(
            f"{r.h:>2} {r.cases:>5} {r.mae:>7.2f} {r.mae_naive:>7.2f} "
            f"{r.coverage95_out_of_sample:>6.0%}"
        )
    held = int(((cases.lower95 <= cases.actual) & (cases.actual <= cases.upper95)).sum())
    click.echo(
        f"the 95% band held the published value in {held} of {len(cases)} cases "
        f"({held / len(cases):.0%}); naive = last value + last change"
    )
    click.echo("each census basis on its own, rolling origin:")
    click.echo(f"{'basis':<10} {'h':>2} {'method':<6} {'cases':>5} {'MAE pp':>7} {'cov95':>6}")
    for r in table.itertuples():
        cov = "-" if pd.isna(r.coverage95) else f"{r.coverage95:.0%}"
        click.echo(f"{r.basis:<10} {r.h:>2} {r.method:<6} {r.cases:>5} {r.mae:>7.2f} {cov:>6}")
    click.echo(f"coverage needs {skill.MIN_CASES} origins per horizon: '-' is too short to judge")


@main.command("backtest")
@click.option(
    "--indicator",
    type=click.Choice(["settled_cumulative", "urbanization_rate"]),
    default="settled_cumulative",
    show_default=True,
    help="Settlements (quarterly flows and cumulative) or the annual urbanization rate.",
)
@click.option("--region", default=PROVINCE_CODE, show_default=True, help="Province or a city code.")
@click.option("--paths", default=1000, show_default=True, type=click.IntRange(100, 10000))
@click.option(
    "--cities",
    is_flag=True,
    help="With the province: each city's own out-of-sample coverage beside it (one backtest "
    "per city: about a minute).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@PROVISIONAL
@store_errors
def backtest_command(
    indicator: str, region: str, paths: int, cities: bool, as_json: bool, view: str
) -> None:
    """How good the forecasts are, against simple methods. Settlements: rolling-origin
    forecasts of the quarterly flow and of the cumulative settlements 1-8 quarters ahead by the
    product's ETS, the additive ETS, seasonal naive, drift and Theta (MASE, coverage, interval
    score), the calibration of the method the rule picks, and the Brier score of the
    settlement targets. Urbanization rate (province): each census basis, 1-5 years ahead."""
    import json

    from analytics import evaluation, skill
    from analytics.aggregate import aggregate
    from data.store.observations import read_observations, read_official
    from data.store.targets import read_targets
    from geo.regions import PROVINCE_CODE, load_registry, unit_names

    engine = store.get_engine()
    if indicator == "urbanization_rate":
        if region != PROVINCE_CODE:
            fail(
                f"the urbanization rate is evaluated for the province ({PROVINCE_CODE}) only",
                EXIT_INVALID,
            )
        _rate_backtest(read_official(engine), as_json)
        return
    registry = load_registry()
    level = "province" if region == PROVINCE_CODE else "city"
    wide = aggregate(read_observations(engine, view=view), registry, level)
    wide = wide[wide.region_code == region].set_index("period")
    if wide.empty:
        fail(
            f"no returns for region {region!r} (the province {PROVINCE_CODE} or a city code)",
            EXIT_INVALID,
        )
    flows = wide.settled_total.dropna()
    try:
        judged = evaluation.settlement_evaluation(flows, read_targets(engine, region), paths)
    except ValueError as exc:
        fail(str(exc), EXIT_INVALID)
    cal, brier = judged["calibration"], judged["brier"]
    table = cal.flow_scores
    best = skill.best_by_interval_score(table) if len(table) else None
    by_city = None
    if cities and region == PROVINCE_CODE:
        by_city = evaluation.city_coverage(read_observations(engine, view=view), registry, paths)
        by_city.insert(1, "name", by_city.region_code.map(unit_names(registry)))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "region": region,
                    "best": best,
                    "scores": records(table),
                    "method": cal.method,
                    "calibrated": cal.judged,
                    "calibration": records(cal.table),
                    # the coverage the product reports: each backtest forecast stretched by
                    # the factor known at its origin (per horizon in "calibration")
                    **cal.out_of_sample,
                    "brier": records(brier),
                    **({"cities": records(by_city)} if by_city is not None else {}),
                }
            )
        )
        return
    _print_settlement(region, flows, table, best, cal, brier, by_city)


def _print_settlement(region, flows, table, best, cal, brier, by_city) -> None:
    """The settlement backtest as text: the flow's scores per method and horizon, the
    cumulative band's calibration, the Brier scores, and each city's coverage when asked."""
    import pandas as pd

    from analytics import calibration, skill

    click.echo(f"settlement flow, region {region}: {len(flows)} quarters ({flows.index[0]}-"
               f"{flows.index[-1]})")  # fmt: skip
    click.echo(
        f"{'h':>2} {'method':<7} {'cases':>5} {'MASE':>6} {'skill':>6} {'cov80':>6} "
        f"{'cov95':>6} {'IS95':>7}"
    )
    for r in table.itertuples():
        click.echo(
            f"{r.h:>2} {r.method:<7} {r.cases:>5} {r.mase:>6.2f} {r.skill:>+6.2f} "
            f"{r.coverage80:>6.0%} {r.coverage95:>6.0%} {r.interval_score95:>7.1f}"
        )
    if best:
        click.echo(f"best flow forecast by the mean 95% interval score: {best} (skill: 1 - MASE /"
                   " MASE of the seasonal naive; IS95 in units of the in-sample seasonal "
                   "difference)")  # fmt: skip
    click.echo("")
    click.echo("cumulative settlements ahead, 95% band before and after calibration (after: in "
               "sample; out of sample: each origin's own factor, from what was known then):")  # fmt: skip
    click.echo(f"{'h':>2} {'method':<7} {'cases':>5} {'factor':>7} {'before':>7} {'after':>6} "
               f"{'out of sample':>13} {'IS95':>7}")  # fmt: skip
    for r in cal.table.itertuples():
        pct = lambda v: "-" if pd.isna(v) else f"{v:.0%}"  # noqa: E731
        factor = "-" if pd.isna(r.factor) else f"{r.factor:.2f}"
        score = "-" if pd.isna(r.interval_score95) else f"{r.interval_score95:.1f}"
        click.echo(f"{r.h:>2} {r.method:<7} {r.cases:>5} {factor:>7} {r.coverage95:>7.0%} "
                   f"{pct(r.calibrated95):>6} {pct(r.coverage95_out_of_sample):>13} "
                   f"{score:>7}")  # fmt: skip
    oos = cal.out_of_sample
    if oos["cases"]:
        click.echo(f"{cal.method}: 95% band held {oos['coverage95_out_of_sample']:.0%} of "
                   f"{oos['cases']} backtest outcomes out of sample")  # fmt: skip
    click.echo(
        f"method for targets (lowest mean calibrated 95% interval score): {cal.method}"
        if cal.judged
        else f"too few origins to judge ({cal.origins}; each horizon needs {skill.MIN_CASES}): "
        "targets use the ETS, not calibrated"
    )
    for r in brier.itertuples():
        said = (
            f"Brier {r.brier:.3f}"
            if not pd.isna(r.brier)
            else f"no Brier score ({r.events} target(s); it needs {skill.MIN_BRIER_EVENTS} "
            "independent outcomes)"
        )
        click.echo(f"{r.method}{' calibrated' if r.calibrated else ''}: {said}, {r.cases} "
                   f"forecasts, met in {r.reached:.0%}, mean probability given "
                   f"{r.mean_p:.0%}")  # fmt: skip
    if by_city is not None:
        click.echo(f"each city's own backtest, 95% band out of sample (goal "
                   f"{calibration.COVERAGE_GOAL:.0%}):")  # fmt: skip
        for r in by_city.itertuples():
            held = (
                "too short to judge"
                if r.coverage95_out_of_sample is None or pd.isna(r.coverage95_out_of_sample)
                else f"{r.coverage95_out_of_sample:.0%} of {r.cases} ({r.method})"
                + ("" if r.meets_goal else ", below the goal")
            )
            click.echo(f"  {r.region_code} {r.name}: {held}")
