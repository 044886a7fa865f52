"""The overview's pieces: the status chips, the city map, the two ranking tables and the
sources line, in the page's language."""

from __future__ import annotations

from functools import partial

import pandas as pd

from analytics.render import choropleth
from ui.state import fmt_persons, fmt_target, lang, short_name, tr

# one screen: less padding above the first line than Streamlit's default
ONE_SCREEN = "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>"


def chips(fresh: dict, done: dict, as_of: str) -> str:
    """The line under the heading: as of when, who has reported, what is still coming in, and
    the demo label when the returns are generated."""
    out = [
        f":blue-badge[:material/event: {tr('lead.as_of', period=as_of)}]",
        f":green-badge[:material/fact_check: "
        f"{tr('lead.completeness', reported=done['reported'], expected=done['expected'], period=done['period'])}]",
    ]
    out += [
        f":gray-badge[:material/hourglass_top: {tr('lead.reporting', **r)}]"
        for r in fresh["reporting"]
    ]
    if fresh["demo"]:
        out.append(f":orange-badge[:material/science: {tr('demo.badge')}]")
    return " ".join(out)


def value(record: dict, figure: float) -> str:
    return fmt_target(figure, record["unit"])


def target_line(record: dict) -> str:
    return tr(
        "lead.target_line",
        value=value(record, record["target_value"]),
        period=record["target_period"],
    )


def map_indicator(basis: str) -> str:
    """What the city map shows: the share of its allocation, else settlement per 10,000."""
    return "target_share" if basis == "allocation" else "settled_cum_per_10k"


def city_map(frame: pd.DataFrame, layers: dict, indicator: str):
    return choropleth.choropleth(
        frame, layers["city"], indicator, "quantiles", lang(), height=300, compact=True
    )


def ranked(rows: pd.DataFrame, basis: str) -> pd.DataFrame:
    """A ranking's rows in narrow cells: a compact count, the score to whole units (the help
    says what they are)."""
    return rows.assign(
        name=rows.name.map(short_name),
        cumulative=rows.cumulative.map(partial(fmt_persons, compact=True)),
        score=rows.score.round(0 if basis == "per_10k" else 1),
    )[["name", "score", "cumulative"]].rename(
        columns={
            "name": tr("lead.col.city"),
            "score": tr(f"lead.col.score.{basis}"),
            "cumulative": tr("lead.col.cumulative"),
        }
    )


def sources(fresh: dict, as_of: str) -> str:
    return (
        tr("lead.sources")
        + tr("punct.colon")
        + tr(
            "brief.returns_source",
            n=format(fresh["values"], ","),
            first=fresh["first"],
            latest=as_of,
        )
        + (tr("punct.aside", text=tr("demo.badge")) if fresh["demo"] else "")
    )
