"""``urbdash init``, ``demo``, ``settings``, ``serve``: set up the store and serve the app."""

from __future__ import annotations

import sys

import click

from cli.base import (
    EXIT_INVALID,
    emit,
    fail,
    main,
    store_errors,
)
from data import settings, store


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def init(as_json: bool) -> None:
    """Create or migrate the store and load reference data (idempotent)."""
    from data.store.bootstrap import init_store

    engine = store.get_engine()
    counts = init_store(engine)
    counts["database"] = store.redact(engine.url.render_as_string(False))
    emit(
        counts,
        as_json,
        "initialised {database}: schema {revision}, {regions} regions, "
        "{aliases} aliases, {indicators} indicators, {official_values} official values".format(
            **counts
        ),
    )


@main.command("grant-app")
@click.argument("role")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def grant_app_role(role: str, as_json: bool) -> None:
    """As the store's owner (PostgreSQL): let ROLE, the app's log-in, read and write the tables
    but only read and append the audit trail."""
    from data.store.roles import RoleError, grant_app

    try:
        done = grant_app(store.get_engine(), role)
    except RoleError as exc:
        fail(str(exc), EXIT_INVALID)
    emit(
        {"role": role, "statements": done},
        as_json,
        f"{role} may read and write the store's tables; the audit trail it may only read and "
        "append to",
    )


@main.command()
@click.option("--reset", is_flag=True, help="Remove earlier demo submissions first.")
@click.option("--if-empty", is_flag=True, help="Load only when the store holds no observations.")
@click.option(
    "--no-results", is_flag=True, help="Leave the heavy results to the worker (urbdash serve's)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def demo(reset: bool, if_empty: bool, no_results: bool, as_json: bool) -> None:
    """Generate the demo returns (示例数据) and load them through the ingest path."""
    from data.demo.generator import load_demo
    from data.store.bootstrap import init_store
    from data.store.observations import count_observations

    engine = store.get_engine()
    init_store(engine)
    if if_empty and not reset and count_observations(engine):
        out: dict = {"skipped": True}
        text = "store already holds data: demo not loaded"
    else:
        out = load_demo(engine, reset=reset)
        text = "demo workbooks: " + ", ".join(f"{v} {k}" for k, v in out.items())
        if not no_results:
            out["results"] = _compute_results(engine)
            text += f"; {out['results']} heavy results computed"
    made = _demo_accounts(engine)
    if made:
        out["accounts"] = [{"name": n, "role": r} for n, r, _ in made]
    emit(out, as_json, text)


def _compute_results(engine) -> int:
    """Compute the heavy results of the store's current version here (a command, not a page
    run), so that the first page view after ``make run`` reads them at once."""
    from analytics.results import work

    return work(engine, once=True)


def _demo_accounts(engine) -> list:
    """In demo mode, one account per role on first run; the passwords are printed once (on
    stderr, so --json stays machine-readable) and kept in var/demo-accounts.txt (0600)."""
    from data.demo.accounts import ACCOUNTS_FILE, create_demo_accounts
    from data.store.submissions import has_demo

    if not has_demo(engine):
        return []
    made = create_demo_accounts(engine, settings.var_dir())
    if made:
        path = settings.var_dir() / ACCOUNTS_FILE
        click.echo(f"demo accounts (示例账户), also in {path} (mode 0600):", err=True)
        for name, role, password in made:
            click.echo(f"  {name:<18} {role:<13} {password}", err=True)
    return made


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8501, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the app (streamlit run app.py) with page routing fixed from the first request."""
    from ui.server import run

    sys.exit(run(host, port))


@main.command()
@click.option("--once", is_flag=True, help="Compute what is asked for now, then stop.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks at the store.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (with --once).")
@store_errors
def worker(once: bool, poll: float, as_json: bool) -> None:
    """Compute the heavy results (forecasts, backtests, nowcast) after every write and keep
    them in the store; ``urbdash serve`` starts one itself (setting ``worker``)."""
    import signal
    import threading

    from analytics.results import work

    engine = store.get_engine()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    n = work(engine, stop, poll_s=poll, once=once)
    emit({"computed": n}, as_json, f"{n} results computed")


@main.command("results")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def list_results(as_json: bool) -> None:
    """The heavy results kept in the store: each job, its store version, state and time."""
    from data.store.results import listing

    rows = listing(store.get_engine())
    for r in rows:
        for k in ("requested_at", "lease_until", "finished_at"):
            r[k] = r[k].isoformat() if r[k] else None
    emit(
        rows,
        as_json,
        "\n".join(
            f"{r['name']:<17} {r['params']:<44} v{r['store_version']:<5} {r['status']:<8} "
            + (f"{r['seconds']:.2f} s" if r["seconds"] is not None else "")
            + (f"  {r['error']}" if r["error"] else "")
            for r in rows
        )
        or "no results kept",
    )


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
    emit(rows, as_json, "\n".join(f"{r['env']}={r['value']}\n    {r['help']}" for r in rows))


@main.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def backup_store(out: str, as_json: bool) -> None:
    """Write the whole store to OUT (SQLite: an SQLite file; PostgreSQL: a pg_dump archive)."""
    from data.store.backup import backup

    done = backup(store.get_engine(), out)
    emit(
        done,
        as_json,
        f"store written to {done['file']} ({done['bytes']:,} bytes, schema {done['revision']})",
    )


@main.command("restore")
@click.argument("inp", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm: the store is replaced by the backup.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@store_errors
def restore_store(inp: str, yes: bool, as_json: bool) -> None:
    """Replace the store with the backup IN (refused when IN comes from a newer schema)."""
    from data.store.backup import restore

    if not yes:
        fail("restore replaces everything in the store: add --yes to confirm")
    done = restore(store.get_engine(), inp)
    store.clear_engines()
    emit(
        done,
        as_json,
        f"store restored from {done['file']} (schema {done['revision']} -> {done['now']})",
    )
