"""A data-quality scorecard per reporting office: for each county, and for each city (the
reporting unit its counties' returns go through), over a window of quarters:

- timeliness: days from the quarter's end to the first submission of its values (a city: to
  the first submission of its last county), and the share of quarters on time (within the
  ``report_due_days`` setting; a quarter never submitted is not on time);
- completeness: the share of the reported indicators held for each quarter, by indicator too;
- revisions: the share of quarters in which a submitted value was later replaced by a
  revision (and how many values were);
- flags: the share of quarters with a warning confirmed on its values, and how many warnings
  (unit slips, outliers, others).

The grade's rule (``RULE``, shown on the page): score = 40 x on-time share + 30 x completeness
+ 15 x (1 - share of quarters revised) + 15 x (1 - share of quarters flagged); A from 90, B
from 75, C from 60, else D. A city's quarter is on time when every county's is, revised or
flagged when any county's is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import settings
from data.reference import indicators as indicator_codes
from data.reference import periods
from geo.regions import reporting_unit, unit_names

WINDOW = 4  # quarters the ranking covers, ending at the quarter asked for
WEIGHTS = {"on_time": 40.0, "completeness": 30.0, "unrevised": 15.0, "unflagged": 15.0}
GRADES = (("A", 90.0), ("B", 75.0), ("C", 60.0), ("D", -np.inf))
FLAG_RULES = ("unit_slip", "outlier")  # shown apart; every other confirmed warning is "other"
COLUMNS = ["office", "level", "city", "quarters", "on_time", "days", "completeness",
           "revised", "flagged", "revised_values", "unit_slip", "outlier", "other_flags",
           "values", "score", "grade", "rank"]  # fmt: skip


def quarter_end(period: str) -> pd.Timestamp:
    """The last day of a quarter.

    Parameters
    ----------
    period : str
        The quarter, "YYYYQn".

    Returns
    -------
    pandas.Timestamp
        Its last day, UTC midnight.
    """
    return pd.Period(period, freq="Q").end_time.normalize().tz_localize("UTC")


def county_quarters(
    history: pd.DataFrame,
    flags: pd.DataFrame,
    registry: pd.DataFrame,
    through: str,
    indicators: tuple[str, ...] = indicator_codes.REPORTED_CODES,
    due_days: int | None = None,
) -> pd.DataFrame:
    """One row per county and quarter from the first stored quarter to ``through``.

    Parameters
    ----------
    history : pandas.DataFrame
        ``data.store.observations.value_history``: one row per region and quarter, ``held``
        counting its indicators with a current value.
    flags : pandas.DataFrame
        ``data.store.audit.confirmed_flags``.
    registry : pandas.DataFrame
        The region registry.
    through : str
        The last quarter.
    indicators : tuple of str
        The indicators a complete return holds.
    due_days : int or None
        Days after a quarter's end a return is due; None: the setting.

    Returns
    -------
    pandas.DataFrame
        Per county and quarter: days to first submission (NaN: never), on time, indicators
        held, values stored, revised, flags by kind.
    """
    due = int(settings.get("report_due_days")) if due_days is None else due_days
    counties = registry.loc[registry.level == "county", "code"].tolist()
    part = history[history.region_code.isin(counties)]
    first = part.period.min() if len(part) else through
    quarters = periods.quarter_range(min(first, through), through)
    grid = pd.MultiIndex.from_product([counties, quarters], names=["region_code", "period"])
    cols = ["first_at", "held", "values", "revised", "is_demo"]
    out = part.set_index(["region_code", "period"])[cols].reindex(grid)
    out[["held", "values", "revised"]] = out[["held", "values", "revised"]].fillna(0)
    out["is_demo"] = out.is_demo.fillna(False).astype(bool)
    ends = {q: quarter_end(q) for q in quarters}
    end = pd.DatetimeIndex([ends[q] for q in out.index.get_level_values("period")])
    first_at = pd.DatetimeIndex(pd.to_datetime(out.first_at, utc=True)).normalize()
    out["days"] = np.maximum((first_at - end).days.to_numpy(dtype=float), 0)
    out["on_time"] = out.days.le(due)
    out["completeness"] = np.minimum(out.held / len(indicators), 1.0)
    kinds = flags.assign(kind=flags.rule.where(flags.rule.isin(FLAG_RULES), "other_flags"))
    counts = (
        kinds[kinds.period.isin(quarters)]
        .pivot_table(index=["region_code", "period"], columns="kind", values="n", aggfunc="sum")
        .reindex(columns=[*FLAG_RULES, "other_flags"])
    )
    out = out.join(counts).fillna({k: 0 for k in (*FLAG_RULES, "other_flags")})
    out["flags"] = out[[*FLAG_RULES, "other_flags"]].sum(axis=1)
    return out.reset_index()


def _city_quarters(rows: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Per reporting unit and quarter: the days to its last county's first submission (NaN
    while any county has not come), on time only when every county is, the mean
    completeness, the sums of values, revisions and flags."""
    unit = reporting_unit(registry)
    rows = rows.assign(region_code=rows.region_code.map(unit))
    g = rows.groupby(["region_code", "period"])
    days = g.days.max().where(~g.days.apply(lambda d: d.isna().any()))
    return pd.DataFrame(
        {
            "days": days,
            "on_time": g.on_time.all(),
            "completeness": g.completeness.mean(),
            "values": g["values"].sum(),
            "revised": g.revised.sum(),
            **{k: g[k].sum() for k in (*FLAG_RULES, "other_flags", "flags")},
            "is_demo": g.is_demo.any(),
        }
    ).reset_index()


def score(on_time, completeness, revised, flagged) -> np.ndarray:
    """The grade's score from the shares (``WEIGHTS``).

    Parameters
    ----------
    on_time, completeness, revised, flagged : array-like of float
        The shares, each between 0 and 1.

    Returns
    -------
    numpy.ndarray
        Scores between 0 and 100.
    """
    w = WEIGHTS
    return (
        w["on_time"] * np.asarray(on_time, dtype=float)
        + w["completeness"] * np.asarray(completeness, dtype=float)
        + w["unrevised"] * (1 - np.asarray(revised, dtype=float))
        + w["unflagged"] * (1 - np.clip(np.asarray(flagged, dtype=float), 0, 1))
    )


def grade(value: float) -> str:
    """The grade of a score (``GRADES``).

    Parameters
    ----------
    value : float
        A score, 0-100.

    Returns
    -------
    str
        The letter of the highest grade whose floor it reaches.
    """
    return next(g for g, low in GRADES if value >= low)


def _summarise(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.assign(any_revised=rows.revised > 0, any_flag=rows["flags"] > 0)
    g = rows.groupby("region_code")
    frame = pd.DataFrame(
        {
            "quarters": g.period.nunique(),
            "on_time": g.on_time.mean(),
            "days": g.days.median(),
            "completeness": g.completeness.mean(),
            "revised": g.any_revised.mean(),
            "flagged": g.any_flag.mean(),
            "revised_values": g.revised.sum().astype(int),
            **{k: g[k].sum().astype(int) for k in (*FLAG_RULES, "other_flags")},
            "values": g["values"].sum().astype(int),
        }
    )
    frame["score"] = score(frame.on_time, frame.completeness, frame.revised, frame.flagged)
    frame["grade"] = frame.score.map(grade)
    return frame


def scorecard(
    history: pd.DataFrame,
    flags: pd.DataFrame,
    registry: pd.DataFrame,
    period: str | None = None,
    level: str = "county",
    window: int = WINDOW,
    due_days: int | None = None,
) -> pd.DataFrame:
    """The ranked scorecard of the offices of one level, best first.

    Parameters
    ----------
    history : pandas.DataFrame
        ``data.store.observations.value_history``.
    flags : pandas.DataFrame
        ``data.store.audit.confirmed_flags``.
    registry : pandas.DataFrame
        The region registry, in the language of the names wanted.
    period : str or None
        The last quarter of the window; None: the latest stored quarter.
    level : str
        "county" or "city".
    window : int
        Quarters scored.
    due_days : int or None
        Days after a quarter's end a return is due; None: the setting.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``: ``office`` is the region code, ``city`` its reporting unit, ``name`` and
        ``city_name`` their names.
    """
    if level not in ("county", "city"):
        raise ValueError(f"unknown level {level!r}: county or city")
    through = periods.parse_period(period) if period else _latest(history)
    if through is None:
        return pd.DataFrame(columns=[*COLUMNS, "name", "city_name"])
    rows = county_quarters(history, flags, registry, through, due_days=due_days)
    if level == "city":
        rows = _city_quarters(rows, registry)
    quarters = periods.quarter_range(periods.shift(through, 1 - window), through)
    table = _summarise(rows[rows.period.isin(quarters)])
    unit = reporting_unit(registry)
    table.insert(0, "level", level)
    table.insert(1, "city", table.index.map(lambda c: unit.get(c, c)))
    names = unit_names(registry)
    table["name"] = table.index.map(names)
    table["city_name"] = table.city.map(names)
    table = table.rename_axis("office").reset_index()
    table = table.sort_values(["score", "office"], ascending=[False, True], kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table.attrs = {"through": through, "quarters": quarters, "demo": bool(rows.is_demo.any())}
    return table[[*COLUMNS, "name", "city_name"]].reset_index(drop=True)


def trend(
    history: pd.DataFrame,
    flags: pd.DataFrame,
    registry: pd.DataFrame,
    offices: list[str],
    period: str | None = None,
    level: str = "county",
    due_days: int | None = None,
) -> pd.DataFrame:
    """Offices' scores per quarter.

    Parameters
    ----------
    history : pandas.DataFrame
        ``data.store.observations.value_history``.
    flags : pandas.DataFrame
        ``data.store.audit.confirmed_flags``.
    registry : pandas.DataFrame
        The region registry.
    offices : list of str
        The offices' codes.
    period : str or None
        The last quarter; None: the latest stored.
    level : str
        "county" or "city".
    due_days : int or None
        Days after a quarter's end a return is due; None: the setting.

    Returns
    -------
    pandas.DataFrame
        office, period, score; the offices in the order asked.
    """
    through = periods.parse_period(period) if period else _latest(history)
    if through is None:
        return pd.DataFrame(columns=["office", "period", "score"])
    rows = county_quarters(history, flags, registry, through, due_days=due_days)
    if level == "city":
        rows = _city_quarters(rows, registry)
    order = {o: i for i, o in enumerate(offices)}
    rows = rows[rows.region_code.isin(offices)]
    rows = rows.sort_values(["region_code", "period"], key=lambda s: s.map(order).fillna(s)
                            if s.name == "region_code" else s, kind="stable")  # fmt: skip
    return pd.DataFrame(
        {
            "office": rows.region_code,
            "period": rows.period,
            "score": score(rows.on_time, rows.completeness, rows.revised > 0, rows["flags"] > 0),
        }
    ).reset_index(drop=True)


def by_indicator(
    current: pd.DataFrame, registry: pd.DataFrame, quarters: list[str]
) -> pd.DataFrame:
    """Completeness by indicator: per county office and indicator, the share of quarters held.

    Parameters
    ----------
    current : pandas.DataFrame
        The (region_code, period, indicator) triples with a current value
        (``data.store.observations.reporting_state``).
    registry : pandas.DataFrame
        The region registry.
    quarters : list of str
        The quarters counted.

    Returns
    -------
    pandas.DataFrame
        office, indicator, completeness.
    """
    counties = registry.loc[registry.level == "county", "code"]
    held = current[current.period.isin(quarters)]
    count = held.groupby(["region_code", "indicator"]).period.nunique()
    grid = pd.MultiIndex.from_product(
        [counties, indicator_codes.REPORTED_CODES], names=["office", "indicator"]
    )
    share = count.rename_axis(["office", "indicator"]).reindex(grid, fill_value=0) / len(quarters)
    return share.rename("completeness").reset_index()


def _latest(history: pd.DataFrame) -> str | None:
    return str(history.period.max()) if len(history) else None


RULE = (
    "score = 40 x on-time share + 30 x completeness + 15 x (1 - share of quarters revised) "
    "+ 15 x (1 - share of quarters flagged); A from 90, B from 75, C from 60, else D"
)
