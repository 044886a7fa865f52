import numpy as np
import pytest
from scipy.special import logit

from analytics.progress import assess, classify_ratio
from analytics.urbanization_forecast import fit_logit_linear
from data.reference.official import headline, load_official_series, province_series


@pytest.mark.parametrize(
    "ratio, status",
    [
        (1.2, "on_track"),
        (0.95, "on_track"),
        (0.7, "acceleration_needed"),
        (0.6, "acceleration_needed"),
        (0.3, "limited_progress"),
        (0.0, "limited_progress"),
        (-0.1, "moving_away"),
    ],
)
def test_open_sdg_thresholds(ratio, status):
    assert classify_ratio(ratio) == status


def test_assess_urbanization_2015_from_published_figures():
    # base 2013 51.31%, 2015 outcome 53.92% against the 55% interim target for 2015
    p = assess(51.31, 2013, 53.92, 2015, 55.0, 2015)
    assert p.share_of_time == 1.0 and p.share_achieved == pytest.approx(
        (53.92 - 51.31) / (55 - 51.31)
    )
    assert p.ratio == pytest.approx(((53.92 / 51.31) ** 0.5 - 1) / ((55 / 51.31) ** 0.5 - 1))
    assert p.status == "acceleration_needed"
    assert assess(100, 2014, 90, 2016, 120, 2020).status == "moving_away"
    assert assess(100, 2014, 130, 2016, 120, 2020).status == "on_track"
    # cumulative settlements from zero: linear paces (6 of 10 million after 3.5 of 7 years)
    cum = assess(0, 2014.0, 6e6, 2017.5, 10e6, 2021.0)
    assert cum.ratio == pytest.approx((6e6 / 3.5) / (10e6 / 7)) and cum.status == "on_track"


@pytest.mark.parametrize(
    "args, message",
    [
        ((50, 2015, 51, 2016, 60, 2014), "target year 2014 is not after its base year 2015"),
        ((50, 2015, 51, 2014, 60, 2020), "current year 2014 is before the base year 2015"),
        ((-1, 2015, 51, 2016, 60, 2020), "the base value cannot be negative"),
    ],
)
def test_assess_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        assess(*args)


def test_logit_linear_known_answer_on_official_series():
    series = province_series("urbanization_rate", headline(load_official_series()))
    fit = fit_logit_linear(series)
    assert fit.basis == "census2010"  # never mixed with the 2020 census values
    old = series[series.basis == "census2010"]
    slope, intercept = np.polyfit(old.year, logit(old.value / 100), 1)
    assert fit.growth_difference == pytest.approx(slope)
    pred = fit.predict([2020, 2025])
    assert (pred.lower < pred.value).all() and (pred.value < pred.upper).all()
    assert pred.value.iloc[0] == pytest.approx(100 / (1 + np.exp(-(intercept + slope * 2020))))
    p62 = fit.probability_at_least(62.0, 2020)
    assert 0.0 < p62 < 1.0
    assert fit.probability_at_least(50.0, 2020) > 0.99


def test_logit_linear_needs_history():
    series = province_series("urbanization_rate", headline(load_official_series()))
    with pytest.raises(ValueError, match="too little history: 2 census2010 values, need 4"):
        fit_logit_linear(series[series.year <= 2011], "census2010")


def test_backtests():
    import pandas as pd

    from analytics.backtest import backtest_settlements, backtest_urbanization, summary

    rate = backtest_urbanization(
        province_series("urbanization_rate", headline(load_official_series()))
    )
    assert rate.origin.tolist() == ["2015", "2016"]  # 2014 and 2018 are gaps in the source
    first = rate.iloc[0]
    assert (first.period, first.actual) == ("2016", 55.34)
    assert first.lower < first.forecast < first.upper and bool(first.covered)
    quarters = [f"{y}Q{q}" for y in range(2014, 2018) for q in range(1, 5)]
    flows = pd.Series([100.0 + 10 * i for i in range(16)], index=quarters)
    bt = backtest_settlements(flows)
    assert bt.origin.iloc[0] == "2015Q4" and bt.period.iloc[-1] == "2017Q4"
    s = summary(bt)
    # five forecasts: too few to judge the coverage (skill.MIN_CASES), so none is given
    assert s["n"] == len(bt) == 5 and s["coverage"] is None and s["mape"] >= 0
    assert not s["judged"] and not s["calibrated"] and s["method"] == "ets"
    assert summary(bt.iloc[0:0]) == {"n": 0, "mape": None, "coverage": None, "judged": False}
    # ten years of noisy quarters: the picked method's band, each origin calibrated on what
    # was known then, holds at least 90% of the outcomes out of sample
    rng = np.random.default_rng(5)
    long = pd.Series(
        1000 + 15 * np.arange(40) + np.tile([-80.0, 20.0, 90.0, -30.0], 10)
        + rng.normal(0, 40, 40),
        index=[f"{y}Q{q}" for y in range(2010, 2020) for q in range(1, 5)],
    )  # fmt: skip
    s = summary(backtest_settlements(long, baseline="2010Q1"))
    assert s["n"] == 29 and s["judged"] and s["calibrated"]
    assert s["out_of_sample"] >= 0.9 and s["coverage"] >= s["out_of_sample"] - 0.1


def test_simulated_quantiles_match_the_analytic_interval():
    """Draws from the trend's t predictive distribution reproduce its analytic 95% interval."""
    from scipy import stats
    from scipy.special import expit

    series = province_series("urbanization_rate", headline(load_official_series()))
    fit = fit_logit_linear(series)
    exog = np.array([[1.0, 2020.0]])
    pred = fit.results.get_prediction(exog)
    se = float(np.sqrt(pred.var_pred_mean[0] + fit.results.scale))
    rng = np.random.default_rng(42)
    draws = pred.predicted_mean[0] + se * stats.t.rvs(
        fit.results.df_resid, size=200_000, random_state=rng
    )
    lo, hi = np.quantile(100 * expit(draws), [0.025, 0.975])
    analytic = fit.predict([2020]).iloc[0]
    assert lo == pytest.approx(analytic.lower, abs=0.05) and hi == pytest.approx(
        analytic.upper, abs=0.05
    )


@pytest.mark.parametrize("probability", [None, 0.0, 0.01, 0.049, 0.05, 0.3, 0.499, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("ratio", [-0.5, -0.01, 0.0, 0.3, 0.59, 0.6, 0.9, 0.949, 0.95, 1.2])
def test_status_and_odds_never_disagree(ratio, probability):
    """Every combination of pace and odds: the status is the pace's class, made no better than
    the odds allow (under 50%: at best acceleration needed; under 5%: at best limited
    progress), and never worse than the pace's class."""
    from analytics.progress import STATUSES, classify_ratio, status_with_odds

    status = status_with_odds(ratio, probability)
    rank = STATUSES.index
    assert rank(status) >= rank(classify_ratio(ratio))  # never better than the pace
    if probability is None or probability >= 0.5:
        assert status == classify_ratio(ratio)
    if probability is not None and probability < 0.5:
        assert status != "on_track"
    if probability is not None and probability < 0.05:
        assert status in ("limited_progress", "moving_away")
    if ratio < 0:
        assert status == "moving_away"
