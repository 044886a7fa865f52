"""The nowcast (analytics.nowcast): known answers on made-up flows, the fallback to the
province's counties, refusals, the backtest against the naive answers, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import nowcast as nc
from cli.main import main
from data.reference import periods


def _flows(shares: dict[str, float], quarters: int = 20, seed: int = 1) -> pd.DataFrame:
    """Each county a fixed share of a growing, seasonal city total (plus a little noise)."""
    rng = np.random.default_rng(seed)
    index = periods.quarter_range("2014Q1", periods.shift("2014Q1", quarters - 1))
    season = np.array([0.8, 1.1, 1.2, 0.9])
    city = np.array([1000 * (1.02**i) * season[i % 4] for i in range(quarters)])
    cols = {c: city * s * (1 + rng.normal(0, 0.01, quarters)) for c, s in shares.items()}
    return pd.DataFrame(cols, index=index)


UNIT = pd.Series({"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"})


def test_a_missing_county_is_its_share_of_the_reported_ones():
    flows = _flows({"a1": 0.5, "a2": 0.3, "a3": 0.2, "b1": 0.6, "b2": 0.4})
    last = flows.index[-1]
    result = nc.nowcast(flows, last, UNIT, reported={"a1", "a2", "b1", "b2"})
    est = result.counties.set_index("code")
    reported = flows.loc[last, ["a1", "a2"]].sum()
    # a3 was 0.2 / 0.8 of a1 + a2 in every past quarter
    assert est.at["a3", "estimate"] == pytest.approx(reported * 0.25, rel=0.03)
    assert est.at["a3", "peers"] == "city"
    assert est.at["a3", "lower"] <= est.at["a3", "estimate"] <= est.at["a3", "upper"]
    units = result.units.set_index("code")
    assert units.at["A", "counties_reported"] == 2 and units.at["A", "counties_expected"] == 3
    assert units.at["B", "estimated"] == 0 and units.at["B", "lower"] == units.at["B", "total"]
    prov = result.province
    assert prov.reported == pytest.approx(flows.loc[last].drop("a3").sum())
    assert prov.total == pytest.approx(prov.reported + est.at["a3", "estimate"])
    assert prov.lower <= flows.loc[last].sum() <= prov.upper


def test_a_city_with_no_county_in_leans_on_the_province():
    flows = _flows({"a1": 0.5, "a2": 0.3, "a3": 0.2, "b1": 0.6, "b2": 0.4})
    last = flows.index[-1]
    result = nc.nowcast(flows, last, UNIT, reported={"a1", "a2", "a3"})
    est = result.counties.set_index("code")
    assert set(est.peers) == {"province"}
    # b1 and b2 were 0.6 and 0.4 of a city as large as city A
    assert est.estimate.sum() == pytest.approx(flows.loc[last, ["b1", "b2"]].sum(), rel=0.03)


def test_a_season_share_is_the_median_of_the_years_known():
    """The share at a quarter: the median of the same quarter of up to three years before,
    unknown years skipped (one year known: that year; two: their mean)."""
    ratios = np.full(16, np.nan)
    ratios[[0, 4, 8]] = [0.1, 0.2, 0.6]  # the first quarters of three years
    ratios[[1, 9]] = [0.3, 0.5]  # a second quarter with one year missing
    got = nc._season_median(ratios, 3)
    assert np.isnan(got[0]) and got[4] == 0.1 and got[8] == pytest.approx(0.15)
    assert got[12] == 0.2 and got[13] == pytest.approx(0.4) and np.isnan(got[14])
    # column by column, as the nowcast asks for every missing county at once
    both = nc._season_median(np.column_stack([ratios, 2 * ratios]), 3)
    assert np.allclose(both[:, 1], 2 * got, equal_nan=True)


def test_nothing_to_nowcast_from():
    flows = _flows({"a1": 0.5, "a2": 0.3, "a3": 0.2, "b1": 0.6, "b2": 0.4})
    with pytest.raises(ValueError, match="^no return for 2030Q1 yet: nothing to nowcast from$"):
        nc.nowcast(flows, "2030Q1", UNIT)
    with pytest.raises(ValueError, match="^no county has reported for 2018Q4: nothing"):
        nc.nowcast(flows, "2018Q4", UNIT, reported=set())


def test_on_the_demo_it_beats_the_naive_answers(demo_store):
    from data import store
    from data.store.observations import read_observations
    from geo.regions import load_registry, reporting_unit

    reg = load_registry()
    flows = nc.county_flows(read_observations(store.get_engine(demo_store["url"])), reg)
    assert flows.shape == (28, 107)
    scores = nc.backtest(flows, reporting_unit(reg), nc.usual_late(reg))
    table = scores.set_index(["scenario", "method"]).mape
    for scenario in ("random", "late"):  # at least halves the error of either naive answer
        assert table[scenario, "nowcast"] < table[scenario, "arrived"] / 2
        assert table[scenario, "nowcast"] < table[scenario, "last_quarter"] / 2
    cases = scores.set_index(["scenario", "method"]).cases
    assert cases["random", "nowcast"] == 20 * 16 and cases["late", "nowcast"] == 16
    assert scores.coverage.notna().sum() == 2  # a coverage for the nowcast only
    # the random scenario's coverage is the mean over 20 patterns of hidden counties, with
    # its range; no single draw stands for it
    ours = scores.set_index(["scenario", "method"]).loc["random", "nowcast"]
    assert ours.patterns == 20
    assert ours.coverage_min <= ours.coverage <= ours.coverage_max
    assert ours.coverage_min < ours.coverage_max
    assert len(nc.usual_late(reg)) == 10 + 7
    # calibrated out of sample (each quarter stretched by what earlier quarters showed): the
    # random gaps reach the 90% goal, and calibration never lowers a scenario's coverage
    assert ours.coverage >= 90
    for scenario in ("random", "late"):
        row = scores.set_index(["scenario", "method"]).loc[scenario, "nowcast"]
        assert row.coverage >= row.coverage_raw and row.factor >= 1
    # the live nowcast's stretch is the larger scenario's, and only earlier quarters count
    assert nc.live_factor(scores) == max(scores.factor.dropna())
    early = nc.backtest(flows, reporting_unit(reg), nc.usual_late(reg), until="2019Q4")
    assert early.set_index(["scenario", "method"]).cases["late", "nowcast"] == 12


def _cases_frame(needs: dict[str, list[float]], scenario: str = "random") -> pd.DataFrame:
    rows = [
        {"scenario": scenario, "period": q, "known": periods.shift(q, 1), "need": n}
        for q, ns in needs.items()
        for n in ns
    ]
    return pd.DataFrame(rows)


def test_each_quarter_is_stretched_by_earlier_quarters_only():
    """The factor a quarter's nowcast had: none known (1), then the largest score while
    fewer than 19 (the conformal rank cannot be had), never below 1; the quarter's own scores
    and later ones never count; across scenarios the larger factor."""
    frame = _cases_frame({"2017Q1": [0.5, 3.0], "2017Q2": [1.5], "2017Q3": [9.0]})
    then = nc._factors_then(frame)
    assert then.to_dict() == {"2017Q1": 1.0, "2017Q2": 3.0, "2017Q3": 3.0}
    small = nc._factors_then(_cases_frame({"2017Q1": [0.2, 0.4], "2017Q2": [5.0]}))
    assert small["2017Q2"] == 1.0  # never narrowed
    both = pd.concat(
        [_cases_frame({"2017Q1": [2.0], "2017Q2": [1.0]}),
         _cases_frame({"2017Q1": [4.0], "2017Q2": [1.0]}, "late")]
    )  # fmt: skip
    assert nc._factors_then(both)["2017Q2"] == 4.0
    # with 39 scores the ceil((n+1)·0.95) = 38th smallest, not the largest
    many = _cases_frame({"2017Q1": list(np.arange(1, 40) / 10), "2017Q2": [0.1]})
    assert nc._factors_then(many)["2017Q2"] == pytest.approx(3.8)
    many = _cases_frame({"2017Q1": [*np.full(38, 1.5), 50.0], "2017Q2": [0.1]})
    assert nc._factors_then(many)["2017Q2"] == pytest.approx(1.5)


def test_widened_stretches_about_the_total_never_below_what_is_in():
    units = pd.DataFrame(
        {"code": ["610100", "610000"], "reported": [100.0, 500.0], "estimated": [50.0, 80.0],
         "total": [150.0, 580.0], "lower": [130.0, 560.0], "upper": [180.0, 620.0]}
    )  # fmt: skip
    counties = pd.DataFrame(
        {"code": ["610102"], "estimate": [50.0], "lower": [30.0], "upper": [80.0],
         "peers": ["city"]}
    )  # fmt: skip
    wide = nc.widened(nc.Nowcast("2021Q1", units, counties), 3.0)
    assert wide.factor == 3.0 and wide.as_dict()["interval_factor"] == 3.0
    assert wide.units.upper.tolist() == [240.0, 700.0]
    assert wide.units.lower.tolist() == [100.0, 520.0]  # 150 − 3·20 = 90 < 100 reported
    assert wide.counties.lower.tolist() == [0.0] and wide.counties.upper.tolist() == [140.0]
    assert units.lower.tolist() == [130.0, 560.0]  # the input is left as it was


def test_the_nowcast_of_a_quarter_is_calibrated_on_the_quarters_before_it():
    """A later quarter's figures (here: a wild one) never move the stretch of an earlier
    quarter's nowcast; with every county in there is nothing to stretch."""
    flows = _flows({"a1": 0.5, "a2": 0.3, "a3": 0.2, "b1": 0.6, "b2": 0.4}, quarters=24)
    period = flows.index[-4]
    partial = flows.copy()
    partial.loc[period, ["a1", "b2"]] = np.nan
    now = nc.calibrated_nowcast(partial, period, UNIT, ["b1", "b2"])
    before = flows.index[flows.index < period][-1]
    scores = nc.backtest(partial, UNIT, ["b1", "b2"], until=before)
    assert now.factor == nc.live_factor(scores) > 1
    pd.testing.assert_frame_equal(now.scores, scores)  # the table shown is the one it used
    wild = partial.copy()
    wild.loc[flows.index[-2:], "a2"] *= 40
    assert nc.calibrated_nowcast(wild, period, UNIT, ["b1", "b2"]).factor == now.factor
    complete = nc.calibrated_nowcast(flows, flows.index[-1], UNIT, ["b1", "b2"])
    assert complete.factor == 1.0 and complete.counties.empty


def test_cli_nowcast_of_a_partial_quarter(demo_copy, monkeypatch):
    from tests.fixtures import workbooks as wb

    wb.tongchuan_sends_2021q1(demo_copy["engine"])
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_copy["url"])
    out = CliRunner().invoke(main, ["nowcast", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    prov = next(u for u in data["units"] if u["code"] == "610000")
    assert data["period"] == "2021Q1" and prov["counties_reported"] == 4
    assert len(data["counties"]) == 103
    assert {c["peers"] for c in data["counties"]} == {"province"}  # only 铜川 has reported
    assert prov["lower"] < prov["total"] < prov["upper"]  # the figures stay (the backtest's)
    assert prov["enough"] is False and data["min_share"] == 0.5
    text = CliRunner().invoke(main, ["nowcast"])
    assert text.output.startswith("2021Q1: reported 4/107 counties, ")
    assert text.output.splitlines()[0].endswith(
        " settled so far; too few have reported for an estimate (fewer than 50%)"
    )
    assert "estimated =" not in text.output
    monkeypatch.setenv("URBDASH_NOWCAST_MIN_SHARE", "0")
    text = CliRunner().invoke(main, ["nowcast"])
    assert " estimated = " in text.output.splitlines()[0]
    bad = CliRunner().invoke(main, ["nowcast", "--period", "2031Q1"])
    assert bad.exit_code == 1 and "no return for 2031Q1 yet: nothing to nowcast from" in bad.output


def test_a_total_is_estimated_only_when_enough_have_reported():
    from analytics.nowcast import enough_reported

    units = pd.DataFrame(
        {
            "code": ["610100", "610200", "610300", "610000"],
            "counties_reported": [10, 1, 0, 11],
            "counties_expected": [13, 4, 12, 29],
        }
    )
    got = enough_reported(units, 0.5).set_index("code").enough
    # 10/13 and 1/4 of the counties; the province 11/29 < half
    assert got.to_dict() == {"610100": True, "610200": False, "610300": False, "610000": False}
    got = enough_reported(units, 0.3).set_index("code").enough
    # 11/29 of the counties, but 2 of 3 cities have any return in: enough at 30%
    assert got.to_dict() == {"610100": True, "610200": False, "610300": False, "610000": True}
    # most counties in, but all in one city: a province total would rest on one city's mix
    one_city = pd.DataFrame(
        {
            "code": ["610100", "610200", "610300", "610000"],
            "counties_reported": [20, 0, 0, 20],
            "counties_expected": [20, 4, 5, 29],
        }
    )
    got = enough_reported(one_city, 0.5).set_index("code").enough
    assert got.to_dict() == {"610100": True, "610200": False, "610300": False, "610000": False}


def test_confirmed_unusual_names_the_counties_of_that_quarter_only():
    import pandas as pd

    from analytics.nowcast import confirmed_unusual

    flags = pd.DataFrame(
        [
            ("610202", "2021Q1", "outlier", 1),
            ("610203", "2021Q1", "missing_county", 1),  # not about a value sent
            ("610204", "2020Q4", "flow_slip", 1),  # another quarter
            ("610222", "2021Q1", "flow_slip", 2),
        ],
        columns=["region_code", "period", "rule", "n"],
    )
    assert confirmed_unusual(flags, "2021Q1") == ["610202", "610222"]
    assert confirmed_unusual(flags.iloc[0:0], "2021Q1") == []
