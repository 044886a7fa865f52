"""AppTest: the overview (landing), trends and key-tasks pages, in both languages."""

import json

import pytest

from analytics import results
from tests.app.conftest import caught_up
from tests.fixtures.actors import admin


@pytest.fixture
def app(demo_store, app_on):
    return app_on(demo_store["url"])


def _text(at) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [s.value for s in at.subheader]
    )


@pytest.mark.parametrize(
    "lang,heading,badge,reported",
    [
        ("zh", "陕西省城镇化与户籍制度改革进展", "示例数据", "已上报 107/107（2020Q4）"),
        ("en", "Shaanxi: urbanization and hukou", "Demo data", "Reported 107/107"),
    ],
)
def test_overview_is_the_landing_page(app, lang, heading, badge, reported):
    at = app(lang).run()
    assert not at.exception, at.exception
    text = _text(at)
    assert heading in text and badge in text and reported in text
    # both headline targets with target and final value (judged: see the test below)
    assert "1,000万" in text if lang == "zh" else "10.0 million" in text
    assert "62.00%" in text and "62.66%" in text
    # five cities ahead and behind, ranked by settlements per 10,000 residents (no allocations)
    ahead, behind = at.dataframe[0].value, at.dataframe[1].value
    assert len(ahead) == 5 and len(behind) == 5
    col = ahead.columns[1]
    assert ahead[col].is_monotonic_decreasing and behind[col].is_monotonic_increasing
    assert not set(ahead.iloc[:, 0]) & set(behind.iloc[:, 0])


def test_overview_ranks_by_allocation_once_set(demo_copy, app_on):
    from analytics.targets import set_target

    url, eng = demo_copy["url"], demo_copy["engine"]
    set_target(
        eng, "settled_cumulative", "610100", 3_000_000, "2020Q4", "2014Q1", "测试分解", admin()
    )
    set_target(
        eng, "settled_cumulative", "610200", 100_000, "2020Q4", "2014Q1", "测试分解", admin()
    )
    at = app_on(url)("zh").run()
    assert not at.exception, at.exception
    ahead = at.dataframe[0].value
    # 铜川 has settled more than its allocation (lead > 0), 西安 less (lead < 0)
    assert list(ahead.iloc[:, 0]) == ["铜川市", "西安市"]
    assert ahead.columns[1] == "领先（百分点）"
    assert "分解目标" in _text(at)


def test_overview_without_returns(tmp_path, app_on):
    at = app_on(f"sqlite:///{tmp_path / 'empty.sqlite'}")().run()
    assert not at.exception
    assert "urbdash demo" in at.info[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trends_two_cities_per_10k(app, lang):
    at = app(lang).run()
    at.switch_page("pages/trends_page.py").run()
    assert not at.exception, at.exception
    at.radio(key="trend_level").set_value("city").run()
    at.multiselect(key="trend_regions_city").set_value(["610100", "610200"]).run()
    at.radio(key="trend_mode").set_value("per_10k").run()
    assert not at.exception, at.exception
    chart = at.get("plotly_chart")[0].proto.spec
    assert '"type":"category"' in chart.replace(" ", "")  # quarters read as periods
    assert "2,014" not in chart
    at.radio(key="trend_change").set_value("yoy").run()
    at.toggle(key="trend_multiples").set_value(True).run()
    assert not at.exception, at.exception
    assert any(("示例数据" if lang == "zh" else "Demo data") in m.value for m in at.markdown)


def test_trends_target_lines_on_cumulative(app):
    at = app("zh").run()
    at.switch_page("pages/trends_page.py").run()
    at.selectbox(key="trend_indicator").set_value("settled_cumulative").run()
    assert not at.exception, at.exception
    spec = json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec), ensure_ascii=False)
    assert "目标 10,000,000（2020Q4）" in spec and "目标 6,000,000（2015Q4）" in spec
    assert any("陕西省新型城镇化规划" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tasks_page_update_and_department_view(tmp_path, app_on, lang):
    from data import store
    from data.store.bootstrap import init_store

    url = f"sqlite:///{tmp_path / 'tasks.sqlite'}"
    init_store(store.get_engine(url))
    at = app_on(url)(lang).run()
    at.switch_page("pages/tasks_page.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == 37
    # the product's short titles in the grid (said so), the plan's own text in a row's detail
    row = table.set_index(table.columns[0]).loc[2]
    if lang == "en":
        assert row["Task"] == (
            "Settle 10 million agricultural migrants and other residents in towns and reach 62% "
            "urbanization by 2020"
        )
        assert any("not official" in c.value for c in at.caption)
    else:
        assert row["任务"] == "2020年累计1000万人在城镇落户、城镇化率达62%"
        assert any("并非规划原文" in c.value for c in at.caption)
    assert not any("到2020年，实现累计1000万" in str(v) for v in table.to_numpy().ravel())
    at.session_state["task_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    detail = " ".join(m.value for m in at.markdown)
    assert "到2020年，实现累计1000万农业转移人口" in detail
    section = "总体要求" if lang == "zh" else "General requirements of the household-registration"
    assert any(section in c.value for c in at.caption), [c.value for c in at.caption]
    at.selectbox(key="task_department").set_value("省统计局").run()
    assert list(at.dataframe[0].value.iloc[:, 0]) == [1, 7, 10, 11]
    # a form's fields are sent together with its submit button
    at.selectbox(key="task_update_number").set_value(10)
    at.selectbox(key="task_update_status").set_value("done")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success and "10" in at.success[0].value
    view = at.table[0].value
    done = "已完成" if lang == "zh" else "Done"
    stats = "省统计局" if lang == "zh" else "Bureau of Statistics"
    assert view.loc[stats, done] == 1


def test_tasks_bad_evidence_link_is_refused(tmp_path, app_on):
    from data import store
    from data.store.bootstrap import init_store
    from data.store.tasks import read_updates

    url = f"sqlite:///{tmp_path / 'tasks.sqlite'}"
    eng = store.get_engine(url)
    init_store(eng)
    at = app_on(url)("zh").run()
    at.switch_page("pages/tasks_page.py").run()
    at.text_input(key="task_update_evidence").set_value("not a link")
    at.button[0].click().run()
    assert at.error[0].value == "未保存：佐证链接须为以 http:// 或 https:// 开头的完整网址"
    assert read_updates(eng).empty


@pytest.mark.parametrize(
    "lang,met,missed,odds,status",
    [("zh", "已达成", "未达成", "达成概率", "进展顺利"), ("en", "Met", "Missed", "Probability",
                                                   "On track")],
)  # fmt: skip
def test_closed_targets_show_their_verdict_only(app, lang, met, missed, odds, status):
    """At 2020Q4 every target's date has passed: each shows met or missed with its final
    value, never a status, R, odds or a projected date beside it."""
    at = app(lang).run()
    assert not at.exception, at.exception
    verdicts = [m.value for m in at.markdown if f"-badge[{met}]" in m.value or
                f"-badge[{missed}]" in m.value]  # fmt: skip
    assert len(verdicts) == 4  # two headline cards, the two 2015 targets
    for v in verdicts:
        assert odds not in v and "R =" not in v and status not in v
    assert not any(odds in m.value for m in at.markdown)
    final = "终值" if lang == "zh" else "final value"
    assert all(final in v for v in verdicts)


def test_projection_page_judges_closed_targets_and_forecasts_open_ones(demo_copy, app_on):
    at = app_on(demo_copy["url"])("en").run()
    at.switch_page("pages/projection_page.py").run()
    caught_up(at.select_slider(key="proj_as_of").set_value("2018Q4"), demo_copy["engine"])
    assert not at.exception, at.exception
    # in 2018 the 2020 targets (the set the page opens on) are still forecast ...
    assert sum(m.label == "Probability of meeting it on time" for m in at.metric) == 2
    # ... and the 2015 interim set is judged (AppTest formats a value in Chinese outside the
    # script, so the set is chosen through the session state)
    at.session_state["proj_target_set"] = "plan-2015"
    caught_up(at, demo_copy["engine"])
    text = " ".join(m.value for m in at.markdown)
    assert "-badge[Met]" in text or "-badge[Missed]" in text
    assert not [m for m in at.metric if m.label == "Probability of meeting it on time"]


def test_an_early_return_for_a_new_quarter_does_not_redraw_the_province(
    demo_copy, partial_copy, app_on
):
    """铜川's four counties send 2021Q1 first: leaders see nothing of it (not released); with
    "include provisional" on, the overview, its map and the projection page stay at 2020Q4
    (the latest complete quarter) and show 2021Q1 as still reporting. Before: the demo store;
    after: the same store once 铜川 has sent it, with the worker's results (partial_copy)."""
    before = app_on(demo_copy["url"])("zh").run()
    before_text = _text(before)
    url, eng = partial_copy["url"], partial_copy["engine"]
    released = app_on(url)("zh").run()
    assert "2021Q1" not in _text(released).replace("发布日程", "")
    at = app_on(url)("zh").run()
    at.toggle(key="provisional").set_value(True).run()
    results.work(eng, once=True)  # the worker: the projections of the provisional view
    at.run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "数据截至 2020Q4" in text and "已上报 107/107（2020Q4）" in text
    assert "上报中 4/107（2021Q1）" in text
    assert [p.label for p in at.get("page_link")] == ["2021Q1 已到的报表"]
    # the headline figures and rankings are those of 2020Q4, unchanged by the early return
    headline = [m.value for m in at.markdown if "font-size:1.9rem" in m.value]
    assert headline == [m.value for m in before.markdown if "font-size:1.9rem" in m.value]
    assert at.dataframe[0].value.equals(before.dataframe[0].value)
    assert "数据截至 2021Q1" not in text and "数据截至 2020Q4" in before_text
    proj = app_on(url)("zh").run()
    proj.toggle(key="provisional").set_value(True).run()
    proj.switch_page("pages/projection_page.py").run()
    assert proj.select_slider(key="proj_as_of").value == "2020Q4"
    maps = app_on(url)("zh").run()
    maps.toggle(key="provisional").set_value(True).run()
    maps.switch_page("pages/map_page.py").run()
    assert maps.select_slider(key="map_period").value == "2020Q4"


def test_overview_leads_with_the_set_in_the_address(app):
    at = app("zh")
    at.query_params["set"] = "plan-2015"
    at.run()
    assert not at.exception, at.exception
    first = [m.value for m in at.markdown if "**累计城镇落户**" in m.value][0]
    assert "600万" in first and "2015Q4" in first
    default = app("zh").run()
    first = [m.value for m in default.markdown if "**累计城镇落户**" in m.value][0]
    assert "1,000万" in first and "2020Q4" in first


def test_overview_set_picker_switches_the_leading_targets_and_the_address(app):
    """The 目标组 picker beside the brief: choosing the 2015 set makes its targets lead and
    writes the set into the address, so the view can be shared as a link."""
    at = app("zh").run()
    assert at.radio(key="lead_target_set").value == "plan-2020"
    at.radio(key="lead_target_set").set_value("plan-2015").run()
    assert not at.exception, at.exception
    first = [m.value for m in at.markdown if "**累计城镇落户**" in m.value][0]
    assert "600万" in first and "2015Q4" in first
    assert at.query_params["set"] == "plan-2015"
    # an unknown set in the address falls back to the default and leaves the address
    bad = app("zh")
    bad.query_params["set"] = "plan-2099"
    bad.run()
    assert not bad.exception and "set" not in bad.query_params
    first = [m.value for m in bad.markdown if "**累计城镇落户**" in m.value][0]
    assert "1,000万" in first


def test_the_brief_counts_the_values_the_overview_cites(app, demo_store):
    """Overview and brief cite one count of current values, up to the same quarter."""
    import re
    import subprocess

    from analytics.render.brief import brief_bytes
    from data import store
    from data.store.snapshot import read_records, read_snapshot
    from tests.unit.test_brief import _tool

    at = app("zh").run()
    text = _text(at) + " ".join(c.value for c in at.caption)
    (n,) = set(re.findall(r"([\d,]+) 个数值", text))
    (as_of,) = set(re.findall(r"数据截至 (\d{4}Q\d)", text))
    eng = store.get_engine(demo_store["url"])
    pdf = brief_bytes(read_snapshot(eng), read_records(eng), as_of, "zh")
    out = subprocess.run([_tool("pdftotext"), "-", "-"], input=pdf, capture_output=True)
    assert f"{n} 个数值" in out.stdout.decode().replace("\n", "")
