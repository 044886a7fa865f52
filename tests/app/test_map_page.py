"""AppTest: the map page renders every level x indicator, drills into a city and back."""

import pytest

from analytics.maps import MAP_INDICATORS
from data.i18n import messages
from tests.fixtures.actors import admin


@pytest.fixture
def map_page(demo_store, app_on):
    make = app_on(demo_store["url"])

    def open_map(lang="zh"):
        at = make(lang).run()
        at.switch_page("pages/map_page.py").run()
        assert not at.exception, at.exception
        return at

    return open_map


@pytest.mark.parametrize("level", ["city", "county"])
def test_level_and_indicator_render(map_page, level):
    """Every indicator the page offers at each level, one after the other in one session, as a
    person goes through the list (a new session per indicator rebuilt every cache: 26 cold
    starts)."""
    at = map_page()
    at.radio(key="map_level").set_value(level).run()
    for indicator in [i for i in MAP_INDICATORS if i != "target_share"]:
        at.selectbox(key="map_indicator").set_value(indicator).run()
        assert not at.exception, (indicator, at.exception)
        table = at.dataframe[0].value
        assert len(table) == (11 if level == "city" else 107), indicator
        assert table.iloc[:, 2].notna().all(), indicator


def test_the_table_shows_figures_to_the_indicators_precision(map_page):
    import json

    at = map_page("en")
    at.selectbox(key="map_indicator").set_value("settled_cumulative").run()
    config = json.loads(at.dataframe[0].proto.columns)
    value = "Settled, cumulative since 2014 (10,000 persons)"
    assert value in at.dataframe[0].value.columns, list(at.dataframe[0].value.columns)
    assert config[value]["type_config"]["format"] == "%.1f"  # 242.3, never 242.3324
    assert config["Change on previous quarter"]["type_config"]["format"] == "%.1f"
    assert str(at.dataframe[0].value["Rank"].dtype) == "Int64"  # 10, never 10.0


def test_drill_into_city_and_back(map_page):
    at = map_page()
    at.selectbox(key="map_city").set_value("610200").run()
    assert len(at.dataframe[0].value) == 4
    back = next(b for b in at.button if b.label == "返回全省")
    back.click().run()
    assert at.selectbox(key="map_city").value == "610000"
    assert len(at.dataframe[0].value) == 11


def test_search_finds_old_names_and_jumps(map_page):
    at = map_page()
    at.text_input(key="map_search").input("户县").run()
    assert "户县 → 鄠邑区（610118），属 西安市" in [c.value for c in at.caption]
    assert at.selectbox(key="map_city").value == "610100"
    assert len(at.dataframe[0].value) == 13
    assert at.session_state["map_highlight"] == "610118"


def _map_figure(at) -> dict:
    import json

    charts = at.get("plotly_chart")
    return json.loads(charts[0].proto.spec)  # the map comes first, the ranking after it


def test_the_map_plays_every_complete_quarter_in_order(map_page):
    """The map carries its own playback (plotly frames, played in the browser without running
    the page again): one frame per complete quarter in time order, the play button plays
    exactly those, one step a fixed pace apart, and the quarter shown is written on the map."""
    from analytics.render.playback import PLAY_PACE_MS
    from data.reference import periods

    at = map_page()
    fig = _map_figure(at)
    frames = [f["name"] for f in fig["frames"]]
    assert frames == periods.quarter_range("2014Q1", "2020Q4")
    play = fig["layout"]["updatemenus"][0]["buttons"][0]
    assert play["label"] == "▶ 播放" and play["args"][0] == frames
    assert play["args"][1]["frame"]["duration"] == PLAY_PACE_MS
    assert fig["layout"]["annotations"][0]["text"] == "2020Q4"
    assert [f["layout"]["annotations"][0]["text"] for f in fig["frames"]][-1] == "2020Q4"
    # each frame recolours the one region trace only: the map's style (names, background) is
    # never sent again, so the browser keeps the map and draws each quarter over the last
    assert all(f["traces"] == [0] and list(f["layout"]) == ["annotations"] for f in fig["frames"])
    assert all(len(f["data"][0]["z"]) == 11 for f in fig["frames"])
    caption = "地图上的“▶ 播放”依次显示2014Q1至2020Q4各完整季度"
    assert any(c.value.startswith(caption) for c in at.caption)
    assert not at.exception


def test_play_covers_complete_quarters_only(demo_copy, app_on):
    """铜川 alone has sent 2021Q1: leaders do not see the unreleased quarter; with "include
    provisional" on, playback still ends at 2020Q4, the last complete quarter, never stepping
    into the quarter still coming in; the quarter can be picked and drawn."""
    from tests.fixtures import workbooks as wb

    wb.tongchuan_sends_2021q1(demo_copy["engine"])
    at = app_on(demo_copy["url"])("zh").run()
    at.switch_page("pages/map_page.py").run()
    assert at.select_slider(key="map_period").options[-1] == "2020Q4"  # released only
    assert not at.warning  # no provisional label while it is off
    at.toggle(key="provisional").set_value(True).run()
    assert [w.value for w in at.warning] == ["含未发布数据：包括尚未审核发布的季度，数值可能修改"]
    assert "2021Q1" in at.select_slider(key="map_period").options  # offered to pick
    assert at.select_slider(key="map_period").value == "2020Q4"
    assert [f["name"] for f in _map_figure(at)["frames"]][-1] == "2020Q4"
    at.select_slider(key="map_period").set_value("2021Q1").run()
    fig = _map_figure(at)
    assert fig["layout"]["annotations"][0]["text"] == "2021Q1"  # drawn, not played
    assert [f["name"] for f in fig["frames"]][-1] == "2020Q4"
    assert "2021Q1" not in fig["layout"]["updatemenus"][0]["buttons"][0]["args"][0]
    assert not at.exception


def cli_offered(url: str, tmp_path) -> list[str]:
    """What `urbdash map --list` offers on the store at ``url``, by the map page's labels."""
    from click.testing import CliRunner

    from cli.main import main

    env = {"URBDASH_DATABASE_URL": url, "URBDASH_VAR_DIR": str(tmp_path)}
    result = CliRunner(env=env).invoke(main, ["map", "--list", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    return [line.split("\t")[1] for line in result.output.splitlines()]


def test_target_share_offered_once_allocations_exist(demo_copy, app_on, tmp_path):
    from analytics.targets import set_target

    make = app_on(demo_copy["url"])  # a private store: the allocation must not leak

    def map_page():
        at = make().run()
        at.switch_page("pages/map_page.py").run()
        assert not at.exception, at.exception
        return at

    at = map_page()
    assert "累计落户占分配目标比例" not in at.selectbox(key="map_indicator").options
    # the command line offers what the page does (here, and once an allocation is set)
    assert cli_offered(demo_copy["url"], tmp_path) == at.selectbox(key="map_indicator").options
    set_target(
        demo_copy["engine"],
        "settled_cumulative",
        "610100",
        2_500_000,
        "2020Q4",
        "2014Q1",
        "演示分配",
        admin(),
    )
    import streamlit as st

    st.cache_data.clear()  # the app re-reads targets within a minute; the test does not wait
    at = map_page()
    assert "累计落户占分配目标比例" in at.selectbox(key="map_indicator").options
    assert cli_offered(demo_copy["url"], tmp_path) == at.selectbox(key="map_indicator").options
    at.selectbox(key="map_indicator").set_value("target_share").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("代码")
    assert table.iloc[:, 1].notna().sum() == 1 and table.loc["610100"].iloc[1] > 0


def _text(at) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_census_indicators_are_real_with_their_source_and_basis(demo_store, app_on, lang):
    # chosen before the page opens: AppTest formats a widget's value outside the script, in
    # Chinese, so an English page cannot be rerun from the test after it has drawn its widgets
    at = app_on(demo_store["url"])(lang).run()
    at.session_state["map_indicator"] = "census_rate_2020"
    at.switch_page("pages/map_page.py").run()
    assert not at.exception, at.exception
    text = _text(at)
    # real figures: no demo label, the census and its boundary named, the two bases apart
    assert not [b for b in at.get("badge") if "示例" in str(b.proto) or "demo" in str(b.proto)]
    assert messages.t("demo.explain", lang) not in text
    assert (
        "普查年鉴，按行政区划统计" if lang == "zh" else "counted by administrative boundary"
    ) in text
    assert ("12,183,280 人" if lang == "zh" else "12,183,280 persons here") in text
    assert "12,952,907" in text and "4,729,469" in text and "3,959,842" in text
    assert not at.select_slider  # no quarter to pick for a census
    table = at.dataframe[0].value.set_index(at.dataframe[0].value.columns[0])
    # 西安市 2020: 9,723,308 urban of 12,183,280 residents (yearbook); beside it 2010's rate
    assert table.iloc[:, 1]["610100"] == pytest.approx(100 * 9_723_308 / 12_183_280)
    assert table.iloc[:, 2]["610100"] == pytest.approx(
        100 * 9_723_308 / 12_183_280 - 100 * 5_842_704 / 8_467_838
    )


def test_census_county_map_has_every_county_and_a_change_in_persons(map_page):
    at = map_page()
    at.radio(key="map_level").set_value("county").run()
    at.selectbox(key="map_indicator").set_value("census_pop_change").run()
    table = at.dataframe[0].value
    assert len(table) == 107 and table.iloc[:, 2].notna().all()
    by_code = table.set_index(table.columns[0]).iloc[:, 1]
    # 鄠邑区 (户县 610125 in 2010): 2020 minus 2010, in 万人
    assert by_code["610118"] == pytest.approx((609_181 - 556_377) / 1e4)
    assert list(table.columns[1:3]) == ["地区", "普查：常住人口变化 2010—2020年 (万人)"]


def test_census_map_without_any_returns(app_on, tmp_path):
    """A store with no returns yet still shows the real census maps (as the CLI draws them)."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    make = app_on(url)
    at = make().run()
    at.switch_page("pages/map_page.py").run()
    assert not at.exception, at.exception
    options = at.selectbox(key="map_indicator").options
    assert len(options) == 7 and all(o.startswith("普查：") for o in options)
    assert cli_offered(url, tmp_path) == options
    assert len(at.dataframe[0].value) == 11


def test_clusters_toggle_draws_lisa_classes_with_the_global_statistic(map_page, demo_store):
    """Counties, a census indicator, clusters on: the map draws the LISA classes (legend with
    counts and the significance level), the page states Moran's I and the method, and the table
    gains each county's class; the numbers are those of the CLI's analytics."""
    from analytics.clusters import county_clusters
    from data import store
    from data.store.observations import read_observations, read_official
    from geo.regions import load_registry

    at = map_page()
    at.radio(key="map_level").set_value("county").run()
    at.selectbox(key="map_indicator").set_value("census_rate_change").run()
    at.toggle(key="map_clusters").set_value(True).run()
    assert not at.exception, at.exception
    eng = store.get_engine(demo_store["url"])
    want = county_clusters(
        read_observations(eng), load_registry(), "census_rate_change", None, read_official(eng)
    )
    text = _text(at)
    assert f"全局Moran's I = {want.moran_i:.3f}" in text and "999次置换" in text
    assert "queen邻接权重" in text
    import json

    names = [t.get("name") for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    for kind in ("hh", "ll", "ns"):
        n = int((want.counties.cluster == kind).sum())
        label = messages.t(f"clusters.class.{kind}", "zh", alpha=0.05)
        assert f"{label} ({n})" in names, (label, names)
    table = at.dataframe[0].value.set_index("代码")
    classes = want.counties.set_index("code").cluster
    assert table.at["610102", "聚集类型"] == messages.t(
        f"clusters.class.{classes['610102']}", "zh", alpha=0.05
    )
    # at city level the page says clusters are counted over counties
    at.radio(key="map_level").set_value("city").run()
    assert "空间聚集按县计算" in _text(at)
