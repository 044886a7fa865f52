"""The urbanization rate as of a date: every official figure carries the day it became public
(data/reference/official), a forecast as of a quarter uses only what was public by its end,
one trend across the 2020 census break (analytics.urbanization_forecast), and the backtest
as of each year's end beside the naive answer."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

from analytics import urbanization_forecast as uf
from analytics.targets import _rate
from data.reference import official as off_ref
from data.reference.targets import PUBLISHED_TARGETS


@pytest.fixture(scope="module")
def official() -> pd.DataFrame:
    return off_ref.load_official_series()


def test_every_official_row_says_when_it_became_public():
    with open(off_ref.SERIES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        day = pd.Timestamp(r["published"])  # an ISO date on every row
        assert r["published_how"] in ("exact", "approx"), r
        # never before the figure's year has ended (a census counts on 1 November)
        assert day > pd.Timestamp(f"{r['year']}-11-01"), r
        dated = re.search(r"(\d{4}-\d{2}-\d{2})", r["source_title"])
        if r["flag"] == "derived" and dated:  # public with its (latest) source
            assert (r["published"], r["published_how"]) == (dated.group(1), "exact"), r
        if "统计公报" in r["source_title"]:  # the bulletin rule, said to be approximate
            year = int(re.search(r"(\d{4})年", r["source_title"]).group(1))
            assert (r["published"], r["published_how"]) == (f"{year + 1}-03-31", "approx"), r
    census = {r["published"] for r in rows if "第七次全国人口普查" in r["source_title"]}
    assert census == {"2021-05-19"}


def test_county_census_rows_take_their_census_day(official):
    counties = off_ref.census_counties(official)
    days = counties.groupby("year").published.unique()
    assert [list(d) for d in days] == [
        [pd.Timestamp("2011-12-31")],
        [pd.Timestamp("2021-05-19")],
    ]
    assert set(counties.published_how) == {"approx", "exact"}


def test_a_quarter_knows_only_the_rates_public_by_its_end(official):
    years = {q: uf.province_rates(official, q).dropna(subset=["value"]).year.tolist() for q in
             ("2019Q4", "2020Q1", "2021Q1", "2021Q2", "2023Q4", "2025Q4", "2026Q1")}  # fmt: skip
    assert years["2019Q4"][-1] == 2017  # the 2018 rate was never found; 2019's is out in 2020
    assert years["2020Q1"][-1] == 2019  # the 2019 bulletin (rule: 31 March 2020)
    assert 2020 not in years["2021Q1"] and years["2021Q2"][-1] == 2020  # census: 2021-05-19
    assert years["2023Q4"][-1] == 2022  # 2023 is derived from the 2024 bulletin
    assert years["2025Q4"][-1] == 2024 and years["2026Q1"][-1] == 2025  # 2026-01-28


def test_a_forecast_as_of_2023q4_does_not_move_when_the_2024_bulletin_is_added(official):
    target = pd.Series(
        dict(zip(["indicator", "value", "unit", "period", "baseline_period", "source"],
                 next(t for t in PUBLISHED_TARGETS if t[0] == "urbanization_rate"), strict=False))
    )  # fmt: skip
    target["period"], target["value"] = "2025Q4", 68.0  # a target still ahead in 2023
    before = official[official.published <= "2023-12-31"]
    assert len(official) > len(before)  # the 2023 (derived) and 2024 rows exist today
    with_2024 = _rate(target, official, "2023Q4")
    without = _rate(target, before, "2023Q4")
    for key in ("probability", "path", "current_value", "current_period", "method_fields"):
        assert with_2024[key] == without[key], key
    # and they would have moved it: as of 2025Q2 the same forecast is different
    assert _rate(target, official, "2025Q2")["path"] != without["path"]


def test_one_trend_across_the_break_forecasts_on_the_new_basis_from_its_first_point(official):
    before = uf.province_rates(official, "2021Q1")
    after = uf.province_rates(official, "2021Q2")  # the 2020 census is public
    old = uf.fit_across_break(before)
    new = uf.fit_across_break(after)
    assert (old.basis, old.older) == ("census2010", 0)
    assert (new.basis, new.older) == ("census2020", len(before.dropna(subset=["value"])))
    # the old basis is not extrapolated past the break: 2021 is forecast above the published
    # census-basis 2020 (62.66), where the old-basis trend put 2021 at about 62.6
    ahead = new.predict([2021]).iloc[0]
    assert ahead.lower < ahead.value < ahead.upper and ahead.value > 62.66
    assert old.predict([2021]).iloc[0].value < 62.66
    # the level shift is the census revision: the fitted 2020 is the published value
    fitted_2020 = 100 * uf.expit(new.results.fittedvalues[-1])
    assert fitted_2020 == pytest.approx(62.66, abs=1e-6)
    # parameter uncertainty is in the band: wider than the residual scale alone
    pred = new.results.get_prediction(new._exog([2025]))
    assert float(pred.var_pred_mean[0]) > 0
    with pytest.raises(ValueError, match="^too little history: 3 values, need 4$"):
        uf.fit_across_break(after.dropna(subset=["value"]).tail(3))


def test_naive_answer_is_last_value_plus_last_change_never_the_revision_jump():
    known = pd.DataFrame(
        {"year": [2017, 2019, 2020], "value": [56.79, 59.43, 62.66],
         "basis": ["census2010", "census2010", "census2020"]}
    )  # fmt: skip
    # one census-basis year: the pace of the old basis (1.32 a year), from the new level
    assert uf._naive(known, 2022) == pytest.approx(62.66 + 2 * 1.32)
    more = pd.concat([known, pd.DataFrame({"year": [2021], "value": [63.63],
                                           "basis": ["census2020"]})])  # fmt: skip
    assert uf._naive(more, 2023) == pytest.approx(63.63 + 2 * 0.97)


def test_the_backtest_as_of_each_year_uses_only_what_was_public_then(official):
    cases = uf.backtest_as_of(official)
    assert cases.as_of.min() == "2016Q4" and cases.as_of.max() == "2024Q4"
    assert set(cases.h) == {1, 2, 3, 4, 5}
    assert (cases.year - cases.as_of.str[:4].astype(int) == cases.h).all()
    # changing every figure published after 2018 leaves the forecasts as of 2018 alone
    late = official.published > "2018-12-31"
    bent = official.assign(value=np.where(late, official.value * 0.9, official.value))
    a = uf.backtest_as_of(official, 2018, 2018)
    b = uf.backtest_as_of(bent, 2018, 2018)
    assert a.forecast.tolist() == b.forecast.tolist() and a.naive.tolist() == b.naive.tolist()
    assert a.actual.tolist() != b.actual.tolist()
    scores = uf.backtest_scores(cases)
    assert scores.cases.sum() == len(cases)
    one = cases[cases.h == 1]
    held = ((one.lower95 <= one.actual) & (one.actual <= one.upper95)).mean()
    assert scores.set_index("h").at[1, "coverage95_out_of_sample"] == held
    assert scores.set_index("h").at[1, "mae_naive"] == (one.naive - one.actual).abs().mean()


def test_the_new_basis_takes_a_pace_of_its_own_from_its_third_year(official):
    """Two census-basis years: their level, the older basis's pace (with its uncertainty);
    three: a pace of their own, the variance pooled over both bases."""
    two = uf.fit_across_break(uf.province_rates(official, "2022Q4"))  # 2020, 2021
    three = uf.fit_across_break(uf.province_rates(official, "2023Q4"))  # 2020-2022
    assert two.own_pace_from is None and len(two.results.params) == 3
    assert three.own_pace_from == 2020 and len(three.results.params) == 4
    # the new basis's fitted pace is its own: slower than the older basis's
    assert three.results.params[3] < 0
