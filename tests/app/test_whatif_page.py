"""AppTest: moving a what-if control changes the scenario column, baseline stays."""

from tests.fixtures.actors import admin


def comparison(at):
    return next(d.value for d in at.dataframe if "基准" in d.value.columns)


def test_multiplier_moves_the_scenario(demo_copy, app_on):
    at = app_on(demo_copy["url"])("zh").run()  # a private store: it saves a scenario
    at.switch_page("pages/whatif_page.py").run()
    assert not at.exception, at.exception
    before = comparison(at)
    assert before.iloc[0, 1] == before.iloc[0, 2]  # scenario = baseline at the start
    at.slider(key="whatif_multiplier_None").set_value(2.0).run()
    after = comparison(at)
    assert after.iloc[0, 1] == before.iloc[0, 1]
    assert float(after.iloc[0, 2].rstrip("%")) > float(before.iloc[0, 2].rstrip("%"))
    next(b for b in at.button if b.label == "保存情景").click().run()
    assert any(s.value.startswith("已保存（第") for s in at.success)


def test_a_target_changed_by_an_admin_reaches_the_page(demo_copy, app_on):
    from analytics.targets import set_target

    set_target(
        demo_copy["engine"],
        "settled_cumulative",
        "610000",
        8_000_000,
        "2020Q4",
        None,
        "调整",
        admin(),
    )
    at = app_on(demo_copy["url"])("zh").run()
    at.switch_page("pages/whatif_page.py").run()
    assert not at.exception, at.exception
    rows = list(comparison(at).iloc[:, 0])
    assert rows[0] == "2020年底累计落户≥800万的概率" and rows[2] == "预计达到800万的季度"
    en = app_on(demo_copy["url"])("en").run()
    en.switch_page("pages/whatif_page.py").run()
    labels = next(d.value for d in en.dataframe if "Baseline" in d.value.columns).iloc[:, 0]
    assert labels.iloc[0] == "P(cumulative settled ≥ 8 million by 2020Q4)"


def test_the_target_set_switch(demo_copy, app_on):
    """The page opens on the 2020 plan (no set is still ahead in 2026) and offers the sets with
    a target after the scenario's start: a rate-only set an admin adds measures the rate
    against its target and the settlement against the headline one."""
    from analytics.targets import set_target

    set_target(
        demo_copy["engine"], "urbanization_rate", "610000", 70.0, "2030Q4", None, "测试来源",
        admin(), "plan-2030",
    )  # fmt: skip
    at = app_on(demo_copy["url"])("zh").run()
    at.switch_page("pages/whatif_page.py").run()
    box = at.selectbox(key="whatif_target_set_None")
    assert box.value == "plan-2030" and box.options == [
        "2020年目标（2014—2020年规划）",
        "plan-2030",
    ]
    rows = list(comparison(at).iloc[:, 0])
    assert rows[0] == "2020年底累计落户≥1000万的概率" and any("70" in r for r in rows), rows
    box.set_value("plan-2020").run()
    assert not at.exception, at.exception
    rows = list(comparison(at).iloc[:, 0])
    assert any("62" in r for r in rows) and not any("70" in r for r in rows), rows
