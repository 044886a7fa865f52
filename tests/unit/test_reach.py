"""When the province reaches a share: fitted on one census basis, with an interval, and never
on the old basis's years; the national reference is a reference, not a target."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.render.charts import reach_chart
from analytics.urbanization_forecast import when_reached
from data.reference.official import headline, load_official_series, province_series
from data.reference.targets import NATIONAL_REFERENCES
from data.store.snapshot import read_snapshot

SERIES = province_series("urbanization_rate", headline(load_official_series()))


def test_seventy_percent_on_the_census_basis_with_an_interval():
    r = when_reached(SERIES, 70.0)
    assert r["basis"] == "census2020" and r["fitted_years"] == (2020, 2025) and r["points"] == 6
    assert r["observed"] is None
    assert r["earliest"] <= r["year"] <= r["latest"]
    assert 2026 <= r["year"] <= 2035  # 67.17% in 2025, rising about a point a year
    # the central year is where the fitted path first reaches 70%
    path = r["path"].set_index("year").value
    assert path[r["year"]] >= 70.0 > path[r["year"] - 1]


def test_a_share_already_published_is_observed_not_forecast():
    r = when_reached(SERIES, 65.0)
    assert r["observed"] == 2023


def test_the_old_basis_is_never_mixed_in():
    old_only = SERIES[SERIES.basis == "census2010"]
    shifted = pd.concat(
        [old_only.assign(value=old_only.value + 30), SERIES[SERIES.basis == "census2020"]]
    )
    assert when_reached(shifted, 70.0)["year"] == when_reached(SERIES, 70.0)["year"]


def test_not_reached_by_the_horizon():
    flat = pd.DataFrame(
        {
            "year": range(2020, 2026),
            "value": [60.0, 60.1, 60.0, 60.1, 60.0, 60.1],
            "basis": "census2020",
        }
    )
    r = when_reached(flat, 90.0, horizon=2040)
    assert r["year"] is None and r["latest"] is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reach_chart_draws_both_bases_the_band_and_the_reference(lang):
    ref = NATIONAL_REFERENCES[0]
    fig = reach_chart(SERIES, when_reached(SERIES, ref["value"]), ref, lang)
    names = [tr.name for tr in fig.data if tr.name]
    assert len([n for n in names if "2010" in n or "2020" in n]) >= 2
    assert any("95%" in n for n in names)
    text = " ".join(a.text for a in fig.layout.annotations)
    assert (
        "国家参考：2029年接近70%" if lang == "zh" else "National reference: close to 70% by 2029"
    ) in text


@pytest.mark.parametrize("lang,label", [("zh", "六普口径"), ("en", "2010-census basis")])
def test_a_projection_names_the_basis_it_was_fitted_on(demo_store, lang, label):
    from analytics.render.charts import fan_chart
    from analytics.targets import project_targets, target_history

    record = next(
        r
        for r in project_targets(read_snapshot(demo_store["engine"]), as_of="2018Q4")
        if r["indicator"] == "urbanization_rate" and r["target_period"] == "2020Q4"
    )
    history = target_history(
        "urbanization_rate",
        "2018Q4",
        None,
        headline(load_official_series()),
        None,
    )
    names = [tr.name or "" for tr in fan_chart(history, record, lang).data]
    projected = [n for n in names if label in n]
    assert len(projected) >= 2, names  # the history on that basis and the projection from it
