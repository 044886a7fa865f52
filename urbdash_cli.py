"""``urbdash``: the command line over the same core the app runs.

Exit codes: 0 success; 1 validation errors in the input; 2 usage, configuration or database
problem (one line on stderr, never a traceback); 3 refused revision (see ``ingest``);
4 warnings not confirmed (``ingest`` without ``--accept-warnings``).
"""

from __future__ import annotations

import json
import sys
from functools import wraps

import click

from data import settings, store

EXIT_INVALID, EXIT_CONFIG, EXIT_REVISION, EXIT_CONFIRM = 1, 2, 3, 4


def _fail(message: str, code: int = EXIT_CONFIG):
    click.echo(f"urbdash: error: {message}", err=True)
    sys.exit(code)


def store_errors(fn):
    """Turn StoreError into one line on stderr and exit code 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except store.StoreError as exc:
            _fail(str(exc))

    return wrapper


def _emit(data, as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


@click.group(help=__doc__.split("\n\n")[0])
@click.version_option(package_name="urbdash")
def main() -> None:
    pass


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def init(as_json: bool) -> None:
    """Create or migrate the store and load reference data (idempotent)."""
    from data.bootstrap import init_store

    engine = store.get_engine()
    counts = init_store(engine)
    counts["database"] = store.redact(engine.url.render_as_string(False))
    _emit(
        counts,
        as_json,
        "initialised {database}: schema {revision}, {regions} regions, "
        "{aliases} aliases, {indicators} indicators, {official_values} official values".format(
            **counts
        ),
    )


@main.command()
@click.option("--reset", is_flag=True, help="Remove earlier demo submissions first.")
@click.option("--if-empty", is_flag=True, help="Load only when the store holds no observations.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def demo(reset: bool, if_empty: bool, as_json: bool) -> None:
    """Generate the demo returns (示例数据) and load them through the ingest path."""
    from sqlalchemy import func, select

    from data.bootstrap import init_store
    from data.demo import load_demo
    from data.models import Observation

    engine = store.get_engine()
    init_store(engine)
    if if_empty and not reset:
        with store.reader(engine) as sess:
            if sess.scalar(select(func.count()).select_from(Observation)):
                _emit({"skipped": True}, as_json, "store already holds data: demo not loaded")
                return
    counts = load_demo(engine, reset=reset, seed=int(settings.get("demo_seed")))
    _emit(counts, as_json, "demo workbooks: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.option("--level", type=click.Choice(["province", "city", "county"]), help="Only this level.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def regions(level: str | None, as_json: bool) -> None:
    """List the region registry (codes, names, levels, parents)."""
    from geo.regions import load_registry

    reg = load_registry()
    if level:
        reg = reg[reg.level == level]
    records = reg.astype(object).where(reg.notna(), None).to_dict("records")
    text = "\n".join(
        f"{r['code']}  {r['level']:<8}  {r['name']}"
        + (f"  ({r['stat_name']})" if r["stat_name"] else "")
        for r in records
    )
    _emit(records, as_json, text)


@main.command()
@click.argument("values", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def resolve(values: tuple[str, ...], as_json: bool) -> None:
    """Resolve region codes or names (old or current) to current codes; exit 1 if any fail."""
    from geo.regions import default_resolver

    results, missing = default_resolver().resolve_many(values)
    records = [
        {
            "input": r.raw,
            "code": r.code,
            "name": r.name,
            "via": r.via,
            "note": r.note,
            "candidates": list(r.candidates),
        }
        for r in results
    ]
    _emit(
        records,
        as_json,
        "\n".join(f"{r['input']}\t{r['code'] or '-'}\t{r['name'] or r['note']}" for r in records),
    )
    if missing:
        sys.exit(EXIT_INVALID)


LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: URBDASH_LANG).",
)


def _lang(value: str | None) -> str:
    return value or settings.get("language")


def _problem_lines(report, lang: str) -> str:
    lines = []
    for p in report.errors + report.warnings:
        where = "!".join(x for x in (p.sheet, f"{p.column or ''}{p.row or ''}") if x)
        lines.append(
            f"{'ERROR' if p.severity == 'error' else 'WARN '} {where or '-'}: {p.message(lang)}"
        )
    return "\n".join(lines)


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--period", required=True, help="Quarter, e.g. 2016Q3 or 2016年第三季度.")
@click.option(
    "--region", "scope", default=None, help="City or county code/name (default: province)."
)
def template(out: str, period: str, scope: str | None) -> None:
    """Write an empty quarterly return template for PERIOD and REGION."""
    from data.periods import PeriodError
    from data.template import write_template

    try:
        path = write_template(out, period, scope)
    except (PeriodError, ValueError) as exc:
        _fail(str(exc))
    click.echo(f"template written: {path}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option("--scope", default=None, help="Region the uploader may report for.")
@click.option(
    "--annotate",
    "annotated",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write a copy of FILE with problem cells highlighted and commented.",
)
@LANG
@store_errors
def validate(
    file: str, as_json: bool, scope: str | None, annotated: str | None, lang: str | None
) -> None:
    """Validate a return without storing it; exit 0 when it has no errors, 1 otherwise."""
    from pathlib import Path

    from data.ingest import check

    lang = _lang(lang)
    content = Path(file).read_bytes()
    engine = store.get_engine()
    use_store = store.is_initialised(engine)
    report = check(
        content,
        Path(file).name,
        engine=engine if use_store else None,
        scope=scope,
        use_store=use_store,
    )
    if report.status == "duplicate":  # already stored: validate it all the same
        report = check(content, Path(file).name, use_store=False, scope=scope)
    data = report.as_dict(lang)
    keys = ["ok", "file", "sha256", "rows", "periods", "regions", "errors", "warnings"]
    if annotated:
        from data.annotate import annotate

        Path(annotated).write_bytes(annotate(content, report.errors + report.warnings, lang))
    summary = (
        f"{'OK' if report.ok else 'INVALID'} {file}: {report.rows} rows, "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    _emit(
        {k: data[k] for k in keys},
        as_json,
        "\n".join(x for x in (summary, _problem_lines(report, lang)) if x),
    )
    sys.exit(0 if report.ok else EXIT_INVALID)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option("--user", default="cli", help="Who is uploading (stored with the submission).")
@click.option("--replace", is_flag=True, help="Supersede stored values this file changes.")
@click.option("--accept-warnings", is_flag=True, help="Confirm the warnings and store anyway.")
@click.option("--scope", default=None, help="Region the uploader may report for.")
@LANG
@store_errors
def ingest(
    file: str,
    as_json: bool,
    user: str,
    replace: bool,
    accept_warnings: bool,
    scope: str | None,
    lang: str | None,
) -> None:
    """Validate FILE and store it in one transaction (see exit codes above)."""
    from pathlib import Path

    from data.ingest import ingest as run_ingest

    lang = _lang(lang)
    engine = store.get_engine()
    if not store.is_initialised(engine):
        from data.bootstrap import init_store

        init_store(engine)
    report = run_ingest(
        Path(file).read_bytes(),
        Path(file).name,
        user=user,
        replace=replace,
        accept_warnings=accept_warnings,
        scope=scope,
        engine=engine,
    )
    text = f"{report.status}: {file}"
    if report.submission_id:
        text += f" (submission {report.submission_id})"
    if report.status == "revision_refused":
        diff = report.changes.to_string(index=False)
        text += f"\n{len(report.changes)} stored values would change (use --replace):\n{diff}"
    detail = _problem_lines(report, lang)
    _emit(report.as_dict(lang), as_json, "\n".join(x for x in (text, detail) if x))
    code = {
        "rejected": EXIT_INVALID,
        "revision_refused": EXIT_REVISION,
        "needs_confirmation": EXIT_CONFIRM,
    }.get(report.status, 0)
    sys.exit(code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def submissions(as_json: bool) -> None:
    """List submissions, newest first."""
    from data.ingest import list_submissions

    frame = list_submissions(store.get_engine()).drop(columns=["sha256"])
    _emit(frame.to_dict("records"), as_json, frame.to_string(index=False))


@main.command()
@click.argument("submission_id", type=int)
@click.option("--user", default="cli")
@store_errors
def revert(submission_id: int, user: str) -> None:
    """Undo a submission and restore the values it superseded."""
    from data.ingest import RevertError
    from data.ingest import revert as run_revert

    try:
        out = run_revert(submission_id, user=user, engine=store.get_engine())
    except RevertError as exc:
        _fail(str(exc), EXIT_INVALID)
    click.echo(
        f"reverted submission {submission_id}: {out['withdrawn']} values withdrawn, "
        f"{out['restored']} restored"
    )


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--level", type=click.Choice(["county", "city", "province"]), default="county")
@store_errors
def export(out: str, level: str) -> None:
    """Write current values as tidy rows to OUT.csv or OUT.xlsx."""
    from data.export import write_export

    try:
        n = write_export(out, level, store.get_engine())
    except ValueError as exc:
        _fail(str(exc))
    click.echo(f"{n} rows written to {out}")


@main.command()
@click.option("--period", default=None, help="Quarter (default: the latest with returns).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def completeness(period: str | None, as_json: bool) -> None:
    """Which counties have reported: counts per city and the missing list."""
    from data.completeness import completeness as run

    c = run(store.get_engine(), period)
    data = c.as_dict()
    text = f"{c.period}: {data['reported']}/{data['expected']} counties reported\n"
    text += c.by_city.to_string(index=False)
    if len(c.missing):
        text += "\nmissing:\n" + c.missing.to_string(index=False)
    _emit(data, as_json, text)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--as-of", "as_of", default=None, help="Use only data known by this quarter.")
@click.option("--region", default="610000", show_default=True, help="Region with targets.")
@store_errors
def project(as_json: bool, as_of: str | None, region: str) -> None:
    """Progress and projections for every target: status, probability, reach date."""
    from analytics.targets import project_targets
    from data.periods import PeriodError

    try:
        records = project_targets(store.get_engine(), as_of=as_of, region=region)
    except (ValueError, PeriodError) as exc:
        _fail(str(exc), EXIT_INVALID)

    def fmt(value: float, unit: str) -> str:
        return f"{value:,.0f} {unit}" if unit == "人" else f"{value:.2f}{unit}"

    lines = []
    for r in records:
        reach = r["reach_period"] or "beyond the projection"
        lines.append(
            f"{r['indicator']} {fmt(r['target_value'], r['unit'])} by {r['target_period']}: "
            f"{fmt(r['current_value'], r['unit'])} at {r['current_period']}, {r['status']} "
            f"(R={r['ratio']:.2f}), P(met on time)={r['probability']:.1%}, reached {reach}"
            + (" [demo data]" if r["demo"] else "")
        )
    _emit(records, as_json, "\n".join(lines))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def scenario(file: str, as_json: bool) -> None:
    """Run a what-if scenario from a JSON file and compare it with the baseline."""
    from pathlib import Path

    from analytics import scenarios
    from data.observations import read_observations, read_official
    from data.periods import PeriodError
    from geo.regions import load_registry

    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise scenarios.ScenarioError("a scenario file holds one JSON object")
        params = scenarios.ScenarioParams.from_dict(data)
        engine = store.get_engine()
        result = scenarios.run(
            params, read_observations(engine), read_official(engine), load_registry()
        )
    except json.JSONDecodeError as exc:
        _fail(f"{file} is not valid JSON: {exc}", EXIT_INVALID)
    except (scenarios.ScenarioError, PeriodError, ValueError, TypeError) as exc:
        _fail(str(exc), EXIT_INVALID)
    text = scenarios.comparison(result, _lang(None)).to_string(index=False)
    _emit(
        result,
        as_json,
        f"{result['name']} (as of {result['as_of']}, from {result['from_period']})\n{text}",
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def targets(as_json: bool) -> None:
    """List every target (province targets and city allocations) with its source."""
    from sqlalchemy import select

    from data.models import Target

    with store.reader(store.get_engine()) as sess:
        rows = (
            sess.execute(
                select(Target).order_by(Target.region_code, Target.indicator, Target.period)
            )
            .scalars()
            .all()
        )
    records = [
        {
            "id": t.id,
            "indicator": t.indicator,
            "region_code": t.region_code,
            "value": t.value,
            "unit": t.unit,
            "period": t.period,
            "baseline_period": t.baseline_period,
            "source": t.source,
        }
        for t in rows
    ]
    _emit(
        records,
        as_json,
        "\n".join(
            f"{r['id']:>3} {r['region_code']} {r['indicator']:<20} {_amount(r['value'], r['unit']):>12}{r['unit']} "
            f"by {r['period']} (baseline {r['baseline_period'] or '-'})  {r['source']}"
            for r in records
        ),
    )


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "人" else f"{value:g}"


@main.command("target-set")
@click.option(
    "--indicator", required=True, type=click.Choice(["settled_cumulative", "urbanization_rate"])
)
@click.option(
    "--region", default="610000", show_default=True, help="Province, or a city (allocation)."
)
@click.option("--value", required=True, type=float)
@click.option("--period", required=True, help="Target quarter, e.g. 2020Q4.")
@click.option("--baseline", default=None, help="First quarter counted (cumulative targets).")
@click.option("--source", required=True, help="Document and article the target comes from.")
@click.option("--user", default="admin")
@store_errors
def target_set(indicator, region, value, period, baseline, source, user) -> None:
    """Add or replace a target (admins): e.g. a city's allocation of the settlement target."""
    from analytics.targets import TargetError, set_target
    from data.periods import PeriodError

    try:
        target_id = set_target(
            store.get_engine(), indicator, region, value, period, baseline, source, user
        )
    except (TargetError, PeriodError) as exc:
        _fail(str(exc), EXIT_INVALID)
    click.echo(f"target {target_id} saved")


@main.command("map")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--level", type=click.Choice(["city", "county"]), default="county", show_default=True)
@click.option(
    "--indicator",
    default="settled_cumulative",
    show_default=True,
    help="settled_cumulative, settled_total, settled_per_10k, settled_cum_per_10k, "
    "urbanization_rate, "
    "hukou_urbanization_rate, urbanization_gap, residence_permits",
)
@click.option("--period", default=None, help="Quarter (default: the latest with returns).")
@click.option(
    "--classification",
    default="quantiles",
    show_default=True,
    type=click.Choice(["quantiles", "natural_breaks", "equal_interval"]),
)
@LANG
@store_errors
def map_file(
    out: str, level: str, indicator: str, period: str | None, classification: str, lang: str | None
) -> None:
    """Write a self-contained map (OUT.html or OUT.png) that draws without internet."""
    from pathlib import Path

    from analytics import map_export, maps
    from data import messages, periods
    from data.observations import read_observations
    from geo.boundaries import layers
    from geo.regions import load_registry

    lang = _lang(lang)
    if indicator not in maps.MAP_INDICATORS:
        _fail(f"unknown indicator {indicator!r}; choose one of {', '.join(maps.MAP_INDICATORS)}")
    obs = read_observations(store.get_engine())
    if obs.empty:
        _fail("the store holds no returns (run `urbdash demo` or ingest some)")
    try:
        period = periods.parse_period(period) if period else obs.period.max()
    except periods.PeriodError as exc:
        _fail(str(exc))
    frame = maps.map_values(obs, load_registry(), level, indicator, period)
    title = f"{messages.t(f'map.ind.{indicator}', lang)} · {periods.label(period, lang)}"
    note = messages.t("map.crs", lang)
    if bool(obs.is_demo.any()):
        note = f"{messages.t('demo.badge', lang)}: {messages.t('demo.explain', lang)}\n{note}"
    path = Path(out)
    if path.suffix.lower() == ".html":
        fig = map_export.html_figure(
            frame, layers()[level], indicator, classification, lang, title, note
        )
        fig.write_html(path, include_plotlyjs=True, full_html=True)
    elif path.suffix.lower() == ".png":
        map_export.write_png(
            path, frame, layers()[level], indicator, classification, lang, title, note
        )
    else:
        _fail(f"map writes .html or .png, not {path.suffix or 'no extension'}")
    click.echo(f"map written: {path} ({frame.value.notna().sum()}/{len(frame)} regions with data)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8501, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the app (streamlit run app.py) with page routing fixed from the first request."""
    # With a pages/ folder beside app.py, Streamlit serves a session that arrives before any
    # run of app.py has called st.navigation in its old folder-based mode: a first deep link
    # such as /returns then shows "Page not found" and the wrong menu. The app registers its
    # pages with st.navigation, so the old mode is switched off before the server starts.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    PagesManager.uses_pages_directory = False
    sys.argv = [
        "streamlit",
        "run",
        str(settings.ROOT / "app.py"),
        "--server.address",
        host,
        "--server.port",
        str(port),
    ]
    sys.exit(streamlit_cli.main())


@main.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def show_settings(as_json: bool) -> None:
    """Show every setting, its environment variable, default and current value."""
    rows = [
        {
            "name": s.name,
            "env": s.env,
            "default": s.default,
            "value": settings.get(s.name),
            "help": s.help,
        }
        for s in settings.SETTINGS
    ]
    for r in rows:
        if r["name"] == "database_url" and r["value"]:
            r["value"] = store.redact(r["value"])
    _emit(rows, as_json, "\n".join(f"{r['env']}={r['value']}\n    {r['help']}" for r in rows))


# the leaders' commands live in their own module and register themselves on ``main``
import urbdash_reports  # noqa: E402,F401

if __name__ == "__main__":
    main()
