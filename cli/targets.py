"""``urbdash project``, ``scenario``, ``targets``, ``target-set``: targets, projections, what-if."""

from __future__ import annotations

import json

import click

from cli.base import (
    EXIT_INVALID,
    PROVISIONAL,
    USER,
    acting_user,
    emit,
    fail,
    lang_or_default,
    main,
    said_quarter,
    store_errors,
)
from data import store
from geo.regions import PROVINCE_CODE


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Use only data known by this quarter (a year: its end, 2016 = 2016Q4).",
)
@click.option("--region", default=PROVINCE_CODE, show_default=True, help="Region with targets.")
@click.option(
    "--set",
    "target_set",
    default=None,
    help="Only the targets of this target set (urbdash targets lists them).",
)
@PROVISIONAL
@store_errors
def project(
    as_json: bool, as_of: str | None, region: str, target_set: str | None, view: str
) -> None:
    """Progress and projections for every target: status, probability, reach date."""
    from analytics.targets import project_targets
    from data.reference.periods import PeriodError
    from data.store.snapshot import read_snapshot

    try:
        if as_of:
            said_quarter(as_of)
        snapshot = read_snapshot(store.get_engine(), view)  # the store read once
        records = project_targets(snapshot, as_of=as_of, region=region, target_set=target_set)
    except (ValueError, PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)

    def fmt(value: float, unit: str) -> str:
        return f"{value:,.0f} {unit}" if unit == "人" else f"{value:.2f}{unit}"

    lines = []
    for r in records:
        if r["closed"]:  # judged at its date: the verdict, not odds
            head = f"{r['indicator']} {fmt(r['target_value'], r['unit'])} by {r['target_period']}"
            if r["verdict"] == "pending":
                lines.append(f"{head}: due; the final figure is not yet published")
                continue
            later = (
                f", reached later in {r['reached_later']}"
                if r["reached_later"]
                else (", not reached to date" if r["verdict"] == "missed" else "")
            )
            gap = ""
            if r["verdict"] == "missed":
                gap = ", short by " + (
                    fmt(r["gap"], r["unit"])
                    if r["unit"] == "人"
                    else f"{r['gap']:.2f} percentage points"
                )
            lines.append(
                f"{head}: {r['verdict'].upper()} with {fmt(r['current_value'], r['unit'])} at "
                f"{r['current_period']}{gap}{later}" + (" [demo data]" if r["demo"] else "")
            )
            continue
        reach = r["reach_period"] or "beyond the projection"
        lines.append(
            f"{r['indicator']} {fmt(r['target_value'], r['unit'])} by {r['target_period']}: "
            f"{fmt(r['current_value'], r['unit'])} at {r['current_period']}, {r['status']} "
            f"(R={r['ratio']:.2f}), P(met on time)={r['probability']:.1%}, reached {reach}"
            + (" [demo data]" if r["demo"] else "")
        )
    emit(records, as_json, "\n".join(lines))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--save", is_flag=True, help="Also save it for others to open (planners).")
@USER
@PROVISIONAL
@store_errors
def scenario(file: str, as_json: bool, save: bool, user: str | None, view: str) -> None:
    """Run a what-if scenario from a JSON file and compare it with the baseline."""
    from pathlib import Path

    from analytics import scenarios
    from data.accounts.policy import require
    from data.reference.periods import PeriodError
    from data.store.observations import read_observations, read_official
    from data.store.targets import read_targets
    from geo.regions import PROVINCE_CODE, load_registry

    saver = None
    if save:  # asked first: a refusal is not worth a simulation
        saver = acting_user(user)
        require(saver, "scenario_save")
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise scenarios.ScenarioError("a scenario file holds one JSON object")
        params = scenarios.ScenarioParams.from_dict(data)
        engine = store.get_engine()
        result = scenarios.run(
            params,
            read_observations(engine, view=view),
            read_official(engine),
            load_registry(),
            targets=read_targets(engine, PROVINCE_CODE),
        )
    except json.JSONDecodeError as exc:
        fail(f"{file} is not valid JSON: {exc}", EXIT_INVALID)
    except (scenarios.ScenarioError, PeriodError, ValueError, TypeError) as exc:
        fail(str(exc), EXIT_INVALID)
    text = scenarios.comparison(result, lang_or_default(None)).to_string(index=False)
    if save:
        result["saved_id"] = scenarios.save(params, saver, engine)
        text += f"\nsaved as scenario {result['saved_id']}"
    emit(
        result,
        as_json,
        f"{result['name']} (as of {result['as_of']}, from {result['from_period']})\n{text}",
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def targets(as_json: bool) -> None:
    """List the target sets (name, horizon, source) and every target (province targets and city
    allocations) with its set and source."""
    from analytics.targets import target_sets
    from data.store.targets import read_target_sets, read_targets

    engine = store.get_engine()
    frame = read_targets(engine)
    sets = target_sets(read_target_sets(engine), frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    set_records = sets.astype(object).where(sets.notna(), None).to_dict("records")
    emit(
        records,  # JSON: the targets, each naming its set (as before sets existed)
        as_json,
        "\n".join(
            [
                f"set {s['name']:<12} horizon {s['horizon'] or '-'}  {s['source']}"
                for s in set_records
            ]
            + [
                f"{r['id']:>3} {r['region_code']} {r['indicator']:<20} "
                f"{_amount(r['value'], r['unit']):>12}{r['unit']} by {r['period']} "
                f"(baseline {r['baseline_period'] or '-'}) [{r['set_name'] or '-'}]  {r['source']}"
                for r in records
            ]
        ),
    )


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "人" else f"{value:g}"


@main.command("target-set")
@click.option(
    "--indicator", required=True, type=click.Choice(["settled_cumulative", "urbanization_rate"])
)
@click.option(
    "--region", default=PROVINCE_CODE, show_default=True, help="Province, or a city (allocation)."
)
@click.option("--value", required=True, type=float)
@click.option("--period", required=True, help="Target quarter, e.g. 2020Q4.")
@click.option("--baseline", default=None, help="First quarter counted (cumulative targets).")
@click.option("--source", required=True, help="Document and article the target comes from.")
@click.option(
    "--set",
    "set_name",
    default=None,
    help="Target set it belongs to, made when new (default: the set of the province target "
    "of the same indicator and period).",
)
@click.option("--set-source", default=None, help="Source of a new set (default: --source).")
@USER
@store_errors
def target_set(indicator, region, value, period, baseline, source, set_name, set_source, user):
    """Add or replace a target (admins): a city's allocation of the settlement target, or a
    target after 2020 in a set of its own (--set NAME) with its source."""
    from analytics.targets import TargetError, set_target
    from data.reference.periods import PeriodError

    try:
        target_id = set_target(
            store.get_engine(),
            indicator,
            region,
            value,
            period,
            baseline,
            source,
            acting_user(user),
            set_name,
            set_source,
        )
    except (TargetError, PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    click.echo(f"target {target_id} saved")
