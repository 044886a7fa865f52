"""The three-page brief for leaders (A4 PDF): headline targets with status, the city map, the
trend of cumulative settlement against the targets, the cities behind, the overdue tasks,
sources, the cities' data quality (``analytics.quality``) and the demo label where it
applies.

Drawn with matplotlib (the figures the app shows, redrawn for print) and saved with the CJK
font embedded (Noto Sans CJK subset as Type 3 glyphs: renders in every reader, text stays
extractable). Everything is computed as of the chosen quarter: returns after it, updates to
tasks after its last day and targets' later evidence are not used.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from analytics import overview, quality, targets, tasks
from analytics.aggregate import province_cumulative
from analytics.maps import map_values
from analytics.render.map_export import draw_map, use_cjk_fonts
from analytics.render.text import wrap
from data.i18n import formats, messages
from data.reference import periods, plan
from data.store.snapshot import Records, Snapshot
from geo.names import localized

A4 = (8.27, 11.69)
VERDICT_COLORS = {"met": "#2e7d32", "missed": "#c62828", "pending": "#555555"}
STATUS_COLORS = {
    "on_track": "#2e7d32",
    "acceleration_needed": "#ef6c00",
    "limited_progress": "#c62828",
    "moving_away": "#6a1b9a",
}


class BriefError(ValueError):
    pass


def brief_data(
    snapshot: Snapshot,
    records: Records,
    period: str,
    lang: str = "zh",
    target_set: str | None = None,
    projections: list[dict] | None = None,
) -> dict:
    """Everything the brief shows, as plain values (also used by the tests).

    Everything comes from the store read once (``snapshot`` and ``records``); nothing here
    reads it again.

    Parameters
    ----------
    snapshot : Snapshot
        The store's figures (``data.store.snapshot.read_snapshot``); its view says which
        returns.
    records : Records
        The tasks and the quality scorecard's reads (``data.store.snapshot.read_records``).
    period : str
        The quarter, "YYYYQn".
    lang : str
        "zh" or "en".
    target_set : str or None
        Its targets lead where it has them.
    projections : list of dict or None
        Every target projected as of ``period`` (``targets.project_targets``), when already
        computed (the app passes the results worker's); None: computed here from
        ``snapshot``.

    Returns
    -------
    dict
        The targets, ranking, map, cumulative series, overdue tasks, freshness, quality and
        the labels of demo and provisional data.
    """
    period = periods.parse_period(period)
    if not periods.is_quarter(period):
        raise BriefError(f"--period must be a quarter such as 2018Q4, not {period!r}")
    view = snapshot.view
    obs = snapshot.observations
    obs = obs[obs.period <= period]
    if obs.empty:
        raise BriefError(
            f"no {'returns' if view == 'provisional' else 'released returns'} up to {period}: "
            "load returns (or `urbdash demo`) first"
            + ("" if view == "provisional" else ", or release a quarter (urbdash release)")
        )
    reg = localized(snapshot.registry, lang)  # region names in the brief's language
    allocations = targets.allocations(snapshot.targets)
    if projections is None:
        projections = targets.project_targets(snapshot, as_of=period)
    records_shown = overview.headline(projections, target_set)
    ranking = overview.city_ranking(obs, reg, allocations, period)
    indicator = "target_share" if ranking.basis == "allocation" else "settled_cum_per_10k"
    task_frame = tasks.task_table(records.tasks, records.updates, as_of=period)
    return {
        "period": period,
        "lang": lang,
        "records": records_shown,
        "ranking": ranking,
        "map": (map_values(obs, reg, "city", indicator, period, None, allocations), indicator),
        "cumulative": province_cumulative(obs, reg),
        "overdue": task_frame[task_frame.status == "overdue"],
        "freshness": overview.freshness(obs, reg),
        "demo": bool(obs.is_demo.any()),
        "provisional": view == "provisional",
        "plan": plan.plan_meta(),
        "quality": quality.scorecard(records.history, records.flags, reg, period, "city"),
    }


def _fmt(record: dict, value: float, lang: str) -> str:
    return formats.format_target_value(value, record["unit"], lang)


def _wrap(fig, text: str, width: float, size: float) -> list[str]:
    """``text`` broken to fit ``width``, a fraction of the page width."""
    return wrap(text, width * fig.get_figwidth() * 72, size)


def _line_height(fig, size: float) -> float:
    """One line of ``size``-point text as a fraction of the page height."""
    return size * 1.4 / 72 / fig.get_figheight()


def _cells(fig, y: float, cells: list[tuple], size: float, max_lines: int = 4) -> float:
    """One table row: each cell ``(x, width, text[, colour])`` wrapped inside its column, top
    aligned at ``y``; returns the y under the tallest cell."""
    tallest = 1
    for x, width, text, *colour in cells:
        lines = _wrap(fig, text, width, size)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
        fig.text(x, y, "\n".join(lines), fontsize=size, va="top", color=(colour or ["black"])[0],
                 linespacing=1.25)  # fmt: skip
        tallest = max(tallest, len(lines))
    return y - tallest * _line_height(fig, size) * 1.0


def render(data: dict, out) -> None:
    """Write the brief's three pages.

    The targets with the map and the trend; the units furthest behind, overdue tasks and
    sources; data quality.

    Parameters
    ----------
    data : dict
        ``brief_data``.
    out : pathlib.Path or file
        A path or a binary file object.
    """
    use_cjk_fonts()
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    lang = data["lang"]
    t = lambda k, **f: messages.t(k, lang, **f)  # noqa: E731
    plt.rcParams["pdf.fonttype"] = 3
    pages = (_targets_page, _lagging_page, _quality_page)
    with PdfPages(out, metadata={"Title": t("brief.title"), "Creator": "urbdash"}) as pdf:
        for number, draw in enumerate(pages, 1):
            fig = plt.figure(figsize=A4)
            draw(fig, data, t)
            _footer(fig, data, number, t)
            pdf.savefig(fig)
            plt.close(fig)


def _targets_page(fig, data: dict, t) -> None:
    """Page 1: the title, the targets' table, the map and the cumulative trend."""
    fig.text(0.06, 0.955, t("brief.title"), fontsize=17, weight="bold")
    fig.text(
        0.06,
        0.93,
        t("brief.subtitle", period=data["period"], today=date.today().isoformat()),
        fontsize=9,
        color="#555",
    )
    if data["demo"]:
        fig.text(
            0.94,
            0.955,
            t("demo.badge"),
            fontsize=11,
            color="white",
            ha="right",
            bbox={"facecolor": "#ef6c00", "edgecolor": "none", "pad": 4},
        )
    if data.get("provisional"):
        fig.text(0.06, 0.912, t("view.provisional_label"), fontsize=8.5, color="#b71c1c")
    _targets_table(fig, data, t)
    _map_and_trend(fig, data, t)


def _targets_table(fig, data: dict, t) -> None:
    """Each target: its value now, status or verdict, probability and date of reach; the
    rule behind the statuses, and how far each band held out of sample."""
    lang = data["lang"]
    fig.text(0.06, 0.895, t("brief.targets"), fontsize=12, weight="bold")
    aside = lambda text: t("punct.aside", text=text)  # noqa: E731  "（2020Q4）" / " (2020Q4)"
    # columns (x, width): target, value, status or verdict, probability, reach; a closed
    # target's gap spans the last two
    cols = [(0.06, 0.32), (0.39, 0.17), (0.57, 0.19), (0.77, 0.08), (0.86, 0.09)]
    header = [
        t("brief.col.target"),
        t("brief.col.current"),
        t("brief.col.status"),
        t("brief.col.probability"),
        t("brief.col.reach"),
    ]
    if all(r["closed"] for r in data["records"]):  # all judged: no odds, no dates ahead
        cols = [(0.06, 0.32), (0.39, 0.19), (0.59, 0.1), (0.7, 0.25)]
        header = [t("brief.col.target"), t("brief.col.final"), t("brief.col.verdict")]
        header.append(t("brief.col.gap"))
    y = _cells(fig, 0.875, [(x, w, h, "#555") for (x, w), h in zip(cols, header, strict=True)], 8.5)
    for r in data["records"]:
        y -= 0.008
        name = messages.t("proj.target_label." + r["indicator"], lang)
        row = [
            (*cols[0], f"{name} {_fmt(r, r['target_value'], lang)}{aside(r['target_period'])}"),
            (*cols[1], f"{_fmt(r, r['current_value'], lang)}{aside(r['current_period'])}"),
        ]
        if r["closed"]:  # judged at its date: the verdict and what stood then, no odds
            word, parts = overview.verdict_text(r, lang)
            row.append((*cols[2], messages.t("verdict." + word, lang), VERDICT_COLORS[word]))
            # the gap and the later date where an open target's odds stand
            gap_x = cols[3][0]
            row.append((gap_x, 0.95 - gap_x, t("list.sep").join(parts[1:]) or "—"))
        else:
            status = f"{messages.t('proj.status.' + r['status'], lang)} R={r['ratio']:.0%}"
            row.append((*cols[2], status, STATUS_COLORS[r["status"]]))
            row.append((*cols[3], f"{r['probability']:.0%}"))
            row.append((*cols[4], r["reach_period"] or "—"))
        y = _cells(fig, y, row, 9)
    if not all(r["closed"] for r in data["records"]):  # the rule behind the statuses shown
        y = _cells(fig, y - 0.012, [(0.06, 0.89, t("lead.rule"), "#555")], 7)
        for r in data["records"]:  # how far the odds' band can be trusted, out of sample
            cal = r.get("calibration") or {}
            if not r["closed"] and cal.get("judged") and cal.get("cases"):
                line = t(
                    "brief.coverage",
                    oos=f"{cal['coverage95_out_of_sample']:.0%}",
                    cases=cal["cases"],
                )
                y = _cells(fig, y, [(0.06, 0.89, line, "#555")], 7)


def _map_and_trend(fig, data: dict, t) -> None:
    """The city map and the cumulative settlements with their target, side by side."""
    lang = data["lang"]
    layers = _layers()
    # map and trend side by side
    frame, indicator = data["map"]
    fig.text(0.06, 0.63, t("brief.map"), fontsize=12, weight="bold")
    fig.text(0.06, 0.612, t(f"lead.map_title.{data['ranking'].basis}"), fontsize=8, color="#555")
    ax = fig.add_axes([0.03, 0.17, 0.45, 0.44])
    draw_map(ax, frame, layers, indicator, "quantiles", lang, legend_size=6, names=True)
    fig.text(0.52, 0.63, t("brief.trend"), fontsize=12, weight="bold")
    fig.text(0.52, 0.612, t("trend.cumulative_title"), fontsize=8, color="#555")
    ax = fig.add_axes([0.58, 0.32, 0.37, 0.27])
    cum = data["cumulative"]
    ax.plot(range(len(cum)), cum.values / 1e4, color="#1f77b4", lw=1.8)
    ticks = [i for i, p in enumerate(cum.index) if p.endswith("Q4")]
    ax.set_xticks(ticks, [cum.index[i][:4] for i in ticks], fontsize=7, rotation=0)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("万人" if lang == "zh" else "10,000 persons", fontsize=8)
    for r in data["records"]:
        if r["indicator"] == "settled_cumulative":
            ax.axhline(r["target_value"] / 1e4, color="#c62828", ls="--", lw=0.8)
            ax.text(
                0,
                r["target_value"] / 1e4,
                t(
                    "trend.target",
                    value=_fmt(r, r["target_value"], lang),
                    period=r["target_period"],
                ),
                fontsize=7,
                color="#c62828",
                va="bottom",
            )
    ax.grid(axis="y", color="#eee")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _lagging_page(fig, data: dict, t) -> None:
    """Page 2: the units furthest behind, the overdue tasks, and every source."""
    lang = data["lang"]
    fig.text(0.06, 0.955, t("brief.lagging"), fontsize=12, weight="bold")
    ranking = data["ranking"]
    fig.text(0.06, 0.935, t(f"lead.basis.{ranking.basis}"), fontsize=7.5, color="#555")
    score_label = t(f"lead.col.score.{ranking.basis}")
    cols = [(0.06, 0.3), (0.38, 0.16), (0.56, 0.2)]
    head = [t("lead.col.city"), score_label, t("lead.col.cumulative")]
    y = _cells(fig, 0.915, [(x, w, h, "#555") for (x, w), h in zip(cols, head, strict=True)], 8.5)
    for r in ranking.behind().itertuples(index=False):
        y -= 0.006
        cells = [r.name, f"{r.score:,.1f}", formats.format_persons(r.cumulative, lang)]
        y = _cells(fig, y, [(x, w, c) for (x, w), c in zip(cols, cells, strict=True)], 9.5)
    y -= 0.03
    fig.text(0.06, y, t("brief.overdue"), fontsize=12, weight="bold")
    overdue = data["overdue"]
    y -= 0.012
    if overdue.empty:
        y = _cells(fig, y, [(0.06, 0.89, t("brief.none_overdue"))], 9.5)
    colon = t("punct.colon")
    for r in overdue.itertuples(index=False):
        if isinstance(r.lead, str):
            lead = r.lead if lang == "zh" else plan.department_en(r.lead)
        else:
            lead = messages.t("task.each_responsible", lang)
        y = _cells(fig, y - 0.006, [(0.06, 0.89, f"{r.number}. {r.text}")], 8.5, max_lines=3)
        meta = f"{t('task.col.lead')}{colon}{lead} · {t('task.col.deadline')}{colon}{r.deadline}"
        y = _cells(fig, y, [(0.08, 0.87, meta, "#555")], 7.5)
    y -= 0.03
    fig.text(0.06, y, t("brief.sources"), fontsize=12, weight="bold")
    y -= 0.012
    fresh = data["freshness"]
    meta = data["plan"]
    if lang == "zh":
        plan_line = f"{meta['issuer_zh']}《{meta['title_zh']}》（{meta['date']}）"
    else:
        plan_line = f"{meta['issuer_en']}: {meta['title_en']} ({meta['date']})"
    lines = [
        t(
            "brief.returns_source",
            n=f"{fresh['values']:,}",
            first=fresh["first"],
            latest=fresh["latest"],
        )
        + (t("punct.aside", text=t("demo.badge")) if data["demo"] else ""),
        *dict.fromkeys(r["source"] for r in data["records"]),
        plan_line,
        t("map.source"),
    ]
    if data["demo"]:
        lines.append(t("demo.explain"))
    for line in filter(None, lines):
        y = _cells(fig, y - 0.005, [(0.06, 0.89, line)], 7.5, max_lines=8)


def _quality_page(fig, data: dict, t) -> None:
    """The data-quality scorecard of the reporting units (``analytics.quality``) with its
    rule."""
    table = data["quality"]
    fig.text(0.06, 0.955, t("brief.quality"), fontsize=12, weight="bold")
    if table.empty:
        _cells(fig, 0.93, [(0.06, 0.89, t("quality.empty"))], 9.5)
        return
    covered = table.attrs["quarters"]
    note = t("quality.window_note", first=covered[0], last=covered[-1], n=len(covered))
    y = _cells(fig, 0.935, [(0.06, 0.89, note, "#555")], 7.5)
    cols = [(0.06, 0.2), (0.27, 0.07), (0.35, 0.08), (0.44, 0.1), (0.55, 0.12), (0.68, 0.1),
            (0.79, 0.08), (0.88, 0.08)]  # fmt: skip
    keys = ["office", "grade", "score", "on_time", "days", "completeness", "revised", "flags"]
    head = [t(f"quality.col.{k}") for k in keys]
    y = _cells(fig, y - 0.008, [(x, w, h, "#555") for (x, w), h in zip(cols, head, strict=True)],
               7.5)  # fmt: skip
    for r in table.itertuples(index=False):
        cells = [
            r.name,
            r.grade,
            f"{r.score:.1f}",
            f"{r.on_time:.0%}",
            t("quality.never") if r.days != r.days else f"{r.days:.0f}",
            f"{r.completeness:.0%}",
            f"{r.revised:.0%}",
            f"{r.unit_slip + r.outlier + r.other_flags}",
        ]
        y = _cells(fig, y - 0.004, [(x, w, c) for (x, w), c in zip(cols, cells, strict=True)], 9)
    y = _cells(fig, y - 0.015, [(0.06, 0.89, t("quality.rule"), "#555")], 7.5, max_lines=8)
    if data["demo"]:
        _cells(fig, y - 0.005, [(0.06, 0.89, t("quality.demo_note"), "#555")], 7.5, max_lines=6)


def _footer(fig, data: dict, page: int, t) -> None:
    fig.text(0.5, 0.025, t("brief.page", n=page), fontsize=7.5, ha="center", color="#777")
    if data["demo"]:
        fig.text(0.06, 0.025, t("demo.badge"), fontsize=7.5, color="#ef6c00")


def _layers() -> dict:
    from analytics.maps import boundary_layers

    return boundary_layers()["city"]


def brief_bytes(
    snapshot: Snapshot,
    records: Records,
    period: str,
    lang: str = "zh",
    target_set: str | None = None,
    projections: list[dict] | None = None,
) -> bytes:
    """The brief as PDF bytes.

    Parameters
    ----------
    snapshot : Snapshot
        The store's figures, read once.
    records : Records
        The tasks and the quality scorecard's reads.
    period : str
        The quarter.
    lang : str
        "zh" or "en".
    target_set : str or None
        Its targets lead.
    projections : list of dict or None
        Already computed projections (the results worker's).

    Returns
    -------
    bytes
        The PDF.
    """
    buf = io.BytesIO()
    render(brief_data(snapshot, records, period, lang, target_set, projections), buf)
    return buf.getvalue()


def write_brief(
    path: Path,
    snapshot: Snapshot,
    records: Records,
    period: str,
    lang: str = "zh",
    target_set: str | None = None,
) -> Path:
    """The brief as a PDF file.

    Parameters
    ----------
    path : pathlib.Path
        The file (its folder is made).
    snapshot : Snapshot
        The store's figures, read once.
    records : Records
        The tasks and the quality scorecard's reads.
    period : str
        The quarter.
    lang : str
        "zh" or "en".
    target_set : str or None
        Its targets lead.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    if path.suffix.lower() != ".pdf":
        raise BriefError(f"the brief is a .pdf, not {path.suffix or 'a file without extension'}")
    data = brief_data(snapshot, records, period, lang, target_set)
    path.parent.mkdir(parents=True, exist_ok=True)
    render(data, path)
    return path


__all__ = ["brief_data", "brief_bytes", "write_brief", "BriefError"]
