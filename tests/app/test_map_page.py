"""AppTest: the map page renders every level x indicator, drills into a city and back."""

import pytest

from analytics.maps import MAP_INDICATORS
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


@pytest.mark.parametrize("indicator", [i for i in MAP_INDICATORS if i != "target_share"])
@pytest.mark.parametrize("level", ["city", "county"])
def test_level_and_indicator_render(map_page, level, indicator):
    at = map_page()
    at.radio(key="map_level").set_value(level).run()
    at.selectbox(key="map_indicator").set_value(indicator).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == (11 if level == "city" else 107)
    assert table.iloc[:, 2].notna().all()


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


def test_play_steps_through_quarters(map_page):
    at = map_page()
    assert [b.label for b in at.button if b.key == "map_play_button"] == ["播放"]
    at.session_state["map_period"] = "2019Q4"
    at.session_state["map_playing"] = True
    at.run(timeout=30)  # each run shows the next quarter and reruns until the last
    assert at.select_slider(key="map_period").value == "2020Q4"
    assert at.session_state["map_playing"] is False
    assert not at.exception


def test_target_share_offered_once_allocations_exist(demo_copy, app_on):
    from analytics.targets import set_target

    make = app_on(demo_copy["url"])  # a private store: the allocation must not leak

    def map_page():
        at = make().run()
        at.switch_page("pages/map_page.py").run()
        assert not at.exception, at.exception
        return at

    at = map_page()
    assert "累计落户占分配目标比例" not in at.selectbox(key="map_indicator").options
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
    at.selectbox(key="map_indicator").set_value("target_share").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("代码")
    assert table.iloc[:, 1].notna().sum() == 1 and table.loc["610100"].iloc[1] > 0
