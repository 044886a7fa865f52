"""AppTest: the projection page shows every target: open ones with status, probability and
method, closed ones with their verdict."""


def test_projection_page_as_of(demo_store, app_on):
    at = app_on(demo_store["url"])("zh").run()
    at.switch_page("pages/projection_page.py").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == [
        "累计城镇落户 · 600万 · 2015Q4",
        "累计城镇落户 · 1,000万 · 2020Q4",
        "常住人口城镇化率 · 55.00% · 2015Q4",
        "常住人口城镇化率 · 62.00% · 2020Q4",
        "回测（滚动起点）",
    ]
    assert any("次预测，平均误差" in m.value for m in at.markdown)
    latest = {m.label: m.value for m in at.metric}
    at.select_slider(key="proj_as_of").set_value("2017Q4").run()
    assert not at.exception
    # the 2015 targets are judged by then (the rate was missed), only the 2020 ones have odds
    probabilities = [m.value for m in at.metric if m.label == "按期完成概率"]
    assert len(probabilities) == 2 and probabilities[1] != "100%"
    assert any(":red-badge[未达成]" == m.value for m in at.markdown)
    assert any("现状（2017）" == m.label for m in at.metric)
    assert latest != {m.label: m.value for m in at.metric}
    assert any("判定规则" in c.value for c in at.caption)
