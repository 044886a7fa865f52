"""``urbdash``: the command line over the same core the app runs.

Exit codes: 0 success; 1 validation errors in the input; 2 usage, configuration or database
problem (one line on stderr, never a traceback); 3 refused revision (see ``ingest``);
4 warnings not confirmed (``ingest`` without ``--accept-warnings``); 5 not permitted (the
``--user`` may not do this write, or a write without ``--user`` outside demo mode); 6 conflict
(another upload changed the stored values this file was checked against: nothing was written,
the file is kept; run the command again).
"""

from __future__ import annotations

import json
import sys
from functools import wraps

import click

from data import settings, store

EXIT_INVALID, EXIT_CONFIG, EXIT_REVISION, EXIT_CONFIRM, EXIT_DENIED, EXIT_CONFLICT = (
    1,
    2,
    3,
    4,
    5,
    6,
)


def fail(message: str, code: int = EXIT_CONFIG):
    click.echo(f"urbdash: error: {message}", err=True)
    sys.exit(code)


def store_errors(fn):
    """Turn a store problem (StoreError, or a database error met on the way) into one line on
    stderr, the password hidden, and exit code 2; a refusal (a write the user may not do: exit
    5; typed text, a password or an account that may not be stored: exit 1) into one line in
    the command's language."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from data.accounts.policy import PermissionDenied
        from data.refusal import Refusal

        try:
            return fn(*args, **kwargs)
        except store.StoreError as exc:
            fail(str(exc))
        except store.WriteError as exc:
            fail(str(store.database_error(exc, settings.database_url())))
        except PermissionDenied as exc:
            fail(exc.message(lang_or_default(kwargs.get("lang"))), EXIT_DENIED)
        except Refusal as exc:
            fail(exc.message(lang_or_default(kwargs.get("lang"))), EXIT_INVALID)

    return wrapper


USER = click.option(
    "--user",
    "user",
    default=None,
    help="Act as this user: their roles and regions apply exactly as in the app. Required "
    "outside demo mode.",
)


def acting_user(name: str | None, engine=None):
    """The Principal a write runs as: the enabled user ``name``; without a name, in demo mode
    only (the store holds demo returns), the system acting as "cli (demo)"."""
    from data.accounts.policy import Principal
    from data.store.submissions import has_demo
    from data.store.users import load_principal

    engine = engine or store.get_engine()
    store.check_connection(engine)  # an unreachable database is exit 2, before any verdict
    if name:
        who = load_principal(engine, name)
        if who is None:
            fail(f"no enabled user {name!r} (see urbdash user list)", EXIT_DENIED)
        return who
    if store.is_initialised(engine) and has_demo(engine):
        return Principal.system("cli (demo)")
    fail(
        "a write needs --user NAME outside demo mode (an admin creates users with "
        "urbdash user add)",
        EXIT_DENIED,
    )


def said_quarter(value: str) -> str:
    """The quarter an ``--as-of`` value names; a year is said on stderr as the quarter used."""
    from data.reference import periods

    quarter = periods.as_of_quarter(value)
    if quarter != str(value).strip():
        click.echo(
            f"urbdash: --as-of {value} taken as {quarter} (the end of {quarter[:4]})", err=True
        )
    return quarter


def table_text(frame, empty: str) -> str:
    """A table as the terminal shows it; ``empty`` when it has no row (never pandas' "Empty
    DataFrame" with the column names)."""
    return frame.to_string(index=False) if len(frame) else empty


def emit(data, as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


@click.group(help=__doc__.split("\n\n")[0])
@click.version_option(package_name="urbdash")
def main() -> None:
    pass


PROVISIONAL = click.option(
    "--provisional",
    "view",
    flag_value="provisional",
    default="released",
    help="Also read the quarters not yet approved and released (default: the released "
    "quarters only, as leaders see them).",
)

LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: URBDASH_LANG).",
)


def lang_or_default(value: str | None) -> str:
    return value or settings.get("language")


def records(table) -> list[dict]:
    """A table as JSON records, NaN as null."""
    import math

    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
        for r in table.to_dict("records")
    ]
