"""The data-quality page's tables and chart: the scorecard (on screen, and in full for the
downloads), the trend of the chosen offices, and completeness by indicator."""

from __future__ import annotations

import pandas as pd

from analytics.quality import GRADES
from analytics.render import charts
from data import settings
from data.reference import indicators
from ui.state import lang, tr

WARNING_KINDS = ("unit_slip", "outlier", "other_flags")


def intro() -> str:
    return tr("quality.intro", due=int(settings.get("report_due_days")))


def levels() -> dict[str, str]:
    return {"city": tr("quality.level.city"), "county": tr("quality.level.county")}


def grades() -> list[str]:
    return [grade for grade, _ in GRADES]


def pct(v: float) -> str:
    return f"{v:.0%}"


def scorecard(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """Every column of the scorecard, headed in the page's language (the downloads)."""
    return pd.DataFrame(
        {
            tr("quality.col.rank"): table["rank"],
            tr("quality.col.office"): table.name,
            **({tr("quality.col.city"): table.city_name} if level == "county" else {}),
            tr("quality.col.grade"): table.grade,
            tr("quality.col.score"): table.score.round(1),
            tr("quality.col.on_time"): table.on_time.map(pct),
            tr("quality.col.days"): table.days.map(
                lambda d: tr("quality.never") if pd.isna(d) else f"{d:.0f}"
            ),
            tr("quality.col.completeness"): table.completeness.map(pct),
            tr("quality.col.revised"): table.revised.map(pct),
            tr("quality.col.revised_values"): table.revised_values,
            tr("quality.col.unit_slip"): table.unit_slip,
            tr("quality.col.outlier"): table.outlier,
            tr("quality.col.other_flags"): table.other_flags,
        }
    )


def on_screen(full: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """On screen the warnings in one column; the downloads keep them by kind."""
    kinds = [tr(f"quality.col.{k}") for k in WARNING_KINDS]
    return full.drop(columns=kinds).assign(
        **{tr("quality.col.flags"): table.unit_slip + table.outlier + table.other_flags}
    )


def lowest(table: pd.DataFrame, n: int = 3) -> list[str]:
    return table.sort_values("score", kind="stable").office.head(n).tolist()


def trend_chart(trend: pd.DataFrame, names: dict):
    return charts.quality_trend_chart(trend, names, lang())


def by_indicator(share: pd.DataFrame, table: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Each office's completeness per reported indicator, the offices as in the scorecard."""
    share = share[share.office.isin(table.office)]
    label = {i.code: i.name(lang()) for i in indicators.REPORTED}
    grid = share.pivot(index="office", columns="indicator", values="completeness")
    grid = grid.reindex(table.office)[list(indicators.REPORTED_CODES)]
    grid.index = grid.index.map(names)
    grid.index.name = tr("quality.col.office")
    return grid.rename(columns=label).map(pct)
