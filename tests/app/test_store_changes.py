"""A commit made elsewhere (another replica, the CLI) shows at the next run: the caches follow
the store's write counter, not a timer."""

from data import store
from data.intake.ingest import ingest
from data.store.bootstrap import init_store
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM


def test_a_commit_by_another_process_is_seen_at_the_next_run(tmp_path, app_on):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    init_store(store.get_engine(url))
    ingest(wb.standard(), "tc.xlsx", user=SYSTEM, engine=store.get_engine(url), today="2020Q4")
    at = app_on(url)("zh").run()
    at.switch_page("pages/returns_page.py").run()
    assert at.metric[0].value == "4/107"
    # another process writes: a separate engine, no cache cleared by this app
    other = store.get_engine(f"sqlite:///{tmp_path}/./s.sqlite")  # same file, own engine
    lantian = wb.standard(wb.county_rows(["610122"]), sheet="蓝田县")
    assert ingest(lantian, "lt.xlsx", user=SYSTEM, engine=other, today="2020Q4").ok
    at.run()
    assert at.metric[0].value == "5/107"
