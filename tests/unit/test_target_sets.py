"""Target sets: the published 2015 interim and 2020 plan sets, a set an admin adds with its
source, the default a page opens on, projections of one set, and what an old store (targets
stored before sets) becomes on init. Store tests on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from analytics.targets import default_target_set, project_targets, set_target
from analytics.targets import target_sets as sets_of
from cli.main import main
from data import store
from data.store.bootstrap import init_store
from data.store.models import Target
from data.store.snapshot import read_snapshot
from data.store.targets import read_target_sets, read_targets
from geo.regions import PROVINCE_CODE
from tests.fixtures.actors import admin

SOURCE = "陕西省某规划（测试用来源）"


def target_sets(eng):
    """The sets as a page shows them, from the store."""
    return sets_of(read_target_sets(eng), read_targets(eng))


@pytest.fixture
def eng(initialised):
    return initialised


def test_published_sets_hold_the_published_targets(eng):
    sets = target_sets(eng).set_index("name")
    assert sets.loc["plan-2015", "horizon"] == "2015Q4" and sets.loc["plan-2015", "targets"] == 2
    assert sets.loc["plan-2020", "horizon"] == "2020Q4" and sets.loc["plan-2020", "targets"] == 2
    assert sets.loc["plan-2020", "source"].startswith("《陕西省新型城镇化规划（2014—2020年）》")
    targets = read_targets(eng, "610000")
    assert dict(zip(targets.period, targets.set_name, strict=True)) == {
        "2015Q4": "plan-2015",
        "2020Q4": "plan-2020",
    }


def test_an_admin_adds_a_set_with_its_source_and_it_becomes_the_default(eng):
    set_target(
        eng, "urbanization_rate", "610000", 70.0, "2030Q4", None, SOURCE, admin(), "plan-2030"
    )
    sets = target_sets(eng).set_index("name")
    assert (
        sets.loc["plan-2030", "source"] == SOURCE and sets.loc["plan-2030", "horizon"] == "2030Q4"
    )
    # the nearest set still ahead of today, else the latest
    assert default_target_set(target_sets(eng), "2026Q4") == "plan-2030"
    assert default_target_set(target_sets(eng), "2019Q2") == "plan-2020"
    assert default_target_set(target_sets(eng), "2014Q3") == "plan-2015"


def test_without_a_new_set_the_latest_published_is_the_default(eng):
    assert default_target_set(target_sets(eng), "2026Q4") == "plan-2020"


def test_a_city_allocation_joins_the_set_of_the_province_target(eng):
    set_target(eng, "settled_cumulative", "610100", 3_000_000, "2020Q4", "2014Q1", SOURCE, admin())
    row = read_targets(eng, "610100").iloc[0]
    assert row.set_name == "plan-2020"


def test_projecting_one_set(demo_copy):
    eng = demo_copy["engine"]
    records = project_targets(read_snapshot(eng), as_of="2020Q4", target_set="plan-2015")
    assert {(r["indicator"], r["target_period"], r["set_name"]) for r in records} == {
        ("settled_cumulative", "2015Q4", "plan-2015"),
        ("urbanization_rate", "2015Q4", "plan-2015"),
    }
    with pytest.raises(ValueError, match="^no targets for region 610000 in the target set nope$"):
        project_targets(read_snapshot(eng), as_of="2020Q4", target_set="nope")


def test_targets_stored_before_sets_get_theirs_on_init(eng):
    with store.transaction(eng) as sess:
        sess.execute(update(Target).values(set_name=None))
    assert read_targets(eng).set_name.isna().all()
    init_store(eng)
    assert set(read_targets(eng, "610000").set_name) == {"plan-2015", "plan-2020"}


def test_cli_target_set_with_a_new_set(admin_cli):
    runner = admin_cli
    out = runner.invoke(
        main,
        ["target-set", "--indicator", "urbanization_rate", "--value", "70", "--period",
         "2030Q4", "--source", SOURCE, "--set", "plan-2030", "--user", "root"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    listing = runner.invoke(main, ["targets"]).output
    assert f"set plan-2030    horizon 2030Q4  {SOURCE}" in listing
    assert "[plan-2030]" in listing
    too_long = runner.invoke(
        main,
        ["target-set", "--indicator", "urbanization_rate", "--value", "70", "--period",
         "2031Q4", "--source", SOURCE, "--set", "x" * 61, "--user", "root"],
    )  # fmt: skip
    assert too_long.exit_code != 0
    assert "目标组名称过长：61 个字符，最多 60 个" in too_long.output + too_long.stderr
    assert "x" * 61 not in runner.invoke(main, ["targets"]).output  # nothing written
    listed = json.loads(runner.invoke(main, ["targets", "--json"]).output)
    assert [t["set_name"] for t in listed if t["period"] == "2030Q4"] == ["plan-2030"]


def test_a_rate_only_set_keeps_the_other_indicators_headline_targets(eng):
    from analytics.scenarios import of_set

    set_target(
        eng, "urbanization_rate", "610000", 70.0, "2030Q4", None, SOURCE, admin(), "plan-2030"
    )
    targets = of_set(read_targets(eng, PROVINCE_CODE), "plan-2030")
    rates = targets[targets.indicator == "urbanization_rate"]
    assert rates.period.tolist() == ["2030Q4"]
    assert set(targets[targets.indicator == "settled_cumulative"].period) == {"2015Q4", "2020Q4"}
    assert of_set(read_targets(eng, PROVINCE_CODE), None).equals(read_targets(eng, PROVINCE_CODE))


def test_the_headline_prefers_the_chosen_set():
    from analytics.overview import headline

    def rec(ind, period, set_name):
        return {"indicator": ind, "target_period": period, "set_name": set_name, "as_of": "2020Q4"}

    records = [
        rec("settled_cumulative", "2015Q4", "plan-2015"),
        rec("settled_cumulative", "2020Q4", "plan-2020"),
        rec("urbanization_rate", "2015Q4", "plan-2015"),
        rec("urbanization_rate", "2020Q4", "plan-2020"),
    ]
    first = [r["target_period"] for r in headline(records)[:2]]
    assert first == ["2020Q4", "2020Q4"]
    preferred = [(r["target_period"], r["set_name"]) for r in headline(records, "plan-2015")[:2]]
    assert preferred == [("2015Q4", "plan-2015"), ("2015Q4", "plan-2015")]


def test_the_brief_leads_with_the_chosen_set(demo_copy):
    from analytics.render.brief import brief_data
    from data.store.snapshot import read_records, read_snapshot

    read = read_snapshot(demo_copy["engine"]), read_records(demo_copy["engine"])

    data = brief_data(*read, "2020Q4", "zh", "plan-2015")
    assert [r["target_period"] for r in data["records"][:2]] == ["2015Q4", "2015Q4"]
    data = brief_data(*read, "2020Q4", "zh")
    assert [r["target_period"] for r in data["records"][:2]] == ["2020Q4", "2020Q4"]


def test_a_rate_target_stands_at_the_newest_published_year_unless_a_date_is_asked(demo_copy):
    """Returns end at 2020Q4 but the province's rate is published through 2025: without a
    date, a 2030 rate target is judged on 2025 (67.17%, public on 2026-01-28, so as of
    2026Q1); as of 2020Q4, on 2019 (59.43%: the 2020 census was public on 2021-05-19)."""
    eng = demo_copy["engine"]
    set_target(eng, "urbanization_rate", "610000", 70.0, "2030Q4", None, "src", admin(), "t-2030")
    (now,) = project_targets(read_snapshot(eng), target_set="t-2030")
    assert (now["current_value"], now["current_period"], now["as_of"]) == (67.17, "2025", "2026Q1")
    assert now["closed"] is False and now["reach_period"] == "2029"
    (then,) = project_targets(read_snapshot(eng), as_of="2020Q4", target_set="t-2030")
    assert (then["current_value"], then["current_period"], then["as_of"]) == (
        59.43,
        "2019",
        "2020Q4",
    )
    # the settlement targets keep the latest complete quarter of returns
    settled = [
        r for r in project_targets(read_snapshot(eng)) if r["indicator"] == "settled_cumulative"
    ]
    assert {r["as_of"] for r in settled} == {"2020Q4"}
