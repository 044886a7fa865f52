"""AppTest: the projection page shows every target: open ones with status, probability and
method, closed ones with their verdict."""


def test_projection_page_as_of(demo_store, app_on):
    at = app_on(demo_store["url"])("zh").run()
    at.switch_page("pages/projection_page.py").run()
    assert not at.exception, at.exception
    # it is 2026: no set's date is still ahead, so the page opens on the latest, the 2020 plan
    assert at.selectbox(key="proj_target_set").value == "plan-2020"
    assert [s.value for s in at.subheader] == [
        "累计城镇落户 · 1,000万 · 2020Q4",
        "常住人口城镇化率 · 62.00% · 2020Q4",
        "全省何时达到70%？",
        "回测（滚动起点）",
    ]
    assert any("次预测，平均误差" in m.value for m in at.markdown)
    latest = {m.label: m.value for m in at.metric}
    at.select_slider(key="proj_as_of").set_value("2017Q4").run()
    assert not at.exception
    # in 2017 the 2020 targets are open: odds, not 100%
    probabilities = [m.value for m in at.metric if m.label == "按期完成概率"]
    assert len(probabilities) == 2 and probabilities[1] != "100%"
    assert any("现状（2017）" == m.label for m in at.metric)
    assert latest != {m.label: m.value for m in at.metric}
    assert any("判定规则" in c.value for c in at.caption)
    # the 2015 interim set: judged by then (the rate was missed), no odds
    at.selectbox(key="proj_target_set").set_value("plan-2015").run()
    assert [s.value for s in at.subheader][:2] == [
        "累计城镇落户 · 600万 · 2015Q4",
        "常住人口城镇化率 · 55.00% · 2015Q4",
    ]
    assert any(":red-badge[未达成]" == m.value for m in at.markdown)
    assert not [m for m in at.metric if m.label == "按期完成概率"]
    assert any("目标组来源：《陕西省新型城镇化规划（2014—2020年）》" in c.value for c in at.caption)


def test_when_the_province_reaches_seventy_percent(demo_store, app_on):
    at = app_on(demo_store["url"])("zh").run()
    at.switch_page("pages/projection_page.py").run()
    text = " ".join(m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    assert "按2020—2025年公布值（七普口径（2020年起），6个年份）的趋势" in text
    assert "预计在 **2029年** 达到70%（95%预测区间：2028—2030年）" in text
    assert "国家参考（不是陕西省目标）" in captions and "接近70%" in captions
    assert "仅用七普口径（2020年起）的公布值拟合" in captions
