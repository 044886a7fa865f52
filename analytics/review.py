"""Where each office's quarter stands in the review cycle (``data.store.approvals``), counts
per city, and the release calendar.

A county's (or 杨凌示范区's) quarter is, in order:
- ``not_submitted``: no current value;
- ``submitted``: values, no review yet (or sent again after being returned);
- ``returned``: its city returned it with a comment;
- ``approved_city``: its city approved it (杨凌示范区: the province, for its own unit);
- ``approved_province``: the province's quarter is approved, not released;
- ``scheduled``: approved, released from a later day;
- ``released``: released (leaders see it by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data.store.approvals import ReviewRecords
from geo.regions import PROVINCE_CODE, reporting_unit, unit_names

STATES = (
    "not_submitted",
    "submitted",
    "returned",
    "approved_city",
    "approved_province",
    "scheduled",
    "released",
)


@dataclass
class Review:
    period: str | None
    offices: pd.DataFrame  # county_code, county_name, unit_code, unit_name, state, by, at, comment
    by_unit: pd.DataFrame  # unit_code, unit_name, one column per state, expected, unit_state
    province: dict  # state of the province's quarter: approved, release_on, by

    def as_dict(self) -> dict:
        offices = self.offices.assign(at=self.offices["at"].astype(str).replace("NaT", None))
        return {
            "period": self.period,
            "province": self.province,
            "counts": {s: int((self.offices.state == s).sum()) for s in STATES},
            "by_unit": self.by_unit.to_dict("records"),
            "offices": offices.to_dict("records"),
        }


def office_states(
    approvals: pd.DataFrame, held: set[tuple[str, str]], counties: pd.Series, unit: pd.Series,
    period: str, today: date,
) -> pd.Series:  # fmt: skip
    """The review state of each county for a quarter.

    Parameters
    ----------
    approvals : pandas.DataFrame
        The store's approval rows.
    held : set of tuple
        The (county, period) pairs with a current value.
    counties : pandas.Series
        The county codes.
    unit : pandas.Series
        County -> its reporting unit.
    period : str
        The quarter.
    today : datetime.date
        Today (a scheduled release is released once its day has come).

    Returns
    -------
    pandas.Series
        A state of ``STATES`` per county code.
    """
    rows = approvals[approvals.period == period]
    key = {(r.region_code, r.level): r for r in rows.itertuples()}
    top = key.get((PROVINCE_CODE, "province"))
    out = {}
    for code in counties:
        own = key.get((code, "county"))
        above = key.get((unit.get(code), "unit"))
        if top is not None and top.state == "approved":
            if top.release_on is not None and not pd.isna(top.release_on):
                state = "released" if top.release_on <= today else "scheduled"
            else:
                state = "approved_province"
        elif own is not None and own.state == "returned":
            state = "returned"
        elif (own is not None and own.state == "approved") or (
            above is not None and above.state == "approved"
        ):
            state = "approved_city"
        else:
            state = "submitted" if (code, period) in held else "not_submitted"
        out[code] = state
    return pd.Series(out, dtype=object)


def review(records: ReviewRecords, registry: pd.DataFrame, today: date | None = None) -> Review:
    """Every office's review state for a quarter.

    Parameters
    ----------
    records : ReviewRecords
        The quarter's reporting state, approvals and steps (``data.store.approvals.read_review``,
        read at the edge).
    registry : pandas.DataFrame
        The region registry.
    today : datetime.date or None
        Today; None: now.

    Returns
    -------
    Review
        Each office's state with who made the last step and its comment, counts per city (and
        杨凌示范区), and the province's quarter.
    """
    today = today or date.today()
    period, approvals = records.period, records.approvals
    counties = registry[registry.level == "county"].set_index("code")
    unit = reporting_unit(registry)
    names = unit_names(registry)
    cols = ["county_code", "county_name", "unit_code", "unit_name", "state", "by", "at", "comment"]
    if period is None:
        return Review(None, pd.DataFrame(columns=cols), pd.DataFrame(), {})
    held = {(c, p) for c, p, _ in records.state.current if p == period}
    states = office_states(approvals, held, counties.index, unit, period, today)
    last = _last_step(records.events)
    offices = pd.DataFrame(
        {
            "county_code": counties.index,
            "county_name": [names[c] for c in counties.index],
            "unit_code": unit.reindex(counties.index).to_numpy(),
            "unit_name": [names[u] for u in unit.reindex(counties.index)],
            "state": states.reindex(counties.index).to_numpy(),
        }
    )
    offices = offices.merge(last, on="county_code", how="left")
    by_unit = (
        offices.pivot_table(
            index=["unit_code", "unit_name"],
            columns="state",
            values="county_code",
            aggfunc="count",
            fill_value=0,
        )  # fmt: skip
        .reindex(columns=list(STATES), fill_value=0)
        .reset_index()
    )
    by_unit.columns.name = None
    by_unit["expected"] = by_unit[list(STATES)].sum(axis=1)
    unit_rows = approvals[approvals.level == "unit"].set_index("region_code")
    by_unit["unit_approved"] = by_unit.unit_code.map(
        lambda u: u in unit_rows.index and unit_rows.at[u, "state"] == "approved"
    )
    by_unit = by_unit.sort_values("unit_code").reset_index(drop=True)
    top = approvals[(approvals.level == "province") & (approvals.region_code == PROVINCE_CODE)]
    province = {"approved": False, "release_on": None, "by": None}
    if len(top):
        row = top.iloc[0]
        on = row.release_on if row.release_on is not None and not pd.isna(row.release_on) else None
        province = {
            "approved": row.state == "approved",
            "release_on": on.isoformat() if on else None,
            "released": bool(on and on <= today),
            "by": row.by_user,
        }
    return Review(period, offices, by_unit, province)


def _last_step(events: pd.DataFrame) -> pd.DataFrame:
    """Per county: who made the last step on its quarter, when, and its comment."""
    events = events[events.level == "county"]
    last = events.groupby("region_code").tail(1)
    return pd.DataFrame(
        {
            "county_code": last.region_code.to_numpy(),
            "by": last.user.to_numpy(),
            "at": pd.to_datetime(last["at"], utc=True).to_numpy(),
            "comment": last.comment.to_numpy(),
        }
    )


def release_calendar(approvals: pd.DataFrame, today: date | None = None) -> pd.DataFrame:
    """The province's releases.

    Parameters
    ----------
    approvals : pandas.DataFrame
        Every approval row (``data.store.approvals.read_approvals``).
    today : datetime.date or None
        Today; None: now.

    Returns
    -------
    pandas.DataFrame
        Per quarter with any province-level step: its state (released / scheduled / approved)
        and release day, newest first.
    """
    today = today or date.today()
    rows = approvals[(approvals.level == "province") & (approvals.state == "approved")]
    out = []
    for r in rows.itertuples():
        on = r.release_on if r.release_on is not None and not pd.isna(r.release_on) else None
        state = "released" if on and on <= today else "scheduled" if on else "approved_province"
        out.append({"period": r.period, "state": state, "release_on": on})
    frame = pd.DataFrame(out, columns=["period", "state", "release_on"])
    return frame.sort_values("period", ascending=False).reset_index(drop=True)
