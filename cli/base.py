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


def fail(message: str, code: int = EXIT_CONFIG):
    click.echo(f"urbdash: error: {message}", err=True)
    sys.exit(code)


def store_errors(fn):
    """Turn a store problem (StoreError, or a database error met on the way) into one line on
    stderr, the password hidden, and exit code 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except store.StoreError as exc:
            fail(str(exc))
        except store.WriteError as exc:
            fail(str(store.database_error(exc, settings.database_url())))

    return wrapper


def said_quarter(value: str) -> str:
    """The quarter an ``--as-of`` value names; a year is said on stderr as the quarter used."""
    from data.reference import periods

    quarter = periods.as_of_quarter(value)
    if quarter != str(value).strip():
        click.echo(
            f"urbdash: --as-of {value} taken as {quarter} (the end of {quarter[:4]})", err=True
        )
    return quarter


def emit(data, as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


@click.group(help=__doc__.split("\n\n")[0])
@click.version_option(package_name="urbdash")
def main() -> None:
    pass


LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default: URBDASH_LANG).",
)


def lang_or_default(value: str | None) -> str:
    return value or settings.get("language")
