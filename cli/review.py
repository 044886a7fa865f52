"""``urbdash review``, ``approve``, ``return``, ``unapprove``, ``release``, ``unrelease``: the
quarter's review cycle from the command line, with the same rules and refusals as the app
(``data.store.approvals``)."""

from __future__ import annotations

from datetime import date

import click

from cli.base import EXIT_INVALID, LANG, USER, acting_user, emit, fail, main, store_errors
from data import store


def _code(region: str) -> str:
    from geo.regions import default_resolver

    res = default_resolver().resolve(str(region).strip())
    if not res.ok:
        fail(f"unknown region {region!r}", EXIT_INVALID)
    return res.code


def _period(value: str) -> str:
    from data.reference.periods import PeriodError, parse_period

    try:
        return parse_period(value)
    except PeriodError as exc:
        fail(str(exc), EXIT_INVALID)


def _said(out: dict, lang: str | None) -> str:
    from data.store.approvals import place

    p = place(out["region_code"])
    name = p.zh if (lang or "zh") == "zh" else p.en
    return f"{name} {out['period']}: {out['state']}"


@main.command()
@click.argument("region")
@click.argument("period")
@click.option("--comment", default=None, help="Optional comment kept with the approval.")
@USER
@LANG
@store_errors
def approve(region: str, period: str, comment: str | None, user: str | None, lang) -> None:
    """Approve REGION's quarter PERIOD: a county's return (its city's statisticians), a city's
    or 杨凌示范区's quarter, or the province's (the province's statisticians)."""
    from data.store.approvals import approve as run

    who = acting_user(user)
    out = run(_code(region), _period(period), who, comment, engine=store.get_engine())
    click.echo(_said(out, lang))


@main.command("return")
@click.argument("region")
@click.argument("period")
@click.option("--comment", required=True, help="What the office should check or correct.")
@USER
@LANG
@store_errors
def send_back(region: str, period: str, comment: str, user: str | None, lang) -> None:
    """Return a county's submitted return to its office with a comment (it may then send a
    corrected one)."""
    from data.store.approvals import send_back as run

    who = acting_user(user)
    out = run(_code(region), _period(period), who, comment, engine=store.get_engine())
    click.echo(_said(out, lang))


@main.command()
@click.argument("region")
@click.argument("period")
@click.option("--reason", required=True, help="Why the approval is undone (audited).")
@USER
@LANG
@store_errors
def unapprove(region: str, period: str, reason: str, user: str | None, lang) -> None:
    """Undo an approval (its reviewer or the level above, while the level above has not
    approved): the quarter below is unlocked."""
    from data.store.approvals import unapprove as run

    who = acting_user(user)
    out = run(_code(region), _period(period), who, reason, engine=store.get_engine())
    click.echo(_said(out, lang))


@main.command()
@click.argument("period")
@click.option(
    "--on", "day", default=None, help="Release day YYYY-MM-DD (default today; later: scheduled)."
)
@click.option("--comment", default=None, help="Optional comment kept with the release.")
@USER
@LANG
@store_errors
def release(period: str, day: str | None, comment: str | None, user: str | None, lang) -> None:
    """Release the province's approved quarter PERIOD, today or on a later day."""
    from data.store.releases import release as run

    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        fail(f"--on {day!r} is not a day (YYYY-MM-DD)", EXIT_INVALID)
    who = acting_user(user)
    out = run(_period(period), who, on, comment, engine=store.get_engine())
    word = "scheduled for" if out["scheduled"] else "released on"
    click.echo(f"{out['period']}: {word} {out['release_on']}")


@main.command()
@click.argument("period")
@click.option("--reason", required=True, help="Why the release is withdrawn (audited).")
@USER
@LANG
@store_errors
def unrelease(period: str, reason: str, user: str | None, lang) -> None:
    """Withdraw a release or a scheduled one: the quarter stays approved, unreleased."""
    from data.store.releases import unrelease as run

    who = acting_user(user)
    out = run(_period(period), who, reason, engine=store.get_engine())
    click.echo(f"{out['period']}: release withdrawn")


@main.command()
@click.option("--period", default=None, help="Quarter (default: the latest with returns).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@LANG
@store_errors
def review(period: str | None, as_json: bool, lang) -> None:
    """Where every office's quarter stands: not submitted, submitted, returned, approved by
    the city, approved by the province, scheduled, released; counts per city; the release
    calendar."""
    from analytics.review import STATES, release_calendar
    from analytics.review import review as run
    from data.store.approvals import read_approvals, read_review
    from geo.names import localized
    from geo.regions import load_registry

    engine = store.get_engine()
    registry = localized(load_registry(), lang or "zh")
    r = run(read_review(engine, _period(period) if period else None), registry)
    calendar = release_calendar(read_approvals(engine))
    data = r.as_dict() | {"calendar": calendar.astype({"release_on": str}).to_dict("records")}
    if r.period is None:
        emit(data, as_json, "no returns stored yet")
        return
    counts = ", ".join(f"{s} {data['counts'][s]}" for s in STATES if data["counts"][s])
    text = f"{r.period}: {counts}\n"
    shown = r.by_unit[["unit_name", *STATES, "unit_approved"]]
    text += shown.to_string(index=False)
    open_ = r.offices[~r.offices.state.isin(("released", "approved_province", "scheduled"))]
    if len(open_):
        text += "\n" + open_[["county_name", "unit_name", "state", "by", "comment"]].fillna(
            ""
        ).to_string(index=False)
    emit(data, as_json, text)


@main.command()
@click.option("--dry-run", is_flag=True, help="List the reminders without sending or keeping any.")
@click.option("--today", "day", default=None, help="Act as on this day YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def remind(dry_run: bool, day: str | None, as_json: bool) -> None:
    """E-mail the offices that have not reported the latest quarters, at the stages due
    (3 days before the due day, on it, 5 days late; 10 days late their city's statisticians),
    never the same stage twice; list what was sent. Run it daily (deploy/README.md)."""
    from analytics.reminders import planned, run, window
    from data.store.reminders import read_reminder_records
    from geo.regions import load_registry

    try:
        today = date.fromisoformat(day) if day else date.today()
    except ValueError:
        fail(f"--today {day!r} is not a day (YYYY-MM-DD)", EXIT_INVALID)
    engine = store.get_engine()
    registry = load_registry()
    notices, nobody = planned(read_reminder_records(engine, window(today)), registry, today)
    sent = run(engine, notices, today, dry_run=dry_run)
    lines = [
        f"{s['outcome']}: {s['period']} {s['stage']} -> {s['to']} ({s['lang']}): "
        + "、".join(s["office_names"])
        for s in sent
    ] or ["nothing to send"]
    if nobody:
        lines.append(
            f"{len(nobody)} office-quarter(s) due a reminder have no statistician with an e-mail "
            "address (urbdash user contact NAME --email ADDRESS): "
            + ", ".join(f"{c} {q}" for c, q in nobody[:20])
        )
    emit({"today": today.isoformat(), "dry_run": dry_run, "mails": sent,
          "unreachable": [list(x) for x in nobody]}, as_json, "\n".join(lines))  # fmt: skip
