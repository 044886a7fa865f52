"""AppTest: the returns page checks uploads, shows located findings and stores on confirm."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from data import store
from data.store.bootstrap import init_store
from data.store.models import Observation
from tests.fixtures import workbooks as wb

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def page(tmp_path, app_on):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    init_store(store.get_engine(url))
    build = app_on(url)

    def make(lang="zh"):
        at = build(lang)
        at.run()
        at.switch_page("pages/returns_page.py").run()
        assert not at.exception, at.exception
        return at

    make.url = url
    return make


def n_obs(url):
    with store.reader(store.get_engine(url)) as s:
        return s.scalar(select(func.count()).select_from(Observation))


def history(at):
    """The submission history table (the one listing file names)."""
    return next(d.value for d in at.dataframe if "filename" in d.value.columns)


def test_bad_file_lists_located_errors_and_stores_nothing(page):
    at = page()
    bad = wb.standard(wb.county_rows()[:3] + [["610222", ""] + [-5] + wb.GOOD[1:]])
    at.file_uploader[0].set_value(("bad.xlsx", bad, XLSX)).run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("有错误，未入库")
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert (row.sheet, row.row, row.column, row.rule) == ("铜川市", 7, "C", "negative")
    assert row.message == "本季农业转移人口城镇落户人数不能为负数：-5"
    assert not [b for b in at.button if b.label == "入库"]
    assert n_obs(page.url) == 0


def test_good_file_is_stored_on_confirm_and_counted(page):
    at = page()
    at.file_uploader[0].set_value(("good.xlsx", wb.standard(), XLSX)).run()
    assert any("检查通过" in s.value for s in at.success)
    commit = next(b for b in at.button if b.label == "入库")
    assert not commit.disabled
    commit.click().run()
    assert not at.exception, at.exception
    assert n_obs(page.url) == 28
    assert any("已入库（第 1 号）" in s.value for s in at.success)
    assert at.metric[0].value == "4/107"
    assert history(at)[["id", "status", "values"]].to_dict("records") == [
        {"id": 1, "status": "已入库", "values": 28}
    ]


def test_warnings_block_commit_until_confirmed(page):
    at = page("en")
    at.file_uploader[0].set_value(
        ("partial.xlsx", wb.standard(wb.county_rows(wb.TONGCHUAN[:3])), XLSX)
    ).run()
    commit = next(b for b in at.button if b.label == "Store")
    assert commit.disabled
    assert at.dataframe[0].value.message.tolist() == ["铜川市 2016Q3 is missing: 宜君县"]
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Store").click().run()
    assert n_obs(page.url) == 21
    assert history(at).status.tolist() == ["Stored"]
