"""AppTest tier: every registered page runs in both languages without an exception."""

import json
from pathlib import Path

import pytest

import ui
from tests.fixtures.figures import time_axis_problems
from tests.fixtures.screen import language_problems, screen_problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(demo_store, app_on):
    return app_on(demo_store["url"])


def names_in(url: str) -> set[str]:
    """The store's user names (and the demo loader's and reviewers'): proper names, in any
    language."""
    from data import store
    from data.store.approvals import read_events
    from data.store.submissions import read_submissions
    from data.store.users import list_users

    engine = store.get_engine(url)
    uploaders = set(read_submissions(engine).uploaded_by)
    reviewers = set(read_events(engine).user)
    return set(list_users(engine).name) | uploaders | reviewers | {"system", "tests"}


def test_every_page_file_is_registered():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert files == {p.script for p in ui.PAGES}
    # a url path equal to a file stem would be served by the old pages-folder mode
    assert all(Path(p.script).stem != p.path for p in ui.PAGES)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", [p.script for p in ui.PAGES])
def test_page_runs(app, demo_store, page, lang):
    at = app(lang).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error
    # nothing raw on screen: no "None"/"nan", internal names, raw JSON or bare region codes
    assert screen_problems(at) == [], f"{page} ({lang})"
    # and nothing in the other language (tests/fixtures/screen.py says what may be)
    assert language_problems(at, lang, names_in(demo_store["url"])) == [], f"{page} ({lang})"
    # every chart the page draws has its time axes in order and no line back in time
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = (spec.get("layout", {}).get("title") or {}).get("text", "")
        assert time_axis_problems(spec) == [], f"{page} ({lang}), chart {title!r}"


@pytest.fixture(scope="module")
def partial_store(partial_template, tmp_path_factory):
    """The demo store with one quarter still coming in (铜川 alone has sent 2021Q1)."""
    from tests.conftest import copy_sqlite

    path = tmp_path_factory.mktemp("partial") / "partial.sqlite"
    copy_sqlite(partial_template, path)  # this module's (AppTest adds its users to it)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", [p.script for p in ui.PAGES])
def test_page_with_a_quarter_still_coming_in_shows_nothing_raw(partial_store, app_on, page, lang):
    at = app_on(partial_store)(lang).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert screen_problems(at) == [], f"{page} ({lang})"
    assert language_problems(at, lang, names_in(partial_store)) == [], f"{page} ({lang})"
    for chart in at.get("plotly_chart"):
        assert time_axis_problems(json.loads(chart.proto.spec)) == [], f"{page} ({lang})"


def test_overview_content(app):
    at = app("zh").run()
    at.switch_page("pages/published_page.py").run()
    assert at.title[0].value == "公布数据"
    labels = [m.label for m in at.metric]
    assert "2015年（目标55%）" in labels
    values = {m.label: m.value for m in at.metric}
    assert values["2015年（目标55%）"] == "53.92%"
    assert values["2020年（目标62%，七普口径）"] == "62.66%"
    assert any("badge[" in m.value and "示例数据" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert len(table) == 11 and "杨凌示范区" in set(table["地区"])
    assert table.set_index("地区").at["西安市", "2020城镇化率%"] == 79.20
    assert "累计落户（万）*" in table.columns
    assert any(
        "示例上报数据（示例数据）" in c.value and "2014Q1—2020Q4" in c.value for c in at.caption
    )


def test_overview_english_and_switch(app):
    at = app("zh").run()
    at.switch_page("pages/published_page.py").run()
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Published figures"
    assert "Sources" in " ".join(c.value for c in at.caption)


def test_empty_store_says_how_to_load(tmp_path, app_on):
    at = app_on(f"sqlite:///{tmp_path / 'empty.sqlite'}")().run()
    at.switch_page("pages/published_page.py").run()
    assert not at.exception
    assert "urbdash demo" in at.info[0].value
    assert not any("示例数据" in m.value for m in at.markdown)
    # name, population and rate in 2015 and 2020: no demo columns without returns, no code
    assert list(at.dataframe[0].value.columns) == [
        "地区", "2015人口（万）", "2015城镇化率%", "2020人口（万）", "2020城镇化率%"
    ]  # fmt: skip
