"""The data-quality scorecard (analytics.quality): receipt dates, revisions and confirmed
warnings as the store keeps them (SQLite and PostgreSQL), scores by hand, the city rule, the
demo calendar, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import quality
from cli.main import main
from data.intake.ingest import ingest
from data.intake.template import write_return
from data.store.audit import confirmed_flags
from data.store.observations import value_history
from geo.regions import load_registry
from tests.fixtures.actors import SYSTEM
from tests.fixtures.workbooks import tongchuan_frame

TONGCHUAN = ("610202", "610203", "610204", "610222")


def _return(tmp_path, period: str, settled_610202: int = 100) -> bytes:
    frame = tongchuan_frame({("610202", "settled_rural"): settled_610202})
    return write_return(tmp_path / f"{period}_{settled_610202}.xlsx", period, frame).read_bytes()


def _received(period: str, days: int):
    return (quality.quarter_end(period) + pd.Timedelta(days=days)).to_pydatetime()


@pytest.fixture
def tongchuan(initialised, tmp_path):
    """Tongchuan's four counties report 2016Q1-2017Q1 (received 10, 15, 30, 12 and 5 days
    after each quarter); in 2017Q1 one county's settlement count is 10,000 times too big (a
    unit slip, confirmed at upload) and is corrected 25 days after the quarter."""
    engine = initialised
    for period, days in (("2016Q1", 10), ("2016Q2", 15), ("2016Q3", 30), ("2016Q4", 12)):
        r = ingest(_return(tmp_path, period), f"{period}.xlsx", SYSTEM, accept_warnings=True,
                   engine=engine, received_at=_received(period, days))  # fmt: skip
        assert r.status == "committed", r.errors
    slip = _return(tmp_path, "2017Q1", 100 * 10_000)
    refused = ingest(slip, "slip.xlsx", SYSTEM, engine=engine, received_at=_received("2017Q1", 5))
    assert refused.status == "needs_confirmation"
    assert refused.flags == {("610202", "2017Q1", "unit_slip"): 1}
    r = ingest(slip, "slip.xlsx", SYSTEM, accept_warnings=True, engine=engine,
               received_at=_received("2017Q1", 5))  # fmt: skip
    assert r.status == "committed"
    fixed = ingest(_return(tmp_path, "2017Q1"), "fixed.xlsx", SYSTEM, replace=True,
                   accept_warnings=True, engine=engine, received_at=_received("2017Q1", 25))  # fmt: skip
    assert fixed.status == "committed"
    return engine


def test_the_store_keeps_receipt_dates_revisions_and_confirmed_warnings(tongchuan):
    history = value_history(tongchuan).set_index(["region_code", "period"])
    assert len(history) == 4 * 5
    first = history.loc[("610202", "2017Q1")]
    assert first.first_at == pd.Timestamp("2017-04-05", tz="UTC")  # the first receipt
    assert (first["values"], first.held, first.revised) == (8, 7, 1)  # 7 + the correction
    assert history.loc[("610203", "2016Q3")].first_at == pd.Timestamp("2016-10-30", tz="UTC")
    flags = confirmed_flags(tongchuan)
    # the refused upload confirmed nothing: only the committed one counts
    assert flags.to_dict("records") == [
        {"region_code": "610202", "period": "2017Q1", "rule": "unit_slip", "n": 1}
    ]


def test_county_and_city_scores_by_hand(tongchuan):
    history, flags, reg = value_history(tongchuan), confirmed_flags(tongchuan), load_registry()
    table = quality.scorecard(history, flags, reg, "2017Q1", "county", due_days=20)
    assert table.attrs["quarters"] == ["2016Q2", "2016Q3", "2016Q4", "2017Q1"]
    row = table.set_index("office").loc["610202"]
    # on time 3 of 4 (30 days in 2016Q3); revised and flagged in 1 of 4 quarters
    assert (row.on_time, row.days, row.completeness) == (0.75, 13.5, 1.0)
    assert (row.revised, row.flagged, row.revised_values, row.unit_slip) == (0.25, 0.25, 1, 1)
    assert row.score == pytest.approx(40 * 0.75 + 30 + 15 * 0.75 + 15 * 0.75)  # 82.5
    assert row.grade == "B"
    clean = table.set_index("office").loc["610203"]
    assert clean.score == pytest.approx(90.0) and clean.grade == "A"
    never = table.set_index("office").loc["610102"]  # a Xi'an district: never submitted
    assert np.isnan(never.days) and never.on_time == 0 and never.completeness == 0
    assert never.score == pytest.approx(30.0) and never.grade == "D"
    assert list(table["rank"]) == list(range(1, 108)) and table.score.is_monotonic_decreasing
    city = quality.scorecard(history, flags, reg, "2017Q1", "city", due_days=20)
    assert len(city) == 11
    top = city.iloc[0]
    assert top.office == "610200" and top.score == pytest.approx(82.5) and top.days == 13.5
    # a longer deadline puts 2016Q3 on time
    late_ok = quality.scorecard(history, flags, reg, "2017Q1", "city", due_days=30)
    assert late_ok.iloc[0].on_time == 1.0
    trend = quality.trend(history, flags, reg, ["610200"], "2017Q1", "city", due_days=20)
    assert trend.score.round(2).tolist() == [100.0, 100.0, 60.0, 100.0, 70.0]


def test_a_city_is_on_time_only_when_every_county_is():
    reg = load_registry()
    end = quality.quarter_end("2020Q1")
    history = pd.DataFrame(
        {
            "region_code": list(TONGCHUAN),
            "period": "2020Q1",
            "first_at": [end + pd.Timedelta(days=d) for d in (3, 5, 8, 40)],
            "values": 7,
            "held": 7,
            "revised": [0, 0, 2, 0],
            "is_demo": False,
        }
    )
    flags = pd.DataFrame(columns=["region_code", "period", "rule", "n"])
    city = quality.scorecard(history, flags, reg, "2020Q1", "city", window=1, due_days=20)
    row = city.set_index("office").loc["610200"]
    assert (row.on_time, row.days, row.revised, row.revised_values) == (0.0, 40.0, 1.0, 2)
    missing = history.iloc[:3]  # 宜君县 never came: no day the city was complete
    row = quality.scorecard(missing, flags, reg, "2020Q1", "city", window=1, due_days=20)
    row = row.set_index("office").loc["610200"]
    assert np.isnan(row.days) and row.on_time == 0 and row.completeness == 0.75


def test_score_and_grade_rule():
    assert quality.score(1, 1, 0, 0) == 100
    assert quality.score(0.5, 1, 0.25, 0) == pytest.approx(20 + 30 + 11.25 + 15)
    assert [quality.grade(v) for v in (100, 90, 89.9, 75, 60, 59.9)] == list("AABBCD")
    with pytest.raises(ValueError, match="unknown level 'province': county or city"):
        quality.scorecard(pd.DataFrame(), pd.DataFrame(), load_registry(), "2020Q1", "province")


def test_the_demo_calendar_is_true_to_life_and_ends_on_the_generated_values(demo_store):
    from data import store
    from data.demo.generator import generate
    from data.store.observations import read_observations

    eng = store.get_engine(demo_store["url"])
    from data.store.audit import confirmed_flags
    from data.store.observations import value_history
    from geo.regions import load_registry

    history, flags = value_history(eng), confirmed_flags(eng)
    table = quality.scorecard(history, flags, load_registry(), None, "city", window=28)
    assert table.attrs["demo"] and len(table) == 11
    assert (table.grade == "A").any() and table.grade.isin(["C", "D"]).any()  # some are late
    assert table.revised_values.sum() > 0 and table.outlier.sum() > 0  # corrections, flags
    # the corrections restore the generated values: the store ends where the generator does
    obs = read_observations(eng).pivot_table(
        index=["region_code", "period"], columns="indicator", values="value"
    )
    want = generate().set_index(["region_code", "period"])[obs.columns]
    pd.testing.assert_frame_equal(
        obs.sort_index().astype("int64"), want.sort_index(), check_names=False
    )


def test_cli_quality(demo_store, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = CliRunner().invoke(main, ["quality", "--json", "--level", "city"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["through"] == "2020Q4" and data["quarters"][0] == "2020Q1"
    assert data["due_days"] == 20 and data["demo"] and data["rule"] == quality.RULE
    assert [o["rank"] for o in data["offices"]] == list(range(1, 12))
    assert {o["name"] for o in data["offices"]} >= {"西安市", "杨凌示范区"}
    text = CliRunner().invoke(main, ["quality", "--lang", "en", "--period", "2018Q4"])
    assert text.exit_code == 0 and "2018Q1-2018Q4" in text.output and "Xi'an" in text.output
    bad = CliRunner().invoke(main, ["quality", "--period", "2018Q5"])
    assert bad.exit_code == 1
    assert "unparseable period '2018Q5' (expected e.g. 2016Q3 or 2016年第三季度)" in bad.output
