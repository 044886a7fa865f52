"""Forecast skill (analytics.skill): hand-computed scores, the simple methods on series whose
answer is known, the rule that picks a method, reproducibility, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import skill
from cli.main import main
from data.reference import periods


def test_scores_by_hand():
    # errors 1 and 0; the in-sample seasonal differences are all 4
    assert skill.mase([10, 12], [11, 12], [1, 2, 3, 4, 5, 6, 7, 8]) == pytest.approx(0.125)
    # inside: the width; outside by 1 at 95%: the width plus 2/0.05 * 1
    assert skill.interval_score([5], [4], [6], 0.05) == pytest.approx(2)
    assert skill.interval_score([7, 3], [4, 4], [6, 6], 0.05) == pytest.approx(42)
    assert skill.coverage([5, 7, 3, 4], [4] * 4, [6] * 4) == pytest.approx(0.5)
    assert skill.brier([1, 0, 0.5], [1, 1, 0]) == pytest.approx((0 + 1 + 0.25) / 3)


def _series(values) -> pd.Series:
    index = periods.quarter_range("2014Q1", periods.shift("2014Q1", len(values) - 1))
    return pd.Series(np.asarray(values, dtype=float), index=index)


def test_a_straight_line_drift_is_exact_and_seasonal_naive_scores_one():
    """On y = 100 + t the drift method is exact; the seasonal naive misses by one year's rise,
    which is exactly the in-sample seasonal difference: MASE 1 for every horizon up to 4."""
    frame = skill.forecasts(_series(100 + np.arange(20)), methods=("snaive", "drift"))
    table = skill.scores(frame).set_index(["method", "h"])
    for h in range(1, 5):
        assert table.at[("drift", h), "mase"] == pytest.approx(0, abs=1e-9)
        assert table.at[("snaive", h), "mase"] == pytest.approx(1)
        assert table.at[("drift", h), "skill"] == pytest.approx(1)
    assert table.at[("snaive", 5), "mase"] == pytest.approx(2)  # two years' rise


def test_seasonal_naive_interval_on_known_noise():
    """Seasonal series plus normal noise: the seasonal naive's 95% interval (from the in-sample
    seasonal differences) holds about 95% of one-year-ahead outcomes."""
    rng = np.random.default_rng(0)
    season = np.tile([80.0, 110.0, 120.0, 90.0], 50)
    frame = skill.forecasts(_series(season + rng.normal(0, 5, 200)), (1, 2, 3, 4), ("snaive",))
    table = skill.scores(frame)
    assert 0.92 <= table.coverage95.mean() <= 0.98
    assert (
        0.72 <= table.coverage80.mean() <= 0.86
    )  # early origins estimate the spread from few years


def test_the_rule_picks_the_lowest_interval_score():
    table = pd.DataFrame(
        {
            "method": ["a", "a", "b", "b"],
            "h": [1, 2, 1, 2],
            "interval_score95": [10.0, 30.0, 15.0, 20.0],
        }
    )
    assert skill.best_by_interval_score(table) == "b"  # mean 17.5 against 20


def test_same_seed_same_scores():
    rng = np.random.default_rng(1)
    flows = _series(1000 + 20 * np.arange(16) + rng.normal(0, 30, 16))
    a = skill.scores(skill.forecasts(flows, (1, 2), ("ets", "theta"), n_paths=300, seed=3))
    b = skill.scores(skill.forecasts(flows, (1, 2), ("ets", "theta"), n_paths=300, seed=3))
    pd.testing.assert_frame_equal(a, b)


def test_cli_backtest(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = CliRunner().invoke(main, ["backtest", "--json", "--paths", "200"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {r["method"] for r in data["scores"]} == set(skill.METHODS)
    assert {r["h"] for r in data["scores"]} == set(skill.HORIZONS)
    assert data["best"] in skill.METHODS
    bad = CliRunner().invoke(main, ["backtest", "--region", "999"])
    assert bad.exit_code == 1
    assert "no returns for region '999' (the province 610000 or a city code)" in bad.output
