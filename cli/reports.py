"""``urbdash brief`` and ``map``: documents for leaders that draw without the app."""

from __future__ import annotations

import click

from cli.base import EXIT_INVALID, LANG, fail, lang_or_default, main, store_errors
from data import store


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--period", required=True, help="Quarter the brief is as of, e.g. 2018Q4.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--set", "target_set", default=None, help="Target set whose targets lead (urbdash targets)."
)
@store_errors
def brief(out: str, period: str, lang: str, target_set: str | None) -> None:
    """Write the two-page PDF brief for leaders as of a quarter."""
    from pathlib import Path

    from analytics.render.brief import BriefError, write_brief
    from data.reference.periods import PeriodError

    try:
        path = write_brief(Path(out), store.get_engine(), period, lang, target_set)
    except (BriefError, PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    click.echo(f"brief written: {path}")


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

    from analytics import maps
    from analytics.render import map_export
    from data.i18n import formats, messages
    from data.reference import periods
    from data.store.observations import read_observations
    from geo.names import localized
    from geo.regions import load_registry

    lang = lang_or_default(lang)
    if indicator not in maps.MAP_INDICATORS:
        fail(f"unknown indicator {indicator!r}; choose one of {', '.join(maps.MAP_INDICATORS)}")
    obs = read_observations(store.get_engine())
    if obs.empty:
        fail("the store holds no returns (run `urbdash demo` or ingest some)")
    try:
        period = periods.parse_period(period) if period else obs.period.max()
    except periods.PeriodError as exc:
        fail(str(exc))
    frame = maps.map_values(obs, localized(load_registry(), lang), level, indicator, period)
    title = f"{messages.t(f'map.ind.{indicator}', lang)} · {formats.period_label(period, lang)}"
    note = messages.t("map.crs", lang)
    if bool(obs.is_demo.any()):
        colon = messages.t("punct.colon", lang)
        note = f"{messages.t('demo.badge', lang)}{colon}{messages.t('demo.explain', lang)}\n{note}"
    path = Path(out)
    if path.suffix.lower() == ".html":
        fig = map_export.html_figure(
            frame, maps.boundary_layers()[level], indicator, classification, lang, title, note
        )
        fig.write_html(path, include_plotlyjs=True, full_html=True)
    elif path.suffix.lower() == ".png":
        map_export.write_png(
            path, frame, maps.boundary_layers()[level], indicator, classification, lang, title, note
        )
    else:
        fail(f"map writes .html or .png, not {path.suffix or 'no extension'}")
    click.echo(f"map written: {path} ({frame.value.notna().sum()}/{len(frame)} regions with data)")
