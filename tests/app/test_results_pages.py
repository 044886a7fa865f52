"""Pages read the heavy results the worker keeps (analytics.results) and never compute them:
with every heavy computation booby-trapped, every page still draws; a stale result is shown
with the line saying what it is based on; a missing one says it is being computed."""

import pytest

import ui
from analytics import backtest, evaluation, nowcast, results, targets
from data import store
from data.i18n.messages import t
from data.store.version import lock_store
from tests.fixtures.screen import screen_problems


def trap(*_args, **_kwargs):
    raise AssertionError("a heavy result was computed inside a page run")


@pytest.fixture
def no_heavy_work(monkeypatch):
    for module, name in (
        (targets, "project_targets"),
        (backtest, "run_backtests"),
        (evaluation, "province_evaluation"),
        (nowcast, "nowcast"),
        (nowcast, "backtest"),
    ):
        monkeypatch.setattr(module, name, trap)


@pytest.mark.parametrize("page", [p.script for p in ui.PAGES])
def test_no_page_computes_a_heavy_result(demo_store, app_on, no_heavy_work, page):
    at = app_on(demo_store["url"])("en").run()
    at.switch_page(page).run()
    toggles = [t for t in at.toggle if t.key in ("skill_show", "nowcast_backtest")]
    for toggle in toggles:  # the on-request tables (forecast skill, nowcast backtest) too
        toggle.set_value(True)
    if toggles:
        at.run()
    assert not at.exception, at.exception
    assert not any("Updating" in c.value or "being computed" in c.value for c in at.caption)


def write(engine) -> None:
    with store.transaction(engine) as sess:
        lock_store(sess)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh", "正在更新：下列结果基于截至2020Q4的报表"),
        ("en", "Updating: the results below are based on returns up to 2020Q4"),
    ],
)
def test_a_stale_result_is_shown_with_what_it_is_based_on(demo_copy, app_on, lang, line):
    write(demo_copy["engine"])
    at = app_on(demo_copy["url"])(lang).run()
    at.switch_page("pages/projection_page.py").run()
    assert not at.exception, at.exception
    shown = [c.value for c in at.caption if c.value.startswith(line[:6])]
    assert len(shown) == 1 and shown[0].startswith(line), shown
    assert len(at.metric) >= 2  # the older forecasts are drawn meanwhile
    assert screen_problems(at) == []
    # once the worker has caught up, the line goes
    results.work(demo_copy["engine"], once=True)
    at.run()
    assert not [c.value for c in at.caption if c.value.startswith(line[:6])]


def test_a_missing_result_says_it_is_being_computed(demo_copy, app_on):
    from sqlalchemy import text

    with store.transaction(demo_copy["engine"]) as sess:
        sess.execute(text("DELETE FROM computed_result"))
    at = app_on(demo_copy["url"])("en").run()
    at.switch_page("pages/projection_page.py").run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption if "being computed" in c.value] == [
        t("results.computing", "en")
    ]
    assert screen_problems(at) == []


def test_the_brief_is_drawn_from_the_stored_projections(demo_store, app_on, no_heavy_work):
    """The leaders' brief of the latest complete quarter: pressing the button gives the PDF at
    once, from the projections the worker keeps (nothing is projected in the page run)."""
    at = app_on(demo_store["url"])("zh").run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    downloads = [b.proto.label for b in at.get("download_button")]
    assert t("brief.download", "zh") in downloads, downloads
    assert not any("正在计算" in c.value for c in at.caption)


def test_the_brief_waits_for_the_projections_and_says_so(
    demo_copy, app_on, no_heavy_work, monkeypatch
):
    from sqlalchemy import text

    with store.transaction(demo_copy["engine"]) as sess:
        sess.execute(text("DELETE FROM computed_result"))
    at = app_on(demo_copy["url"])("en").run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    assert t("brief.download", "en") not in [b.proto.label for b in at.get("download_button")]
    assert t("results.computing", "en") in [c.value for c in at.caption]
    monkeypatch.undo()  # the worker (not the page) may compute
    results.work(demo_copy["engine"], once=True)  # it projects; the page then offers the brief
    at.run()
    assert t("brief.download", "en") in [b.proto.label for b in at.get("download_button")]
