"""``urbdash user …`` (accounts) and ``urbdash audit`` (the audit trail).

The first admin is made here (``user add NAME --role admin`` while the store has no admin);
after that every account change runs as ``--as`` an admin, checked exactly as in the app.
"""

from __future__ import annotations

import sys

import click

from cli.base import EXIT_INVALID, acting_user, emit, fail, main, store_errors
from data import store
from geo.regions import PROVINCE_CODE

ACTOR = click.option(
    "--as",
    "actor",
    default=None,
    help="The admin making the change (not needed for the first admin, or in demo mode).",
)
ROLE = click.option(
    "--role",
    "roles",
    multiple=True,
    help="leader, statistician, planner, department or admin (repeat for several).",
)
REGION = click.option(
    "--region",
    "regions",
    multiple=True,
    help=f"A region a statistician reports for: {PROVINCE_CODE} (all), a city, 杨凌示范区 or a "
    "county.",
)
DEPARTMENT = click.option(
    "--department",
    "departments",
    multiple=True,
    help="A department as the plan names it, e.g. 省公安厅 (repeat for several).",
)


def _engine():
    engine = store.get_engine()
    if not store.is_initialised(engine):
        fail("the store is not initialised: run urbdash init first")
    return engine


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return click.prompt("password", hide_input=True, confirmation_prompt=True)
    fail("give the password on standard input with --password-stdin", EXIT_INVALID)


@main.group()
def user() -> None:
    """Local accounts: roles, regions, departments, passwords."""


@user.command("add")
@click.argument("name")
@ROLE
@REGION
@DEPARTMENT
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--sso", "sso_subject", default=None, help="E-mail of the single sign-on identity.")
@ACTOR
@store_errors
def user_add(name, roles, regions, departments, password_stdin, sso_subject, actor) -> None:
    """Create the account NAME (the password rules are in `urbdash user rules`)."""
    from data.accounts.policy import Principal
    from data.store.users import add_user, count_admins

    engine = _engine()
    if not actor and count_admins(engine) == 0 and "admin" in roles:
        who = Principal.system("cli (first admin)")
    else:
        who = acting_user(actor, engine)
    password = None if sso_subject and not password_stdin else _read_password(password_stdin)
    p = add_user(engine, who, name, password, roles, regions, departments, sso_subject)
    click.echo(f"user {p.name} added: {', '.join(sorted(p.roles))}")


@user.command("rules")
def user_rules() -> None:
    """Print the password rules."""
    from data.accounts.passwords import RULES

    click.echo(RULES["zh"] + "\n" + RULES["en"])


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@ACTOR
@store_errors
def user_passwd(name, password_stdin, actor) -> None:
    """Set a new password for NAME (an admin, or the user themself with --as NAME)."""
    from data.store.users import set_password

    engine = _engine()
    set_password(engine, acting_user(actor, engine), name, _read_password(password_stdin))
    click.echo(f"password of {name} changed")


@user.command("assign")
@click.argument("name")
@ROLE
@REGION
@DEPARTMENT
@click.option("--sso", "sso_subject", default=None, help="E-mail of the single sign-on identity.")
@ACTOR
@store_errors
def user_assign(name, roles, regions, departments, sso_subject, actor) -> None:
    """Replace NAME's roles, regions or departments (those given; the others are kept)."""
    from data.store.users import assign

    engine = _engine()
    p = assign(
        engine,
        acting_user(actor, engine),
        name,
        roles or None,
        regions or None,
        departments or None,
        sso_subject,
    )
    click.echo(
        f"user {p.name}: {', '.join(sorted(p.roles))}"
        + (f"; regions {', '.join(p.regions)}" if p.regions else "")
        + (f"; departments {'、'.join(p.departments)}" if p.departments else "")
    )


@user.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@ACTOR
@store_errors
def user_disable(name, enable, actor) -> None:
    """Disable NAME (it can no longer sign in or act); --enable undoes it."""
    from data.store.users import set_disabled

    engine = _engine()
    set_disabled(engine, acting_user(actor, engine), name, not enable)
    click.echo(f"user {name} {'enabled' if enable else 'disabled'}")


@user.command("unlock")
@click.argument("name")
@ACTOR
@store_errors
def user_unlock(name, actor) -> None:
    """Lift NAME's lock-out after repeated wrong passwords."""
    from data.store.users import unlock

    engine = _engine()
    unlock(engine, acting_user(actor, engine), name)
    click.echo(f"user {name} unlocked")


@user.command("contact")
@click.argument("name")
@click.option("--email", default="", help="Where reminders reach NAME (empty: remove it).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of mails.")
@ACTOR
@store_errors
def user_contact(name, email, lang, actor) -> None:
    """Set NAME's e-mail address (for reminders) and the language of their mails."""
    from data.store.users import set_contact

    engine = _engine()
    set_contact(engine, acting_user(actor, engine), name, email or None, lang)
    click.echo(f"user {name}: e-mail {email or '(none)'}" + (f", language {lang}" if lang else ""))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def user_list(as_json: bool) -> None:
    """Every account with its roles and assignments (never a password hash)."""
    from data.store.users import list_users

    frame = list_users(_engine())
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    lines = [
        f"{r['name']:<16} {','.join(r['roles']):<28} "
        f"{' '.join(r['regions']) or '-':<14} {'、'.join(r['departments']) or '-'}"
        + (" [disabled]" if r["disabled"] else "")
        + (f" [locked until {r['locked_until']}]" if r["locked_until"] else "")
        for r in records
    ]
    emit(records, as_json, "\n".join(lines) or "no users yet: urbdash user add NAME --role admin")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--since", default=None, help="Only records from this date or time (ISO 8601).")
@click.option("--user", "user_name", default=None, help="Only records of this user.")
@click.option("--action", default=None, help="Only records of this action (e.g. ingest).")
@click.option(
    "--verify",
    is_flag=True,
    help="Check the trail's hash chain instead: exit 1 at the first changed, inserted or "
    "deleted record.",
)
@store_errors
def audit(
    as_json: bool, since: str | None, user_name: str | None, action: str | None, verify: bool
) -> None:
    """The audit trail, newest first: who did what to which, with values before and after."""
    from datetime import UTC, datetime

    from data.store.audit import read_audit

    if verify:
        _verify_audit(as_json)
        return

    when = None
    if since:
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r} is not a date or time (e.g. 2026-12-01)", EXIT_INVALID)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    frame = read_audit(_engine(), when, user_name, action)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    lines = [
        f"{r['at']:%Y-%m-%d %H:%M:%S} {r['user']:<16} {r['action']:<14} {r['target'] or ''}"
        + (f"  before={r['before']}" if r["before"] else "")
        + (f"  after={r['after']}" if r["after"] else "")
        for r in records
    ]
    emit(records, as_json, "\n".join(lines) or "no audit records match")


def _verify_audit(as_json: bool) -> None:
    """``urbdash audit --verify``: the chain walked from the first record to the head."""
    from data.store.audit import verify

    out = verify(_engine())
    if out["ok"]:
        text = f"audit trail intact: {out['rows']:,} records chained, head {out['head']}"
    elif out["broken_at"] == -1:
        text = (
            f"audit trail broken after its last record ({out['rows']:,} checked): the head "
            f"{out['head']} matches none of them, so records at the end were deleted"
        )
    else:
        text = (
            f"audit trail broken at record {out['broken_at']} ({out['rows']:,} checked): that "
            "record was changed, or a record just before it inserted or deleted"
        )
    emit(out, as_json, text)
    if not out["ok"]:
        raise SystemExit(EXIT_INVALID)
