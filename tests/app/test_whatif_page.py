"""AppTest: moving a what-if control changes the scenario column, baseline stays."""


def comparison(at):
    return next(d.value for d in at.dataframe if "基准" in d.value.columns)


def test_multiplier_moves_the_scenario(demo_copy, app_on):
    at = app_on(demo_copy["url"])("zh").run()  # a private store: it saves a scenario
    at.switch_page("pages/whatif_view.py").run()
    assert not at.exception, at.exception
    before = comparison(at)
    assert before.iloc[0, 1] == before.iloc[0, 2]  # scenario = baseline at the start
    at.slider(key="whatif_multiplier_None").set_value(2.0).run()
    after = comparison(at)
    assert after.iloc[0, 1] == before.iloc[0, 1]
    assert float(after.iloc[0, 2].rstrip("%")) > float(before.iloc[0, 2].rstrip("%"))
    next(b for b in at.button if b.label == "保存情景").click().run()
    assert any(s.value.startswith("已保存（第") for s in at.success)
