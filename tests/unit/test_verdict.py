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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_target_judged_on_another_census_basis_says_so_with_its_own_basis_value(lang):
    """The 2020 target of 62%, set on the 2010-census basis, judged on the census-basis 62.66:
    the line says which basis judges it and gives the old basis's trend at 2020 (published
    years of that basis only); a target set and judged on one basis says nothing of it."""
    import pandas as pd

    from analytics.targets import _rate
    from analytics.urbanization_forecast import fit_logit_linear, province_rates
    from data.reference.official import BASIS_LABEL, load_official_series

    official = load_official_series()
    target = pd.Series({"indicator": "urbanization_rate", "value": 62.0, "unit": "%",
                        "period": "2020Q4", "baseline_period": "2014Q1", "source": "规划"})  # fmt: skip
    detail = _rate(target, official, "2026Q1")
    detail.pop("progress")
    record = {**detail, "as_of": "2026Q1", "target_period": "2020Q4", "target_value": 62.0}
    record |= {"unit": "%"} | verdict(record)
    old = province_rates(official, "2026Q1")
    trend = fit_logit_linear(old[old.basis == "census2010"], "census2010").predict([2020])
    assert (record["target_basis"], record["basis"]) == ("census2010", "census2020")
    assert record["on_target_basis"]["value"] == pytest.approx(float(trend.value.iloc[0]))
    kind, parts = verdict_text(record, lang)
    assert kind == "met"
    old_label, new_label = BASIS_LABEL["census2010"][lang], BASIS_LABEL["census2020"][lang]
    assert old_label in parts[1] and new_label in parts[1]
    value = f"{float(trend.value.iloc[0]):.2f}%"
    assert value in parts[1] and value == "61.21%"  # the old-basis trend at 2020
    # the 2015 target of 55%, set and judged on the 2010-census basis: nothing about bases
    same = _rate(target.copy().replace({"2020Q4": "2015Q4", 62.0: 55.0}), official, "2026Q1")
    assert same["on_target_basis"] is None
