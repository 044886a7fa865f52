"""``urbdash template``, ``validate``, ``ingest``, ``submissions``, ``revert``, ``export``,
``completeness``: the statisticians' commands over the intake and the store."""

from __future__ import annotations

import sys

import click

from cli.base import (
    EXIT_CONFIRM,
    EXIT_CONFLICT,
    EXIT_INVALID,
    EXIT_REVISION,
    LANG,
    PROVISIONAL,
    USER,
    acting_user,
    emit,
    fail,
    lang_or_default,
    main,
    store_errors,
    table_text,
)
from data import store


def _problem_lines(report, lang: str) -> str:
    from data.i18n import messages
    from data.reference import indicators

    lines = []
    if report.not_carried and report.rows:
        names = [
            indicators.get(c).name_zh if lang == "zh" else indicators.get(c).name_en
            for c in report.not_carried
        ]
        lines.append("NOTE  " + messages.t("returns.not_carried", lang, names=", ".join(names)))
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
    from data.intake.template import write_template
    from data.reference.periods import PeriodError

    try:
        path = write_template(out, period, scope)
    except (PeriodError, ValueError) as exc:
        fail(str(exc))
    click.echo(f"template written: {path}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option(
    "--scope", default=None, help="Check as a statistician of this region (a code or name)."
)
@click.option("--user", default=None, help="Check as this user (their regions apply).")
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
    file: str,
    as_json: bool,
    scope: str | None,
    user: str | None,
    annotated: str | None,
    lang: str | None,
) -> None:
    """Validate a return without storing it; exit 0 when it has no errors, 1 otherwise."""
    from pathlib import Path

    from data.accounts.policy import Principal
    from data.intake.ingest import check

    lang = lang_or_default(lang)
    content = Path(file).read_bytes()
    engine = store.get_engine()
    use_store = store.is_initialised(engine)
    who = acting_user(user, engine) if user else None
    if scope and who is None:
        who = Principal(f"scope {scope}", frozenset({"statistician"}), (scope,))
    report = check(
        content,
        Path(file).name,
        engine=engine if use_store else None,
        user=who,
        use_store=use_store,
    )
    if report.status == "duplicate":  # already stored: validate it all the same
        report = check(content, Path(file).name, use_store=False, user=who)
    data = report.as_dict(lang)
    keys = [
        "ok",
        "file",
        "sha256",
        "rows",
        "periods",
        "regions",
        "not_carried",
        "errors",
        "warnings",
    ]
    if annotated:
        from data.intake.annotate import annotate

        Path(annotated).write_bytes(annotate(content, report.errors + report.warnings, lang))
    summary = (
        f"{'OK' if report.ok else 'INVALID'} {file}: {report.rows} rows, "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    emit(
        {k: data[k] for k in keys},
        as_json,
        "\n".join(x for x in (summary, _problem_lines(report, lang)) if x),
    )
    sys.exit(0 if report.ok else EXIT_INVALID)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@USER
@click.option("--replace", is_flag=True, help="Supersede stored values this file changes.")
@click.option("--accept-warnings", is_flag=True, help="Confirm the warnings and store anyway.")
@LANG
@store_errors
def ingest(
    file: str,
    as_json: bool,
    user: str | None,
    replace: bool,
    accept_warnings: bool,
    lang: str | None,
) -> None:
    """Validate FILE and store it in one transaction (see exit codes above). Rows outside the
    regions of --user are errors naming each region, and the whole file is refused."""
    from pathlib import Path

    from data.intake.ingest import ingest as run_ingest

    lang = lang_or_default(lang)
    engine = store.get_engine()
    if not store.is_initialised(engine):
        from data.store.bootstrap import init_store

        init_store(engine)
    who = acting_user(user, engine)
    try:
        report = run_ingest(
            Path(file).read_bytes(),
            Path(file).name,
            user=who,
            replace=replace,
            accept_warnings=accept_warnings,
            engine=engine,
        )
    except store.WriteError as exc:  # the database went away mid-write: the transaction is void
        from data import settings

        reason = store.database_error(exc, settings.database_url())
        fail(f"not stored: {file}: {reason} (nothing from this file was written; run it again)")
    text = f"{report.status}: {file}"
    if len(report.submission_ids) > 1:
        ids = ", ".join(str(i) for i in report.submission_ids)
        text += f" (submissions {ids}: one per quarter, {', '.join(report.periods)})"
    elif report.submission_id:
        text += f" (submission {report.submission_id})"
    if report.status == "conflict":
        text += (
            f"\nanother upload changed the stored values this file was checked against: "
            f"nothing was written (the file is kept as submission {report.submission_id}); "
            "run the command again"
        )
    if report.status == "revision_refused":
        diff = report.changes.to_string(index=False)
        text += f"\n{len(report.changes)} stored values would change (use --replace):\n{diff}"
    detail = _problem_lines(report, lang)
    emit(report.as_dict(lang), as_json, "\n".join(x for x in (text, detail) if x))
    code = {
        "rejected": EXIT_INVALID,
        "revision_refused": EXIT_REVISION,
        "needs_confirmation": EXIT_CONFIRM,
        "conflict": EXIT_CONFLICT,
    }.get(report.status, 0)
    sys.exit(code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def submissions(as_json: bool) -> None:
    """List submissions, newest first."""
    from data.intake.ingest import list_submissions

    frame = list_submissions(store.get_engine()).drop(columns=["sha256"])
    emit(frame.to_dict("records"), as_json, table_text(frame, "No submissions yet."))


@main.command()
@click.argument("submission_id", type=int)
@USER
@store_errors
def revert(submission_id: int, user: str | None) -> None:
    """Undo a submission and restore the values it superseded."""
    from data.intake.ingest import RevertError
    from data.intake.ingest import revert as run_revert

    try:
        out = run_revert(submission_id, user=acting_user(user), engine=store.get_engine())
    except RevertError as exc:
        fail(str(exc), EXIT_INVALID)
    click.echo(
        f"reverted submission {submission_id}: {out['withdrawn']} values withdrawn, "
        f"{out['restored']} restored"
    )


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--level", type=click.Choice(["county", "city", "province"]), default="county")
@PROVISIONAL
@store_errors
def export(out: str, level: str, view: str) -> None:
    """Write current values as tidy rows to OUT.csv or OUT.xlsx."""
    from analytics.export import write_export
    from data.store.observations import read_observations

    try:
        n = write_export(out, read_observations(store.get_engine(), view=view), level)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"{n} rows written to {out}")


@main.command()
@click.option("--period", default=None, help="Quarter (default: the latest with returns).")
@click.option(
    "--indicators",
    default=None,
    help="What counts as reported: settlement, flows, stocks, or codes separated by commas "
    "(default: any indicator).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def completeness(period: str | None, indicators: str | None, as_json: bool) -> None:
    """Which counties have reported: counts per city and per indicator, the missing list."""
    from analytics.completeness import completeness as run
    from data.reference.indicators import select_indicators
    from data.reference.periods import PeriodError
    from data.store.observations import reporting_state

    try:
        wanted = select_indicators(indicators)
        c = run(reporting_state(store.get_engine()), period, wanted)
    except (ValueError, PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    data = c.as_dict()
    if c.period is None:  # no quarter has any return yet
        emit(data, as_json, "No returns yet: no quarter to count.")
        return
    what = ", ".join(wanted) if wanted else "any indicator"
    text = f"{c.period}: {data['reported']}/{data['expected']} counties reported ({what})\n"
    text += c.by_city.to_string(index=False)
    text += "\nby indicator:\n" + c.by_indicator.to_string(index=False)
    if len(c.missing):
        text += "\nmissing:\n" + c.missing.to_string(index=False)
    emit(data, as_json, text)
