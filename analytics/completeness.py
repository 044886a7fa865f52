"""Who has reported: a county x quarter matrix of submitted / revised / missing, with city and
province counts and the list of counties missing for a quarter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data import settings
from data.reference import indicators as indicator_codes
from data.reference import periods
from data.store.observations import ReportingState
from geo.regions import load_registry, reporting_unit, unit_names

STATUSES = ("submitted", "revised", "missing")


@dataclass
class Completeness:
    matrix: pd.DataFrame  # index county code, columns quarters, values in STATUSES
    by_city: pd.DataFrame  # city code, name, reported, expected (for ``period``)
    missing: pd.DataFrame  # county code, name, city name (for ``period``)
    period: str | None
    indicators: tuple[str, ...] | None = None  # what counts as reported (None: any)
    by_indicator: pd.DataFrame | None = None  # indicator, name, reported, expected

    def as_dict(self) -> dict:
        by_indicator = self.by_indicator if self.by_indicator is not None else pd.DataFrame()
        return {
            "period": self.period,
            "indicators": list(self.indicators) if self.indicators else None,
            "reported": int(self.by_city.reported.sum()) if len(self.by_city) else 0,
            "expected": int(self.by_city.expected.sum()) if len(self.by_city) else 0,
            "by_city": self.by_city.to_dict("records"),
            "by_indicator": by_indicator.to_dict("records"),
            "missing": self.missing.to_dict("records"),
            "matrix": {code: row.to_dict() for code, row in self.matrix.iterrows()},
        }


def completeness(
    state: ReportingState,
    period: str | None = None,
    indicators: tuple[str, ...] | list[str] | None = None,
    registry: pd.DataFrame | None = None,
) -> Completeness:
    """Status of every county for every quarter from the first stored one to ``period``.

    A county counts as reported for a quarter when it has a current value of every one of
    ``indicators`` (None: of any indicator), so "settlement reported, population not yet" is
    the difference between ``indicators=GROUPS["settlement"]`` and ``GROUPS["stocks"]``.

    Parameters
    ----------
    state : ReportingState
        Who has reported what (``data.store.observations.reporting_state``, read at the edge).
    period : str or None
        The last quarter; None: the latest with any of the ``indicators``.
    indicators : tuple or list of str, or None
        What a complete return holds.
    registry : pandas.DataFrame or None
        The registry whose names are shown; None: the Chinese one.

    Returns
    -------
    Completeness
        The statuses, and ``by_indicator``: the counties with each reported indicator in
        ``period``.
    """
    wanted = tuple(indicators) if indicators else None
    current, revised, first, latest = state
    reg = load_registry() if registry is None else registry
    counties = reg[reg.level == "county"].set_index("code")
    cur = pd.DataFrame(current, columns=["region_code", "period", "indicator"])
    rev = pd.DataFrame(revised, columns=["region_code", "period", "indicator"])
    every = cur
    if wanted:
        cur, rev = cur[cur.indicator.isin(wanted)], rev[rev.indicator.isin(wanted)]
        latest = cur.period.max() if len(cur) else None
    period = periods.parse_period(period) if period else latest
    quarters = (
        periods.quarter_range(first, period)
        if first and period and first <= period
        else ([period] if period else [])
    )
    matrix = pd.DataFrame("missing", index=counties.index, columns=quarters)
    need = len(wanted) if wanted else 1
    held = cur.groupby(["region_code", "period"]).indicator.nunique()
    for (code, per), n in held.items():
        if n >= need and per in matrix.columns and code in matrix.index:
            matrix.at[code, per] = "submitted"
    for code, per in set(zip(rev.region_code, rev.period, strict=True)):
        if per in matrix.columns and code in matrix.index and matrix.at[code, per] == "submitted":
            matrix.at[code, per] = "revised"
    by_city, missing = _who_reported(matrix, counties, reg, period)
    now = every[(every.period == period) & every.region_code.isin(counties.index)]
    per_indicator = now.groupby("indicator").region_code.nunique()
    by_indicator = pd.DataFrame(
        {
            "indicator": list(indicator_codes.REPORTED_CODES),
            "name": [i.name_zh for i in indicator_codes.REPORTED],
            "reported": [int(per_indicator.get(c, 0)) for c in indicator_codes.REPORTED_CODES],
            "expected": len(counties),
        }
    )
    return Completeness(
        matrix,
        by_city.astype({"reported": int, "expected": int}),
        missing,
        period,
        wanted,
        by_indicator,
    )


def _who_reported(matrix, counties, reg, period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per city (and 杨凌示范区), how many of its counties have reported for ``period`` of how
    many; and the counties that have not (every county without a period)."""
    group = reporting_unit(reg)
    names = unit_names(reg)
    if period:
        done = matrix[period] != "missing"
        by_city = pd.DataFrame(
            {"reported": done.groupby(group).sum(), "expected": group.value_counts()}
        )
        by_city = by_city.rename_axis("city_code").reset_index()
        by_city.insert(1, "city_name", by_city.city_code.map(names))
        miss = counties[~done]
        missing = pd.DataFrame(
            {
                "county_code": miss.index,
                "county_name": miss.name.to_numpy(),
                "city_name": group[~done].map(names).to_numpy(),
            }
        )
    else:
        by_city = pd.DataFrame(columns=["city_code", "city_name", "reported", "expected"])
        missing = pd.DataFrame(
            {
                "county_code": counties.index,
                "county_name": counties.name.to_numpy(),
                "city_name": group.map(names).to_numpy(),
            }
        )
    return by_city, missing


def complete_through(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    indicators: tuple[str, ...] = indicator_codes.GROUPS["settlement"],
    share: float | None = None,
) -> dict:
    """The latest complete quarter and the newer ones still reporting.

    A quarter is complete when at least ``share`` of the province's counties hold a current
    value of every one of ``indicators`` for it.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.
    indicators : tuple of str
        What a complete return holds.
    share : float or None
        The share; None: the ``complete_share`` setting (default all).

    Returns
    -------
    dict
        ``complete`` (None when no quarter is) and ``reporting``: the quarters after it that
        have any value, each {period, reported, expected}.
    """
    share = float(settings.get("complete_share")) if share is None else share
    counties = registry.loc[registry.level == "county", "code"]
    expected = len(counties)
    part = obs[obs.indicator.isin(indicators) & obs.region_code.isin(counties)]
    held = part.groupby(["period", "region_code"]).indicator.nunique()
    reported = (held >= len(indicators)).groupby(level="period").sum()
    every = sorted(obs.period.unique())
    full = [q for q in every if reported.get(q, 0) >= share * expected]
    complete = full[-1] if full else None
    newer = [q for q in every if complete is None or q > complete]
    return {
        "complete": complete,
        "expected": expected,
        "reporting": [
            {"period": q, "reported": int(reported.get(q, 0)), "expected": expected} for q in newer
        ],
    }


SYMBOLS = {"submitted": "✓", "revised": "↻", "missing": "·"}


def symbol_matrix(comp: Completeness, registry: pd.DataFrame) -> pd.DataFrame:
    """The county x quarter matrix for display.

    Parameters
    ----------
    comp : Completeness
        The statuses (``completeness``).
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    pandas.DataFrame
        A symbol per status, counties as 'code name'.
    """
    names = registry.set_index("code").name
    matrix = comp.matrix.replace(SYMBOLS)
    matrix.index = [f"{c} {names[c]}" for c in matrix.index]
    return matrix


def next_period(latest: str | None, today: pd.Timestamp | None = None) -> str:
    """The quarter a statistician reports next.

    Parameters
    ----------
    latest : str or None
        The latest stored quarter.
    today : pandas.Timestamp or None
        Today; None: now.

    Returns
    -------
    str
        The one after ``latest``, never past the current quarter.
    """
    now = periods.current_quarter(today)
    return min(periods.shift(latest, 1), now) if latest else now
