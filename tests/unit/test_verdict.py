"""A target whose date has passed is judged, never forecast: met or missed on the value at its
date, the gap, and when (or whether) it was reached later — one rule for every screen."""

import pytest

from analytics.overview import verdict_text
from analytics.targets import verdict


def record(**kw) -> dict:
    base = {
        "indicator": "urbanization_rate",
        "unit": "%",
        "target_value": 62.0,
        "target_period": "2020Q4",
        "as_of": "2021Q4",
        "current_value": 61.28,
        "current_period": "2020",
        "reached_observed": "2022",
    }
    return base | kw


def test_an_open_target_has_no_verdict():
    assert verdict(record(as_of="2020Q3", current_period="2019")) == {
        "closed": False,
        "verdict": None,
        "gap": None,
        "reached_later": None,
    }


def test_a_missed_target_says_the_gap_and_when_it_was_reached_later():
    v = verdict(record())
    assert v["closed"] and v["verdict"] == "missed" and v["reached_later"] == "2022"
    assert v["gap"] == pytest.approx(0.72)
    word, parts = verdict_text(record() | v, "zh")
    assert (word, parts) == ("missed", ["2020终值 61.28%", "差 0.72 个百分点", "2022达到"])
    word, parts = verdict_text(record() | v, "en")
    assert parts == ["final value (2020) 61.28%", "short by 0.72 percentage points",
                     "reached in 2022"]  # fmt: skip


def test_a_missed_target_never_reached_since():
    r = record(reached_observed=None)
    v = verdict(r)
    assert v["verdict"] == "missed" and v["reached_later"] is None
    assert verdict_text(r | v, "zh")[1][-1] == "至今未达到"


def test_a_met_target_and_a_settlement_target_in_persons():
    r = record(
        indicator="settled_cumulative",
        unit="人",
        target_value=6_000_000,
        target_period="2015Q4",
        as_of="2016Q2",
        current_value=6_120_000,
        current_period="2015Q4",
        reached_observed="2015Q3",
    )
    v = verdict(r)
    assert v == {"closed": True, "verdict": "met", "gap": 0.0, "reached_later": None}
    assert verdict_text(r | v, "zh") == ("met", ["2015Q4终值 612万"])


def test_a_target_due_before_its_final_figure_is_published_is_pending():
    # the 2020 rate is published after the year ends: at 2020Q4 only 2019 is known
    r = record(as_of="2020Q4", current_period="2019")
    assert verdict(r)["verdict"] == "pending"
    assert verdict_text(r | verdict(r), "en") == ("pending", [])
