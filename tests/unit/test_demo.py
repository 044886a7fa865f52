import numpy as np
import pandas as pd
import pytest

from data.demo.generator import DEMO_PARAMS, census_path, generate
from data.reference import indicators
from data.reference.official import census_stocks, headline, load_official_series
from geo.regions import load_registry


@pytest.fixture(scope="module")
def demo():
    return generate(20140923)


def test_deterministic(demo):
    assert demo.equals(generate(20140923))
    assert not demo.equals(generate(1))


def test_shape_and_ranges(demo):
    counties = load_registry().query("level == 'county'").code
    assert set(demo.region_code) == set(counties)
    assert (
        demo.period.nunique() == 28
        and demo.period.min() == "2014Q1"
        and demo.period.max() == "2020Q4"
    )
    assert len(demo) == 107 * 28
    values = demo[list(indicators.REPORTED_CODES)]
    assert (values >= 0).all().all()
    assert (demo.urban_resident_pop <= demo.resident_pop).all()
    assert (demo.urban_registered_pop <= demo.registered_pop).all()
    assert (demo.loc[demo.period < DEMO_PARAMS["permit_start"], "residence_permits"] == 0).all()


def test_county_stocks_are_the_census_counts_in_2020_and_2010(demo):
    official = load_official_series()
    stocks = census_stocks(official)
    last = demo[demo.period == "2020Q4"].set_index("region_code")
    assert (last.resident_pop == stocks.pop2020.reindex(last.index)).all()
    assert (last.urban_resident_pop == stocks.urban2020.reindex(last.index)).all()
    assert last.resident_pop.sum() == 39_528_999 and last.urban_resident_pop.sum() == 24_769_730
    codes = pd.Series(sorted(stocks.index))
    path = census_path(official, codes, ["2010Q4", "2015Q4", "2020Q4"])
    pop, urban = path["2010Q4"]
    assert pop.sum() == 37_327_379 and urban.sum() == 17_059_337
    assert (pop == stocks.pop2010.reindex(codes).to_numpy()).all()
    # between the censuses: population log-linear, urban share linear in logit (2015Q4: halfway)
    mid_pop, mid_urban = path["2015Q4"]
    expected = np.rint(np.sqrt(stocks.pop2010 * stocks.pop2020).reindex(codes).to_numpy())
    assert (mid_pop == expected).all()
    assert (mid_urban <= mid_pop).all()


def test_cities_are_their_counties_and_the_bulletins_differ_only_for_xian_and_xianyang(demo):
    official = load_official_series()
    reg = load_registry().set_index("code")
    last = demo[demo.period == "2020Q4"].copy()
    group = last.region_code.map(reg.stat_parent_code)
    last["group"] = group.where(group != "610000", last.region_code)
    sums = last.groupby("group").resident_pop.sum()
    bulletins = headline(official).query(
        "year == 2020 and indicator == 'resident_pop' and region_code != '610000'"
    )
    differ = {
        r.region_code for r in bulletins.itertuples() if sums[r.region_code] != round(r.value * 1e4)
    }
    assert differ == {"610100", "610400"}
    assert sums["610100"] == 12_183_280 and sums["610400"] == 4_983_340 - 253_871


def test_registered_population_2015_keeps_the_published_ratio(demo):
    q = demo[demo.period == "2015Q4"]
    ratio = q.registered_pop.sum() / q.resident_pop.sum()
    assert ratio == pytest.approx(DEMO_PARAMS["registered_ratio_2015"], rel=1e-4)


def test_xian_reform_jump_follows_published_reports(demo):
    xian = demo[demo.region_code.str.startswith("6101")]
    total = (xian.settled_rural + xian.settled_other).groupby(xian.period.str[:4]).sum()
    assert total["2017"] - xian[xian.period == "2017Q1"][
        ["settled_rural", "settled_other"]
    ].sum().sum() == pytest.approx(245_000, rel=0.01)
    assert total["2018"] == pytest.approx(750_000, rel=0.01)
    assert total["2018"] > 3 * total["2016"]


def test_seasonality_visible(demo):
    non_xian = demo[~demo.region_code.str.startswith("6101") & (demo.period < "2017Q1")]
    by_q = non_xian.groupby(non_xian.period.str[-1]).settled_rural.sum()
    assert by_q["3"] == by_q.max() and by_q["1"] == by_q.min()
    assert isinstance(by_q, pd.Series) and np.isfinite(by_q).all()
