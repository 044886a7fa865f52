import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.progress import classify_ratio
from analytics.settlement_forecast import forecast_settlements
from analytics.targets import project_targets
from cli.main import main
from data.reference import periods
from data.store.snapshot import read_snapshot
from tests.fixtures.actors import admin

QUARTERS = periods.quarter_range("2014Q1", "2017Q4")
SEASON = np.tile([0.85, 1.0, 1.2, 0.95], 4)
FLOWS = pd.Series(250_000 * SEASON * np.linspace(1, 1.3, 16), index=QUARTERS)


def test_simulation_reproducible_with_seed():
    a = forecast_settlements(FLOWS, "2014Q1", "2020Q4", n_paths=2000, seed=7)
    b = forecast_settlements(FLOWS, "2014Q1", "2020Q4", n_paths=2000, seed=7)
    c = forecast_settlements(FLOWS, "2014Q1", "2020Q4", n_paths=2000, seed=8)
    assert np.array_equal(a.paths, b.paths) and not np.array_equal(a.paths, c.paths)
    fan = a.fan()
    assert (fan.lower <= fan.value).all() and (fan.value <= fan.upper).all()
    assert a.paths.shape == (2000, 12) and (np.diff(a.paths, axis=1) >= 0).all()


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=0.0, max_value=3.0), st.floats(min_value=0.0, max_value=3.0))
def test_higher_multiplier_never_lowers_probability(m1, m2):
    lo, hi = sorted((m1, m2))
    kw = {"n_paths": 500, "seed": 3}
    p_lo = forecast_settlements(FLOWS, "2014Q1", "2020Q4", multiplier=lo, **kw).probability(
        1e7, "2020Q4"
    )
    p_hi = forecast_settlements(FLOWS, "2014Q1", "2020Q4", multiplier=hi, **kw).probability(
        1e7, "2020Q4"
    )
    assert p_hi >= p_lo


def test_zero_future_flows_leave_the_total_where_it_is():
    f = forecast_settlements(FLOWS, "2014Q1", "2020Q4", n_paths=300, multiplier=0.0)
    assert np.allclose(f.paths, FLOWS.sum())
    assert f.probability(FLOWS.sum(), "2020Q4") == 1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"multiplier": -0.5}, "the multiplier cannot be negative: -0.5"),
    ],
)
def test_bad_forecast_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        forecast_settlements(FLOWS, "2014Q1", "2020Q4", **kwargs)
    with pytest.raises(ValueError, match="too little history: 4 quarters, need 8"):
        forecast_settlements(FLOWS.head(4), "2014Q1", "2020Q4")
    with pytest.raises(ValueError, match="the quarterly series has gaps: 2015Q2"):
        forecast_settlements(FLOWS.drop("2015Q2"), "2014Q1", "2020Q4")


def test_project_targets_on_demo(demo_store):
    records = project_targets(read_snapshot(demo_store["engine"]), as_of="2017Q4")
    by = {(r["indicator"], r["target_period"]): r for r in records}
    assert set(by) == {
        ("settled_cumulative", "2015Q4"),
        ("settled_cumulative", "2020Q4"),
        ("urbanization_rate", "2015Q4"),
        ("urbanization_rate", "2020Q4"),
    }
    rate15 = by[("urbanization_rate", "2015Q4")]
    assert (rate15["current_value"], rate15["probability"], rate15["reach_period"]) == (
        53.92,
        0.0,
        "2016",
    )
    rate20 = by[("urbanization_rate", "2020Q4")]
    assert rate20["basis"] == "census2010" and 0 < rate20["probability"] < 1
    assert rate20["path"][0]["lower"] < rate20["path"][0]["value"] < rate20["path"][0]["upper"]
    settled = by[("settled_cumulative", "2020Q4")]
    assert settled["demo"] is True and settled["current_period"] == "2017Q4"
    # the years public by the end of 2017: not 2017 itself (its bulletin: 2018) nor the 2010
    # rate (derived from a report of 2018-07-04)
    assert [f["period"] for f in rate20["fitted"]] == ["2011", "2012", "2013", "2015", "2016"]
    assert (
        settled["fitted"][0]["period"] == "2014Q1" and settled["fitted"][-1]["period"] == "2017Q4"
    )
    dist = settled["reach_distribution"]
    assert dist and abs(sum(dist.values()) - 1) < 1e-3 and all(v > 0 for v in dist.values())
    # the status is the Open SDG class of the ratio it reports, made no better than its odds
    # (one rule: analytics.progress.status_with_odds)
    from analytics.progress import status_with_odds

    assert settled["status"] == status_with_odds(settled["ratio"], settled["probability"])
    if settled["probability"] >= 0.5:
        assert settled["status"] == classify_ratio(settled["ratio"])


def test_project_cli(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    runner = CliRunner()
    out = runner.invoke(main, ["project", "--json", "--as-of", "2018Q4"])
    assert out.exit_code == 0, out.output
    first = json.loads(out.output)[0]
    assert {
        "indicator",
        "target_value",
        "target_period",
        "current_value",
        "current_period",
        "path",
        "probability",
        "status",
        "method",
    } <= set(first)
    early = runner.invoke(main, ["project", "--as-of", "2014Q3"])
    assert early.exit_code == 1 and "too little history: 3 quarters, need 8" in early.stderr
    nowhere = runner.invoke(main, ["project", "--region", "611000"])
    assert nowhere.exit_code == 1 and "no targets for region 611000" in nowhere.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--value", "1000", "--period", "2013Q4", "--baseline", "2014Q1"],
            "target period 2013Q4 is not after its baseline 2014Q1",
        ),
        (
            ["--value", "1000", "--period", "2020Q4", "--region", "火星市"],
            "unknown region '火星市'",
        ),
        (
            ["--value", "-5", "--period", "2020Q4"],
            "a settlement target is between 1 person and the province's resident population "
            "(39,530,000 persons), not -5",
        ),
        (
            ["--value", "inf", "--period", "2020Q4"],
            "a target value must be a finite number, not inf",
        ),
        (
            ["--value", "nan", "--period", "2020Q4"],
            "a target value must be a finite number, not nan",
        ),
        (
            ["--value", "1e-300", "--period", "2020Q4"],
            "a settlement target is between 1 person and the province's resident population "
            "(39,530,000 persons), not 1e-300",
        ),
        (
            ["--value", "4e7", "--period", "2020Q4"],
            "a settlement target is between 1 person and the province's resident population "
            "(39,530,000 persons), not 4e+07",
        ),
        (
            ["--value", "101", "--period", "2020Q4", "--indicator", "urbanization_rate"],
            "an urbanization rate target is above 0 and at most 100 (%), not 101",
        ),
        (
            ["--value", "-inf", "--period", "2020Q4", "--indicator", "urbanization_rate"],
            "a target value must be a finite number, not -inf",
        ),
        (["--value", "1000", "--period", "2020"], "a target period is a quarter, not '2020'"),
    ],
)
def test_target_set_bad_input(admin_cli, args, message):
    runner = admin_cli
    before = runner.invoke(main, ["targets", "--json"]).output
    out = runner.invoke(
        main,
        [
            "target-set",
            "--indicator",
            "settled_cumulative",
            "--source",
            "x",
            "--user",
            "root",
            *args,
        ],
    )
    assert out.exit_code == 1 and message in out.stderr
    assert runner.invoke(main, ["targets", "--json"]).output == before  # nothing written


def test_city_allocation_is_projected(demo_copy, monkeypatch):
    from analytics.targets import set_target

    set_target(
        demo_copy["engine"],
        "settled_cumulative",
        "西安市",
        2_500_000,
        "2020Q4",
        "2014Q1",
        "演示分配",
        admin(),
    )
    records = project_targets(read_snapshot(demo_copy["engine"]), as_of="2018Q4", region="610100")
    assert [(r["indicator"], r["target_value"], r["current_period"]) for r in records] == [
        ("settled_cumulative", 2_500_000.0, "2018Q4")
    ]
    assert 0 <= records[0]["probability"] <= 1
