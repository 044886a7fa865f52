"""``urbdash``: the command line over the same core the app runs.

Exit codes: 0 success; 1 validation errors in the input; 2 usage, configuration or database
problem (one line on stderr, never a traceback); 3 refused revision (see ``ingest``).
"""

from __future__ import annotations

import json
import sys
from functools import wraps

import click

from data import settings, store

EXIT_INVALID, EXIT_CONFIG, EXIT_REVISION = 1, 2, 3


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


if __name__ == "__main__":
    main()
