"""AppTest: the data-quality page ranks the reporting offices by the rule it states, filters
counties by city, draws the trend of the lowest and offers the scorecard as CSV and XLSX."""

import json

from analytics import quality


def test_quality_page_ranks_cities_and_counties(demo_store, app_on):
    from data import store

    at = app_on(demo_store["url"])("zh").run()
    at.switch_page("pages/quality_page.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "各上报单位的数据质量"
    from data.store.audit import confirmed_flags
    from data.store.observations import value_history
    from geo.regions import load_registry

    eng = store.get_engine(demo_store["url"])
    history, flags = value_history(eng), confirmed_flags(eng)
    want = quality.scorecard(history, flags, load_registry(), "2020Q4", "city")
    (table,) = [d.value for d in at.dataframe]
    assert list(table["单位"]) == list(want.name) and list(table["等级"]) == list(want.grade)
    assert list(table["名次"]) == list(range(1, 12))
    assert table["按期报送"].iloc[-1] == f"{want.on_time.iloc[-1]:.0%}"
    grades = {m.label: m.value for m in at.metric}
    assert sum(int(v) for v in grades.values()) == 11
    assert grades["A级"] == str(int((want.grade == "A").sum()))
    captions = " ".join(c.value for c in at.caption)
    assert "评分规则：得分 = 40 × 按期报送的季度占比" in captions
    assert "示例数据的报送日期由示例生成器按固定规则编排" in captions
    assert "2020Q1至2020Q4，共4个季度" in captions
    assert len(at.get("download_button")) == 2
    # the three lowest are drawn by default
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    picked = at.multiselect(key="q_trend_city").value
    assert set(picked) == set(want.office.iloc[-3:])
    names = dict(zip(want.office, want.name, strict=True))
    assert [t["name"] for t in chart["data"] if t.get("mode")] == [names[o] for o in picked]
    # counties, one city: 铜川市's four
    at.radio(key="q_level").set_value("county").run()
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe if "所属市" in d.value.columns]
    assert len(table) == 107
    at.multiselect(key="q_cities").set_value(["610200"]).run()
    (table,) = [d.value for d in at.dataframe if "所属市" in d.value.columns]
    assert set(table["所属市"]) == {"铜川市"} and len(table) == 4
    # the whole history: corrections and confirmed warnings show
    at.selectbox(key="q_window").set_value(28).run()
    assert not at.exception, at.exception
    assert "2014Q1至2020Q4，共28个季度" in " ".join(c.value for c in at.caption)


def test_quality_page_in_english(demo_store, app_on):
    at = app_on(demo_store["url"])("en").run()
    at.switch_page("pages/quality_page.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Data quality of each reporting office"
    (table,) = [d.value for d in at.dataframe]
    assert {"Office", "Grade", "Score", "On time", "Days", "Warnings"} <= set(table.columns)
    assert "Xi'an" in set(table["Office"]) and "Yangling Demonstration Zone" in set(table["Office"])
    assert any(c.value.startswith("Grade rule: score = 40 x") for c in at.caption)
