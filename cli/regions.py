"""``urbdash regions`` and ``resolve``: the region registry and the name resolver."""

from __future__ import annotations

import sys

import click

from cli.base import (
    EXIT_INVALID,
    emit,
    main,
)


@main.command()
@click.option("--level", type=click.Choice(["province", "city", "county"]), help="Only this level.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def regions(level: str | None, as_json: bool) -> None:
    """List the region registry (codes, names in Chinese and English, levels, parents)."""
    from geo.names import english_names
    from geo.regions import load_registry

    reg = load_registry()
    if level:
        reg = reg[reg.level == level]
    reg = reg.join(english_names(reg))
    records = reg.astype(object).where(reg.notna(), None).to_dict("records")
    text = "\n".join(
        f"{r['code']}  {r['level']:<8}  {r['name']}  {r['name_en']}"
        + (f"  ({r['stat_name']} {r['stat_name_en']})" if r["stat_name"] else "")
        for r in records
    )
    emit(records, as_json, text)


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
    emit(
        records,
        as_json,
        "\n".join(f"{r['input']}\t{r['code'] or '-'}\t{r['name'] or r['note']}" for r in records),
    )
    if missing:
        sys.exit(EXIT_INVALID)
