"""Who has reported: a county x quarter matrix of submitted / revised / missing, with city and
province counts and the list of counties missing for a quarter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data import store
from data.reference import periods
from data.store import Engine
from data.store.observations import reporting_state
from geo.regions import load_registry, reporting_unit

STATUSES = ("submitted", "revised", "missing")


@dataclass
class Completeness:
    matrix: pd.DataFrame  # index county code, columns quarters, values in STATUSES
    by_city: pd.DataFrame  # city code, name, reported, expected (for ``period``)
    missing: pd.DataFrame  # county code, name, city name (for ``period``)
    period: str | None

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "reported": int(self.by_city.reported.sum()) if len(self.by_city) else 0,
            "expected": int(self.by_city.expected.sum()) if len(self.by_city) else 0,
            "by_city": self.by_city.to_dict("records"),
            "missing": self.missing.to_dict("records"),
            "matrix": {code: row.to_dict() for code, row in self.matrix.iterrows()},
        }


def completeness(engine: Engine | None = None, period: str | None = None) -> Completeness:
    """Status of every county for every quarter from the first stored one to ``period``
    (default: the latest quarter with any return)."""
    current, revised, first, latest = reporting_state(engine or store.get_engine())
    reg = load_registry()
    counties = reg[reg.level == "county"].set_index("code")
    period = periods.parse_period(period) if period else latest
    quarters = (
        periods.quarter_range(first, period)
        if first and period and first <= period
        else ([period] if period else [])
    )
    matrix = pd.DataFrame("missing", index=counties.index, columns=quarters)
    for code, per in current:
        if per in matrix.columns and code in matrix.index:
            matrix.at[code, per] = "submitted"
    for code, per in revised:
        if per in matrix.columns and code in matrix.index and matrix.at[code, per] == "submitted":
            matrix.at[code, per] = "revised"
    group = reporting_unit(reg)
    names = reg.set_index("code").name.to_dict()
    names.update({c: s for c, s in zip(reg.code, reg.stat_name, strict=True) if isinstance(s, str)})
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
    return Completeness(matrix, by_city.astype({"reported": int, "expected": int}), missing, period)


SYMBOLS = {"submitted": "✓", "revised": "↻", "missing": "·"}


def symbol_matrix(comp: Completeness, registry: pd.DataFrame) -> pd.DataFrame:
    """The county x quarter matrix for display: a symbol per status, counties as 'code name'."""
    names = registry.set_index("code").name
    matrix = comp.matrix.replace(SYMBOLS)
    matrix.index = [f"{c} {names[c]}" for c in matrix.index]
    return matrix


def next_period(latest: str | None, today: pd.Timestamp | None = None) -> str:
    """The quarter a statistician reports next: the one after the latest stored, never past
    the current quarter."""
    now = periods.current_quarter(today)
    return min(periods.shift(latest, 1), now) if latest else now
