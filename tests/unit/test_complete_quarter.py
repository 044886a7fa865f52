"""The latest complete quarter: what headline figures, maps, rankings and projections stand at,
so that one early return for a new quarter does not redraw the province."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from analytics.completeness import complete_through
from analytics.overview import freshness
from geo.regions import load_registry

REG = load_registry()
COUNTIES = sorted(REG[REG.level == "county"].code)
SETTLEMENT = ("settled_rural", "settled_other")


def obs_of(held: dict[str, list[str]], indicators=SETTLEMENT, demo=False) -> pd.DataFrame:
    """Current values: for each quarter, every indicator of the counties listed."""
    rows = [
        (code, ind, q, 1.0, demo)
        for q, codes in held.items()
        for code in codes
        for ind in indicators
    ]
    return pd.DataFrame(rows, columns=["region_code", "indicator", "period", "value", "is_demo"])


# a grid: how many quarters are complete, and how many counties the newest quarter holds
@pytest.mark.parametrize("full,newest", list(itertools.product([0, 1, 3], [0, 1, 4, 106, 107])))
def test_complete_through_grid(full, newest):
    quarters = ["2020Q2", "2020Q3", "2020Q4"][3 - full :] if full else []
    held = {q: COUNTIES for q in quarters}
    if newest:
        held["2021Q1"] = COUNTIES[:newest]
    state = complete_through(obs_of(held), REG, share=1.0)
    expect_complete = "2021Q1" if newest == 107 else (quarters[-1] if quarters else None)
    assert state["complete"] == expect_complete
    assert state["expected"] == 107
    if 0 < newest < 107:
        assert state["reporting"][-1] == {"period": "2021Q1", "reported": newest, "expected": 107}
    else:
        assert all(r["period"] != "2021Q1" for r in state["reporting"])


def test_a_county_counts_only_with_every_settlement_count():
    held = obs_of({"2020Q4": COUNTIES})
    only_rural = obs_of({"2021Q1": COUNTIES}, indicators=("settled_rural",))
    state = complete_through(pd.concat([held, only_rural]), REG, share=1.0)
    assert state["complete"] == "2020Q4"
    assert state["reporting"] == [{"period": "2021Q1", "reported": 0, "expected": 107}]


def test_the_threshold_is_a_share_of_the_counties(monkeypatch):
    held = {"2020Q4": COUNTIES, "2021Q1": COUNTIES[:100]}
    assert complete_through(obs_of(held), REG, share=0.9)["complete"] == "2021Q1"
    assert complete_through(obs_of(held), REG, share=0.95)["complete"] == "2020Q4"
    monkeypatch.setenv("URBDASH_COMPLETE_SHARE", "0.9")
    assert complete_through(obs_of(held), REG)["complete"] == "2021Q1"


def test_freshness_stands_at_the_complete_quarter_and_counts_values_up_to_it():
    held = {"2020Q3": COUNTIES, "2020Q4": COUNTIES, "2021Q1": COUNTIES[:4]}
    fresh = freshness(obs_of(held), REG)
    assert fresh["as_of"] == "2020Q4" and fresh["latest"] == "2021Q1"
    assert fresh["values"] == 2 * 107 * 2  # not the 2021Q1 values
    assert fresh["reporting"] == [{"period": "2021Q1", "reported": 4, "expected": 107}]


def test_a_province_that_has_just_started_stands_at_its_latest_quarter():
    fresh = freshness(obs_of({"2021Q1": COUNTIES[:4]}), REG)
    assert fresh["as_of"] == "2021Q1" and fresh["complete"] is None
    assert fresh["reporting"] == []
