import numpy as np
import pandas as pd
import pytest

from data.demo.generator import DEMO_PARAMS, generate
from data.reference import indicators
from data.reference.official import headline, load_official_series
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


def test_county_sums_match_published_province(demo):
    official = headline(load_official_series())
    prov = official[official.region_code == "610000"]
    q4 = demo[demo.period.str.endswith("Q4")].groupby(demo.period.str[:4])
    checked = 0
    for ind in ("resident_pop", "urban_resident_pop", "registered_pop"):
        sums = q4[ind].sum()
        for r in prov[(prov.indicator == ind) & prov.year.between(2014, 2020)].itertuples():
            assert sums[str(r.year)] / 1e4 == pytest.approx(r.value, abs=0.005), (ind, r.year)
            checked += 1
    assert checked >= 12


def test_city_sums_match_census_2020(demo):
    official = headline(load_official_series())
    reg = load_registry().set_index("code")
    last = demo[demo.period == "2020Q4"].copy()
    group = last.region_code.map(reg.stat_parent_code)
    last["group"] = group.where(group != "610000", last.region_code)
    sums = last.groupby("group")[["resident_pop", "urban_resident_pop"]].sum()
    census = official[(official.year == 2020) & (official.region_code != "610000")]
    for r in census[census.indicator == "resident_pop"].itertuples():
        assert sums.at[r.region_code, "resident_pop"] == round(r.value * 1e4)
    for r in census[census.indicator == "urban_resident_pop"].itertuples():
        assert sums.at[r.region_code, "urban_resident_pop"] == round(r.value * 1e4)


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
