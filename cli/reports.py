"""``urbdash brief`` and ``map``: documents for leaders that draw without the app."""

from __future__ import annotations

import click

from cli.base import (
    EXIT_INVALID,
    LANG,
    PROVISIONAL,
    fail,
    lang_or_default,
    main,
    records,
    store_errors,
)
from data import store


@main.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--period", required=True, help="Quarter the brief is as of, e.g. 2018Q4.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--set", "target_set", default=None, help="Target set whose targets lead (urbdash targets)."
)
@PROVISIONAL
@store_errors
def brief(out: str, period: str, lang: str, target_set: str | None, view: str) -> None:
    """Write the three-page PDF brief for leaders as of a quarter."""
    from pathlib import Path

    from analytics.render.brief import BriefError, write_brief
    from data.reference.periods import PeriodError
    from data.store.snapshot import read_records, read_snapshot

    engine = store.get_engine()
    try:  # the store read once, here at the edge
        snapshot, records = read_snapshot(engine, view), read_records(engine)
        path = write_brief(Path(out), snapshot, records, period, lang, target_set)
    except (BriefError, PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    click.echo(f"brief written: {path}")


@main.command("map")
@click.argument("out", type=click.Path(dir_okay=False), required=False)
@click.option("--level", type=click.Choice(["city", "county"]), default="county", show_default=True)
@click.option(
    "--indicator",
    default=None,
    help="The map page's indicators (default: settled_cumulative, or census_rate_2020 on a "
    "store without returns); `urbdash map --list` lists them.",
)
@click.option(
    "--period",
    default=None,
    help="Quarter (default: the latest with returns); census indicators take none.",
)
@click.option(
    "--classification",
    default="quantiles",
    show_default=True,
    type=click.Choice(["quantiles", "natural_breaks", "equal_interval"]),
)
@click.option("--list", "listing", is_flag=True, help="List the indicators this store offers.")
@LANG
@PROVISIONAL
@store_errors
def map_file(
    out: str | None,
    level: str,
    indicator: str | None,
    period: str | None,
    classification: str,
    listing: bool,
    lang: str | None,
    view: str,
) -> None:
    """Write a self-contained map (OUT.html or OUT.png) that draws without internet: of the
    returns, or of the 2010 and 2020 censuses (real figures, on any store)."""
    from pathlib import Path

    from analytics import maps
    from analytics.render import map_export
    from analytics.targets import allocations
    from data.i18n import messages
    from data.store.observations import read_observations, read_official
    from data.store.targets import read_targets
    from geo.names import localized
    from geo.regions import load_registry

    lang = lang_or_default(lang)
    engine = store.get_engine()
    obs = read_observations(engine, view=view)
    allocs = allocations(read_targets(engine))
    offered = maps.offered(not obs.empty, len(allocs) > 0)
    if listing:
        for i in offered:
            click.echo(f"{i}\t{messages.t(f'map.ind.{i}', lang)}")
        return
    if not out:
        fail("give the file to write: OUT.html or OUT.png")
    indicator = indicator or offered[0]
    if indicator not in maps.MAP_INDICATORS:
        fail(f"unknown indicator {indicator!r}; choose one of {', '.join(offered)}")
    if indicator not in offered:
        if obs.empty:
            fail(
                f"the store holds no returns: {indicator} is drawn from them (run `urbdash demo`"
                f" or ingest some); the census indicators draw on any store: "
                + ", ".join(maps.CENSUS_INDICATORS)
            )
        fail(f"{indicator} needs the cities' allocations of the target (urbdash target-set)")
    period, title, note = _map_words(indicator, period, obs, lang)
    frame = maps.map_values(
        obs,
        localized(load_registry(), lang),
        level,
        indicator,
        period,
        allocations=allocs,
        official=read_official(engine),
    )
    path = Path(out)
    layer = maps.boundary_layers()[level]
    if path.suffix.lower() == ".html":
        fig = map_export.html_figure(frame, layer, indicator, classification, lang, title, note)
        fig.write_html(path, include_plotlyjs=True, full_html=True)
    elif path.suffix.lower() == ".png":
        map_export.write_png(path, frame, layer, indicator, classification, lang, title, note)
    else:
        fail(f"map writes .html or .png, not {path.suffix or 'no extension'}")
    click.echo(f"map written: {path} ({frame.value.notna().sum()}/{len(frame)} regions with data)")


def _map_words(indicator: str, period: str | None, obs, lang: str) -> tuple:
    """A map file's quarter (a census map has none), title and note: the census's source for
    real figures, never the demo label; the returns' source, and the demo label when they
    are generated."""
    from analytics.maps import CENSUS_INDICATORS
    from data.i18n import formats, messages
    from data.reference import periods

    source = "map.census_source" if indicator in CENSUS_INDICATORS else "map.source"
    note = f"{messages.t(source, lang)}\n{messages.t('map.crs', lang)}"
    name = messages.t(f"map.ind.{indicator}", lang)
    if indicator in CENSUS_INDICATORS:
        if period:
            fail(f"{indicator} is of the 2010 and 2020 censuses: it takes no --period")
        return None, name, note
    try:
        period = periods.parse_period(period) if period else obs.period.max()
    except periods.PeriodError as exc:
        fail(str(exc))
    if bool(obs.is_demo.any()):
        colon = messages.t("punct.colon", lang)
        note = f"{messages.t('demo.badge', lang)}{colon}{messages.t('demo.explain', lang)}\n{note}"
    return period, f"{name} · {formats.period_label(period, lang)}", note


@main.command()
@click.option(
    "--indicator",
    required=True,
    help="A county map indicator, e.g. settled_cum_per_10k or census_rate_change.",
)
@click.option("--period", default=None, help="Quarter (default: the latest complete one).")
@click.option("--permutations", default=999, show_default=True, type=click.IntRange(99, 99999))
@click.option("--alpha", default=0.05, show_default=True, type=click.FloatRange(0.001, 0.2))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@LANG
@PROVISIONAL
@store_errors
def clusters(
    indicator: str,
    period: str | None,
    permutations: int,
    alpha: float,
    as_json: bool,
    lang: str | None,
    view: str,
) -> None:
    """Where a county indicator clusters: global Moran's I and local clusters (LISA, queen
    contiguity, permutation p-values)."""
    import json

    from analytics.clusters import county_clusters
    from analytics.completeness import complete_through
    from data.reference import periods
    from data.store.observations import read_observations, read_official
    from geo.names import localized
    from geo.regions import load_registry

    lang = lang_or_default(lang)
    engine = store.get_engine()
    obs = read_observations(engine, view=view)
    registry = localized(load_registry(), lang)
    try:
        if period:
            period = periods.parse_period(period)
        elif len(obs):
            period = complete_through(obs, registry)["complete"] or obs.period.max()
        result = county_clusters(
            obs, registry, indicator, period, read_official(engine), permutations, alpha
        )
    except (ValueError, periods.PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    if as_json:
        click.echo(json.dumps(result.as_dict() | {"indicator": indicator, "period": period},
                              ensure_ascii=False, default=float))  # fmt: skip
        return
    click.echo(
        f"Moran's I = {result.moran_i:.3f} (expected {result.expected_i:.3f} if random), "
        f"pseudo p = {result.p_value:.3f} ({permutations} permutations), z = {result.z_score:.2f}"
    )
    shown = result.counties[~result.counties.cluster.isin(["ns", "missing"])]
    labels = {"hh": "high-high", "ll": "low-low", "hl": "high-low", "lh": "low-high"}
    for kind, label in labels.items():
        part = shown[shown.cluster == kind]
        if len(part):
            names = ", ".join(f"{r.name} (p={r.p_value:.3f})" for r in part.itertuples())
            click.echo(f"{label} ({len(part)}): {names}")
    click.echo(f"{len(shown)} of {len(result.counties)} counties significant at p <= {alpha}")


@main.command("quality")
@click.option("--period", default=None, help="Last quarter of the window (default: the newest).")
@click.option("--level", type=click.Choice(["county", "city"]), default="city", show_default=True)
@click.option("--window", default=4, show_default=True, type=click.IntRange(1, 40),
              help="Quarters the ranking covers.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@LANG
@store_errors
def quality_command(
    period: str | None, level: str, window: int, as_json: bool, lang: str | None
) -> None:
    """The data-quality scorecard of the reporting offices, best first: timeliness,
    completeness, revisions and confirmed warnings, with the grade and its rule."""
    import json

    from analytics import quality
    from data import settings
    from data.reference import periods
    from data.store.audit import confirmed_flags
    from data.store.observations import value_history
    from geo.names import localized
    from geo.regions import load_registry

    registry = localized(load_registry(), lang_or_default(lang))
    try:
        engine = store.get_engine()  # the store read here, at the edge
        history, flags = value_history(engine), confirmed_flags(engine)
        table = quality.scorecard(history, flags, registry, period, level, window)
    except (ValueError, periods.PeriodError) as exc:
        fail(str(exc), EXIT_INVALID)
    if table.empty:
        fail("the store holds no returns (run `urbdash demo` or ingest some)")
    meta = {
        "level": level,
        "through": table.attrs["through"],
        "quarters": table.attrs["quarters"],
        "due_days": int(settings.get("report_due_days")),
        "demo": table.attrs["demo"],
        "rule": quality.RULE,
    }
    if as_json:
        click.echo(json.dumps(meta | {"offices": records(table)}, ensure_ascii=False))
        return
    click.echo(
        f"data quality of the {level} offices, {meta['quarters'][0]}-{meta['through']} "
        f"(on time: first submitted within {meta['due_days']} days of the quarter's end)"
        + (" - demo data" if meta["demo"] else "")
    )
    click.echo(f"{'#':>3} {'office':<16} {'grade':<5} {'score':>5} {'on time':>7} {'days':>5} "
               f"{'complete':>8} {'revised':>7} {'flags':>5}")  # fmt: skip
    for r in table.itertuples():
        days = "-" if r.days != r.days else f"{r.days:.0f}"
        flags = r.unit_slip + r.outlier + r.other_flags
        click.echo(f"{r.rank:>3} {r.name:<16} {r.grade:<5} {r.score:>5.1f} {r.on_time:>7.0%} "
                   f"{days:>5} {r.completeness:>8.0%} {r.revised:>7.0%} {flags:>5}")  # fmt: skip
    click.echo(f"grade: {quality.RULE}")
