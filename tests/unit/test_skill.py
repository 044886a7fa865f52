"""Forecast skill (analytics.skill): hand-computed scores, the simple methods on series whose
answer is known, the rule that picks a method, reproducibility, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import (
    calibration,
    conformal,
    evaluation,
    forecast_methods,
    metrics,
    rate_skill,
    skill,
)
from cli.main import main
from data.reference import periods
from data.store.snapshot import read_snapshot


def test_scores_by_hand():
    # errors 1 and 0; the in-sample seasonal differences are all 4
    assert metrics.mase([10, 12], [11, 12], [1, 2, 3, 4, 5, 6, 7, 8]) == pytest.approx(0.125)
    # inside: the width; outside by 1 at 95%: the width plus 2/0.05 * 1
    assert metrics.interval_score([5], [4], [6], 0.05) == pytest.approx(2)
    assert metrics.interval_score([7, 3], [4, 4], [6, 6], 0.05) == pytest.approx(42)
    assert metrics.coverage([5, 7, 3, 4], [4] * 4, [6] * 4) == pytest.approx(0.5)
    assert metrics.brier([1, 0, 0.5], [1, 1, 0]) == pytest.approx((0 + 1 + 0.25) / 3)


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


def test_the_additive_ets_recovers_a_seasonal_pattern():
    """A constant level plus a fixed quarterly pattern and small normal noise: the additive
    ETS's median path one year ahead is that pattern, within the noise."""
    rng = np.random.default_rng(3)
    pattern = np.array([-50.0, 10.0, 60.0, -20.0])
    flows = _series(1000 + np.tile(pattern, 10) + rng.normal(0, 5, 40))
    paths = forecast_methods.simulate("ets_add", flows, 4, 2000, 1)
    assert paths.shape == (2000, 4) and (paths >= 0).all()
    np.testing.assert_allclose(np.median(paths, axis=0), 1000 + pattern, atol=15)


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
    a = skill.scores(
        skill.forecasts(flows, (1, 2), ("ets", "ets_add", "theta"), n_paths=300, seed=3)
    )
    b = skill.scores(
        skill.forecasts(flows, (1, 2), ("ets", "ets_add", "theta"), n_paths=300, seed=3)
    )
    pd.testing.assert_frame_equal(a, b)


def _quarters(n: int, start: str = "1900Q1") -> list[str]:
    return periods.quarter_range(start, periods.shift(start, n - 1))


def test_the_calibrated_band_holds_95_percent_of_new_outcomes():
    """A random walk with drift and a quarterly pattern, with known normal noise: the seasonal
    naive's band is far too narrow (it misses the drift), the drift's too wide (it takes the
    seasonal swing for noise). Calibrated on the first 300 origins, the seasonal naive's band
    holds 95% +- 3% of the outcomes of the next 300 origins at every horizon; the drift's is
    never narrowed (a factor below 1 is not applied), so it holds at least 95%."""
    rng = np.random.default_rng(7)
    n = 600
    y = 1000 + np.cumsum(5 + rng.normal(0, 10, n)) + np.tile([-30.0, 10.0, 40.0, -20.0], n // 4)
    frame = skill.forecasts(pd.Series(y, index=_quarters(n)), (1, 2, 4), ("drift", "snaive"), 400)
    frame = frame[frame.quantity == "cumulative"]
    origins = sorted(frame.origin.unique())
    first, later = frame[frame.origin < origins[300]], frame[frame.origin >= origins[300]]
    factors = calibration.calibration_table(first).set_index(["method", "h"]).factor
    for (method, h), part in later.groupby(["method", "h"]):
        raw = metrics.coverage(part.actual, part.lower95, part.upper95)
        wide = calibration.widen(part, factors[(method, h)])
        held = metrics.coverage(wide.actual, wide.lower95, wide.upper95)
        if method == "snaive":
            assert 0.92 <= held <= 0.98, (method, h, raw, held)
        else:
            assert held >= 0.95, (method, h, raw, held)
        if method == "snaive" and h > 1:
            assert raw < 0.8, (h, raw)  # the calibration had something to fix
    assert (factors.loc["drift"] == 1).all() and (factors.loc["snaive"] > 1).all()
    # the out-of-sample coverage of the whole run says the same, origin by origin
    table = calibration.calibration_table(frame).set_index(["method", "h"])
    assert (table.loc["snaive"].coverage95_out_of_sample >= 0.92).all()


def test_stretch_needed_by_hand():
    part = pd.DataFrame(
        {"actual": [13.0, 16.0, 7.0, 10.0], "point": 10.0, "lower95": 8.0, "upper95": 14.0}
    )
    # above: (13 - 10) / (14 - 10); (16 - 10) / 4; below: (10 - 7) / (10 - 8); at the point: 0
    assert calibration.stretch_needed(part).tolist() == pytest.approx([0.75, 1.5, 1.5, 0.0])
    wide = calibration.widen(part, 2.0)
    assert wide.lower95.tolist() == [6.0] * 4 and wide.upper95.tolist() == [18.0] * 4
    assert calibration.widen(part, 6.0).lower95.iloc[0] == 0  # never below 0


def test_the_conformal_factor_by_hand():
    # n = 39 scores: rank ceil(40 * 0.95) = 38, the 38th smallest
    need = np.arange(1, 40) / 10
    assert conformal.conformal_factor(need) == pytest.approx(3.8)
    # n = 20: rank ceil(21 * 0.95) = 20, the largest; n = 5: rank 6 > 5, the largest too
    assert conformal.conformal_factor(np.arange(1, 21) / 10) == pytest.approx(2.0)
    assert conformal.conformal_factor(np.array([1.2, 3.0, 0.4, 2.2, 0.1])) == pytest.approx(3.0)
    # never below 1 (a band is not narrowed on a few origins), 1 without any score
    assert conformal.conformal_factor(np.array([0.2, 0.5, 0.3])) == 1.0
    assert conformal.conformal_factor(np.array([])) == 1.0


def _quarters_from(start: str, n: int) -> list[str]:
    return [periods.shift(start, i) for i in range(n)]


def test_each_origin_is_calibrated_on_what_was_known_then():
    """One horizon (h = 1): the forecast from origin i is scored on the outcome at i + 1. Its
    factor may use only the outcomes known at its origin (periods up to i), never its own or
    a later one: the large stretch needed at the sixth origin is unknown to the sixth forecast
    and known to every later one."""
    need = np.array([0.5, 0.8, 0.6, 0.9, 0.7, 3.0, 0.8, 0.9, 0.6, 0.7, 0.5, 0.9])
    origins = _quarters_from("2015Q1", len(need))
    part = pd.DataFrame(
        {
            "method": "m",
            "quantity": "cumulative",
            "h": 1,
            "origin": origins,
            "period": [periods.shift(o, 1) for o in origins],
            "actual": 10 + need * 4,
            "point": 10.0,
            "lower95": 6.0,
            "upper95": 14.0,
            "scale": 1.0,
        }
    )
    factors, held = calibration.out_of_sample(part, need)
    # origin 0 knows nothing (1: the method's band); each later one the largest score so far
    # (too few for the conformal rank), at least 1
    assert factors.tolist() == [1.0] * 6 + [3.0] * 6
    assert held.tolist() == [True] * 5 + [False] + [True] * 6
    row = calibration.calibration_table(part).iloc[0]
    assert row.coverage95_out_of_sample == pytest.approx(11 / 12)
    assert row.factor == pytest.approx(3.0)  # for a forecast made now: every score known
    assert row.calibrated95 == pytest.approx(1.0)  # in sample: optimistic, shown labelled
    assert row.coverage95 == pytest.approx(11 / 12)  # need <= 1 but the sixth
    short = calibration.calibration_table(part.iloc[: skill.MIN_CASES - 1]).iloc[0]
    assert np.isnan(short.factor) and np.isnan(short.calibrated95)
    assert not np.isnan(short.coverage95_out_of_sample)  # reported whatever the cases


def test_factors_beyond_the_horizons_judged_follow_a_power_law():
    straight = calibration.Calibration("drift", {1: 1.0, 2: 2.0})  # factor = h
    assert straight.growth == pytest.approx(1.0)
    assert straight.factor(2) == 2.0 and straight.factor(4) == pytest.approx(4.0)
    one = calibration.Calibration("drift", {2: 3.0})  # one horizon: the square root
    assert one.factor(8) == pytest.approx(6.0) and one.factor(1) == 3.0
    assert (
        calibration.Calibration("ets").factor(3) == 1.0
        and not calibration.Calibration("ets").judged
    )


def test_the_rule_picks_the_sharpest_band_that_held_out_of_sample():
    table = pd.DataFrame(
        {
            "method": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
            "h": [1, 2, 3] * 3,
            "cases": [10] * 9,
            "factor": [1.0, 1.0, 1.0, 1.0, 1.0, np.nan, 1.0, 1.0, 1.0],
            "coverage95_out_of_sample": [0.9, 0.9, 0.9, 0.95, 0.95, 0.95, 0.6, 0.6, 0.6],
            "interval_score95": [10.0, 30.0, 1.0, 15.0, 20.0, np.nan, 1.0, 1.0, 1.0],
        }
    )
    # c is sharpest but its band held 60% out of sample: not a candidate; horizon 3 is judged
    # for a and c only, so a and b compare on 1-2: a 20 against b 17.5
    assert calibration.choose(table) == "b"
    # when no method holds 90%, the sharpest of all (and the pages say it falls short)
    assert calibration.choose(table.assign(coverage95_out_of_sample=0.5)) == "c"
    assert calibration.choose(table.assign(factor=np.nan)) is None


def test_stretched_paths_stay_settlements():
    rng = np.random.default_rng(2)
    future = np.cumsum(rng.gamma(2.0, 50.0, (500, 6)), axis=1)
    same = calibration.stretch_paths(future, np.ones(6))
    np.testing.assert_allclose(same, future)
    wide = calibration.stretch_paths(future, np.full(6, 3.0))
    assert (np.diff(wide, axis=1) >= 0).all() and (wide >= 0).all()
    mid = np.median(future[:, 0])
    q = np.quantile(wide[:, 0], 0.975) - mid
    assert q == pytest.approx(3 * (np.quantile(future[:, 0], 0.975) - mid))


def test_the_forecast_a_target_uses_is_the_picked_method_stretched():
    rng = np.random.default_rng(4)
    n = 36
    flows = pd.Series(
        300_000 + 4_000 * np.arange(n) + np.tile([-40e3, 10e3, 50e3, -20e3], n // 4)
        + rng.normal(0, 15_000, n),
        index=_quarters(n, "2012Q1"),
    )  # fmt: skip
    cal = calibration.calibrate(flows)  # the backtest the forecast uses (cached)
    assert cal.judged and cal.method in forecast_methods.METHODS
    fc = calibration.calibrated_settlements(
        flows, "2014Q1", periods.shift(flows.index[-1], 4), 4000, 9
    )
    assert fc.method_key == cal.method and fc.calibration is cal
    raw = forecast_methods.simulate(cal.method, flows, 4, 4000, 9)[:, 0]
    got = fc.paths[:, 0] - fc.achieved
    if cal.method != "ets":
        half = np.quantile(got, 0.975) - np.median(got)
        assert half == pytest.approx(cal.factor(1) * (np.quantile(raw, 0.975) - np.median(raw)))
    short = calibration.calibrated_settlements(flows.iloc[:12], "2012Q1", "2016Q4", 2000, 9)
    assert not short.calibration.judged and short.method_key == "ets"
    assert "not calibrated" in short.method


def test_brier_by_hand_on_a_straight_line():
    """Flows 100 + t: the drift is exact, so its probability of "reached by 2018Q4" is 1 at
    every origin where it was reached; the seasonal naive repeats last year's lower flows and
    gives 0: Brier 0 and 1."""
    flows = _series(100 + np.arange(20))  # 2014Q1-2018Q4
    total = float(flows.sum())
    # ten targets (independent outcomes), all met exactly at 2018Q4
    targets = [(total - k / 10, "2018Q4", "2014Q1") for k in range(skill.MIN_BRIER_EVENTS)]
    table = evaluation.target_brier(
        flows, targets, n_paths=200, methods=("drift", "snaive")
    ).set_index("method")
    assert table.at["drift", "brier"] == pytest.approx(0.0)
    assert table.at["snaive", "brier"] == pytest.approx(1.0)
    assert table.at["drift", "events"] == 10 and table.at["drift", "cases"] == 80
    assert table.at["drift", "reached"] == 1.0 and table.at["drift", "mean_p"] == 1.0
    # one target from eight overlapping origins: the outcome and the odds given, no score
    one = evaluation.target_brier(flows, targets[:1], n_paths=200, methods=("drift",)).set_index(
        "method"
    )
    assert one.at["drift", "events"] == 1 and one.at["drift", "cases"] == 8
    assert np.isnan(one.at["drift", "brier"]) and one.at["drift", "mean_p"] == 1.0
    later = evaluation.target_brier(flows, [(total, "2019Q4", "2014Q1")], methods=("drift",))
    assert later.empty  # not yet observed: not judged


def test_rate_evaluation_on_a_straight_line_and_too_few_years():
    years = np.arange(2000, 2010)
    series = pd.DataFrame({"year": years, "value": 40 + 1.5 * (years - 2000), "basis": "b"})
    table = rate_skill.rate_scores(rate_skill.rate_forecasts(series, "b")).set_index(
        ["method", "h"]
    )
    assert table.at[("drift", 1), "mae"] == pytest.approx(0, abs=1e-9)
    assert table.at[("naive", 2), "mae"] == pytest.approx(3.0)
    assert table.at[("drift", 1), "cases"] == 6  # origins 2003-2008
    assert table.coverage95.isna().all()  # fewer than MIN_CASES origins: not judged


def test_cli_backtest(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = CliRunner().invoke(main, ["backtest", "--json", "--paths", "200"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {r["method"] for r in data["scores"]} == set(forecast_methods.METHODS)
    assert {r["h"] for r in data["scores"]} == set(skill.HORIZONS)
    assert data["best"] in forecast_methods.METHODS
    assert data["calibrated"] and data["method"] in forecast_methods.METHODS
    picked = [r for r in data["calibration"] if r["method"] == data["method"]]
    # the coverage reported is out of sample, per horizon and overall, with its cases; on the
    # demo province the picked band holds at least the 90% the product aims at
    assert all(0 <= r["coverage95_out_of_sample"] <= 1 for r in picked)
    assert data["cases"] == sum(r["cases"] for r in picked)
    assert data["coverage95_out_of_sample"] >= calibration.COVERAGE_GOAL
    assert {(r["method"], r["calibrated"]) for r in data["brier"]} >= {(data["method"], True)}
    bad = CliRunner().invoke(main, ["backtest", "--region", "999"])
    assert bad.exit_code == 1
    assert "no returns for region '999' (the province 610000 or a city code)" in bad.output
    rate = CliRunner().invoke(main, ["backtest", "--indicator", "urbanization_rate", "--json"])
    assert rate.exit_code == 0, rate.output
    out = json.loads(rate.output)
    rows = out["scores"]
    assert {r["basis"] for r in rows} == {"census2010", "census2020"}
    assert all(r["coverage95"] is None for r in rows)  # too few published years to judge
    # as of each year's end, across the break, beside the naive answer (out of sample)
    from analytics import urbanization_forecast as uf
    from data.reference.official import load_official_series

    as_of = out["as_of_backtest"]
    assert (as_of["first"], as_of["last"]) == ("2016Q4", "2024Q4")
    want = uf.backtest_scores(uf.backtest_as_of(load_official_series()))
    assert as_of["scores"] == want.to_dict("records")
    assert [r["h"] for r in as_of["scores"]] == [1, 2, 3, 4, 5]
    assert sum(r["cases"] for r in as_of["scores"]) == len(as_of["cases"])
    text = CliRunner().invoke(main, ["backtest", "--indicator", "urbanization_rate"]).output
    held = sum(c["lower95"] <= c["actual"] <= c["upper95"] for c in as_of["cases"])
    n = len(as_of["cases"])
    assert f"the 95% band held the published value in {held} of {n} cases" in text
    city = CliRunner().invoke(
        main, ["backtest", "--indicator", "urbanization_rate", "--region", "610100"]
    )
    assert city.exit_code == 1
    assert "the urbanization rate is evaluated for the province (610000) only" in city.output


def test_an_open_target_is_judged_by_the_calibrated_forecast(demo_store):
    """As of 2019Q2 the 2020 settlement target is open: its record names the method the rule
    picks on the province's own backtest, carries the calibration, and its probability is that
    of the calibrated forecast; as of 2017Q4 (8 origins) the record says it is not
    calibrated."""
    from analytics.aggregate import aggregate
    from analytics.targets import project_targets
    from data import store
    from data.store.observations import read_observations
    from geo.regions import load_registry

    engine = store.get_engine(demo_store["url"])
    wide = aggregate(read_observations(engine), load_registry(), "province").set_index("period")
    flows = wide.settled_total.dropna()
    (rec,) = [
        r
        for r in project_targets(read_snapshot(engine), as_of="2019Q2", target_set="plan-2020")
        if r["indicator"] == "settled_cumulative"
    ]
    known = flows[flows.index <= "2019Q2"]
    cal = calibration.calibrate(known)
    assert rec["method_key"] == "calibrated" and rec["method_fields"]["model"] == cal.method
    assert rec["calibration"]["method"] == cal.method and rec["calibration"]["origins"] == 14
    judged = [h for h in rec["calibration"]["horizons"] if h["factor"] is not None]
    assert [h["h"] for h in judged] == [1, 2, 3, 4, 5]  # 14 - h + 1 >= 10 origins
    assert all(h["factor"] >= 1 for h in judged)  # never narrowed
    assert rec["calibration"]["cases"] > 0
    assert 0 <= rec["calibration"]["coverage95_out_of_sample"] <= 1
    fc = calibration.calibrated_settlements(known, "2014Q1", "2023Q4")  # target + EXTRA_YEARS
    assert rec["probability"] == pytest.approx(fc.probability(rec["target_value"], "2020Q4"))
    json.dumps(rec["calibration"])  # JSON-ready, as `urbdash project --json` prints it
    (early,) = [
        r
        for r in project_targets(read_snapshot(engine), as_of="2017Q4", target_set="plan-2020")
        if r["indicator"] == "settled_cumulative"
    ]
    assert early["method_key"] == "uncalibrated" and not early["calibration"]["judged"]
    assert early["calibration"]["origins"] == 8


def test_each_citys_own_coverage_through_the_cli(demo_store, monkeypatch):
    """``urbdash backtest --cities``: each city's own out-of-sample coverage beside the
    province's, judged against the goal. Run for real on two cities (铜川 and 咸阳: a full
    backtest each), the other cities' counties left out of the returns the command reads."""
    from geo.regions import load_registry, unit_names

    registry = load_registry()
    names = unit_names(registry)  # as tables name them (杨凌示范区, not 杨陵区)
    two = ["610200", "610400"]
    kept = set(registry[registry.stat_parent_code.isin(two)].code)
    real = evaluation.city_coverage

    def only_two(obs, reg, n_paths):
        return real(obs[obs.region_code.isin(kept)], reg, n_paths)

    monkeypatch.setattr(evaluation, "city_coverage", only_two)
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = CliRunner().invoke(main, ["backtest", "--cities", "--json", "--paths", "100"])
    assert out.exit_code == 0, out.output
    cities = json.loads(out.output)["cities"]
    assert [c["region_code"] for c in cities] == two
    for c in cities:
        assert c["name"] == names[c["region_code"]]
        assert c["method"] in forecast_methods.METHODS and c["cases"] > 0
        assert 0 <= c["coverage95_out_of_sample"] <= 1
        assert c["meets_goal"] == (c["coverage95_out_of_sample"] >= calibration.COVERAGE_GOAL)
    text = CliRunner().invoke(main, ["backtest", "--cities", "--paths", "100"]).output
    assert "each city's own backtest, 95% band out of sample (goal 90%):" in text
    assert f"  610200 {names['610200']}: " in text and f"  610400 {names['610400']}: " in text
