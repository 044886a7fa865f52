"""AppTest: the returns page checks uploads, shows located findings and stores on confirm."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from analytics import results
from data import store
from data.store.bootstrap import init_store
from data.store.models import Observation
from tests.app.conftest import ensure_user
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what the returns page reads of the worker's results (the rest are the projection pages')
NOWCAST = ("nowcast",)


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
    assert (row.sheet, row.row, row.column, row.rule) == ("铜川市", "7", "C", "negative")
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


def test_an_approved_quarter_refuses_corrections_and_reverts_on_the_page(page):
    """铜川市 approved 王益区's 2016Q3: a corrected return is refused with the lock message
    (no Store button), a revert of the return is refused the same way; nothing is written."""
    from data.intake.ingest import ingest
    from data.store import approvals

    eng = store.get_engine(page.url)
    first = ingest(wb.standard(), "q.xlsx", user=SYSTEM, engine=eng, today="2020Q4")
    approvals.approve("610202", "2016Q3", actor_city(), engine=eng)
    at = page()
    rows = wb.county_rows()
    rows[0][2] = 101
    at.file_uploader[0].set_value(("fix.xlsx", wb.standard(rows), XLSX)).run()
    assert not at.exception, at.exception
    locked = at.dataframe[0].value.message.tolist()
    assert len(locked) == 1 and locked[0].startswith("王益区 2016Q3 已由 tc-stat 于 ")
    assert locked[0].endswith("审核通过，不能修改或撤销；如需修改，请联系铜川市的统计人员撤销审核")
    assert not [b for b in at.button if b.label == "入库"]
    at.selectbox(key="revert_id").set_value(first.submission_id).run()
    at.checkbox(key=f"revert_ok_{first.submission_id}").check().run()
    next(b for b in at.button if b.label == "撤回").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success if "王益区 2016Q3" in s.value][0].startswith(
        "王益区 2016Q3 已由 tc-stat 于 "
    )
    assert n_obs(page.url) == 28 and history(at).status.tolist() == ["已入库"]


def actor_city():
    from tests.fixtures.actors import statistician

    return statistician("tc-stat", "610200")


def test_warnings_block_commit_until_confirmed(page):
    at = page("en")
    at.file_uploader[0].set_value(
        ("partial.xlsx", wb.standard(wb.county_rows(wb.TONGCHUAN[:3])), XLSX)
    ).run()
    commit = next(b for b in at.button if b.label == "Store")
    assert commit.disabled
    # the file's headline says what stands between it and the store, never "ready to store"
    assert not [s.value for s in at.success]
    assert [w.value for w in at.warning if w.value.startswith("No errors")] == [
        "No errors; 1 warning(s) to check and confirm before it can be stored"
    ]
    assert at.dataframe[0].value.message.tolist() == ["铜川市 2016Q3 is missing: 宜君县"]
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Store").click().run()
    assert n_obs(page.url) == 21
    assert history(at).status.tolist() == ["Stored"]


def test_completeness_per_indicator_group(page):
    """A flows-only return: the settlement counts are in, the population not yet."""
    from data.intake.ingest import ingest
    from tests.unit.test_partial_returns import FLOWS, partial

    ingest(
        partial(FLOWS), "flows.xlsx", user=SYSTEM, engine=store.get_engine(page.url), today="2020Q4"
    )
    for lang, group, summary in (
        ("zh", "flows", "4/107"),
        ("zh", "stocks", None),
        ("en", "settlement", "4/107"),
    ):
        at = page(lang)
        at.radio(key="completeness_group").set_value(group).run()
        assert not at.exception, at.exception
        # the completeness figure (the nowcast below it has a metric of its own)
        nowcast = ("全省落户", "settled in the province")
        metrics = [m.value for m in at.metric if not any(w in m.label for w in nowcast)]
        if summary:
            assert metrics == [summary]
            per = next(d.value for d in at.dataframe if d.value.shape == (7, 3)).iloc[:, 1]
            assert list(per) == [4, 4, 4, 0, 0, 0, 0]
            warning = at.warning[0].value
            assert ("铜川市" not in warning) and (
                "西安市" in warning or "Xi" in warning or "西安" in warning
            )
        else:  # no county has sent stocks yet: nothing to count for any quarter
            assert metrics == []


def test_overview_with_fewer_quarters_than_a_forecast_needs(tmp_path, app_on):
    """A province that has just started reporting: the overview shows what it has and says
    why there is no forecast yet (it raised 'too little history' before)."""
    from data.intake.ingest import ingest

    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    init_store(store.get_engine(url))
    ingest(wb.standard(), "q3.xlsx", user=SYSTEM, engine=store.get_engine(url), today="2020Q4")
    at = app_on(url)("zh").run()
    assert not at.exception, at.exception
    # leaders' view: the quarter is stored, not released
    assert [i.value for i in at.info] == ["尚无已发布的季度：各季度经市、省审核并发布后在此显示。"]
    at.toggle(key="provisional").set_value(True).run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [
        "目前有 1 个季度的上报数据；预测目标需要至少 8 个季度，届时显示达标概率和预计达到时间。"
    ]
    assert not [b for b in at.button if b.label == "简报（PDF）"]


def test_findings_grid_speaks_the_page_language(page):
    """No internal codes or None: field in the page's language, blank empty cells, one
    finding per problem."""
    rows = wb.county_rows()[:3] + [["610222", ""] + [-5] + wb.GOOD[1:]]
    header = wb.HEADER_ZH + ["落户人数合计"]
    content = wb.standard([r + [""] for r in rows], header=header)
    for lang, field in (
        ("zh", "本季农业转移人口城镇落户人数"),
        ("en", "Agricultural-transfer residents settled in towns this quarter"),
    ):
        at = page(lang)
        at.file_uploader[0].set_value(("bad.xlsx", content, XLSX)).run()
        table = at.dataframe[0].value
        assert "None" not in table.astype(str).to_numpy().ravel().tolist()
        negative = table[table.rule == "negative"].iloc[0]
        assert negative.field == field and negative.value == "-5"
        assert negative.severity == {"zh": "错误", "en": "Error"}[lang]  # one finding's, singular
        whole = table[table.row == ""]
        assert all(whole.field == "")  # a finding about the whole sheet: blank, never None


def test_a_statistician_of_another_city_is_refused_row_by_row(page, app_on):
    """铜川's four counties from a statistician of 西安市: refused whole, each region named."""
    ensure_user(page.url, "xa-stat", ("statistician",), regions=("610100",))
    at = app_on(page.url)("zh", user="xa-stat").run()
    at.switch_page("pages/returns_page.py").run()
    assert at.caption[1].value == "您可上报的地区：西安市"
    at.file_uploader[0].set_value(("good.xlsx", wb.standard(), XLSX)).run()
    assert at.error[0].value.startswith("有错误，未入库")
    table = at.dataframe[0].value
    assert set(table.rule) == {"out_of_scope"} and len(table) == 4
    assert table.message.iloc[0].endswith("不在您的填报范围（610100 西安市）内")
    assert not [b for b in at.button if b.label == "入库"]
    assert n_obs(page.url) == 0


def test_commit_checks_again_against_the_store(page):
    """A preview made before another upload landed is never committed as it was."""
    from data.intake.ingest import ingest

    at = page()
    at.file_uploader[0].set_value(("good.xlsx", wb.standard(), XLSX)).run()
    # the same quarter arrives by another way (another statistician, the CLI) meanwhile
    other = wb.standard(wb.county_rows(values=[150] + wb.GOOD[1:]))
    assert ingest(
        other, "cli.xlsx", user=SYSTEM, engine=store.get_engine(page.url), today="2020Q4"
    ).status == ("committed")
    next(b for b in at.button if b.label == "入库").click().run()
    assert not at.exception, at.exception
    assert at.warning[0].value.startswith("“good.xlsx”检查之后数据库已有变化")
    assert n_obs(page.url) == 28  # only the other upload: nothing committed from the stale preview
    # the report shown is the new check: the stored values it would now change
    changes = next(d.value for d in at.dataframe if "现存值" in d.value.columns)
    assert list(changes.columns) == ["地区", "期别", "指标", "现存值", "新值"]
    assert changes["现存值"].tolist() == ["150"] * 4 and changes["新值"].tolist() == ["100"] * 4
    # regions and indicators by name, never their codes
    assert not changes["地区"].str.fullmatch(r"\d{6}").any()
    assert not changes["指标"].str.contains("_").any()


def test_revert_asks_first_and_refreshes_the_history(page):
    from data.intake.ingest import ingest

    eng = store.get_engine(page.url)
    ingest(wb.standard(), "q3.xlsx", user=SYSTEM, engine=eng, today="2020Q4")
    ingest(wb.standard(title="2016年第四季度"), "q4.xlsx", user=SYSTEM, engine=eng, today="2020Q4")
    at = page()
    assert at.selectbox(key="revert_id").value is None  # nothing pre-selected
    assert not [b for b in at.button if b.label == "撤回"]
    at.selectbox(key="revert_id").set_value(2).run()
    assert any("将撤回第 2 号上报（q4.xlsx" in w.value for w in at.warning)
    revert_button = next(b for b in at.button if b.label == "撤回")
    assert revert_button.disabled
    at.checkbox(key="revert_ok_2").check().run()
    next(b for b in at.button if b.label == "撤回").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("已撤回第 2 号") for s in at.success)
    assert history(at)[["id", "status"]].to_dict("records") == [
        {"id": 2, "status": "已撤回"},
        {"id": 1, "status": "已入库"},
    ]
    assert at.selectbox(key="revert_id").value is None


def test_too_few_reported_for_a_nowcast(partial_copy, app_on):
    """铜川 has sent 2021Q1 alone (4 of 107 counties, 1 of 11 cities): below the default share
    (half) the page says too few have reported, gives what has arrived and why, and shows no
    province estimate (the issue's 119万 from 3 counties)."""
    at = app_on(partial_copy["url"])("zh").run()
    at.switch_page("pages/returns_page.py").run()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning if w.value.startswith("2021Q1：")]
    assert warning.startswith(
        "2021Q1：已上报 4/107 个县（1/11 个市区有报），不足50%，暂不估算全省合计。已上报合计 "
    )
    assert any(
        "门槛由设置 URBDASH_NOWCAST_MIN_SHARE 决定，现为50%。" in c.value for c in at.caption
    )
    assert not [m for m in at.metric if m.label.startswith("2021Q1 全省落户")]
    assert not [d for d in at.dataframe if "95%区间" in d.value.columns]


def test_nowcast_of_a_quarter_still_coming_in(partial_copy, app_on, monkeypatch):
    """With the share set to 0 (a bureau that wants an estimate from any return), 铜川 alone
    in 2021Q1: the page shows the province as reported 4/107 + estimated with its 95% interval,
    the cities still missing, the method and the backtest beside the naive answers; the figures
    are those of analytics.nowcast."""
    from analytics import nowcast as nc
    from data.store.observations import read_observations
    from geo.regions import load_registry, reporting_unit

    monkeypatch.setenv("URBDASH_NOWCAST_MIN_SHARE", "0")
    eng = partial_copy["engine"]
    results.work(eng, once=True, only=NOWCAST)  # the worker's, under this setting
    at = app_on(partial_copy["url"])("zh").run()
    at.switch_page("pages/returns_page.py").run()
    assert not at.exception, at.exception
    reg = load_registry()
    flows = nc.county_flows(read_observations(eng, view="provisional"), reg)
    calibrated = nc.calibrated_nowcast(flows, "2021Q1", reporting_unit(reg), nc.usual_late(reg))
    raw = nc.nowcast(flows, "2021Q1", reporting_unit(reg)).province
    want = calibrated.province
    # the interval shown is the model's, widened by the backtest over 2017Q1-2020Q4
    assert calibrated.factor > 1 and want.upper - want.total > raw.upper - raw.total
    (metric,) = [m for m in at.metric if m.label.startswith("2021Q1 全省落户")]
    assert metric.label == "2021Q1 全省落户（已上报 4/107 个县 + 估算）"
    from data.i18n.formats import format_target_value as fmt

    assert metric.value == fmt(want.total, "人", "zh")
    summary = [m.value for m in at.markdown if m.value.startswith("已上报 ")][0]
    assert f"95%区间 {fmt(want.lower, '人', 'zh')}–{fmt(want.upper, '人', 'zh')}" in summary
    (table,) = [d.value for d in at.dataframe if "95%区间" in d.value.columns]
    assert "铜川市" not in set(table["地市"]) and "西安市" in set(table["地市"])
    assert (table["已报县数"] == "0/13").any()
    assert not [d for d in at.dataframe if "缺报情形" in d.value.columns]  # on request only
    at.toggle(key="nowcast_backtest").set_value(True).run()
    (scores,) = [d.value for d in at.dataframe if "缺报情形" in d.value.columns]
    assert list(scores["方法"][:3]) == ["本估算", "只加已报数", "沿用上季度"]
    column = "校准后95%区间覆盖率（样本外）"
    assert "（20种缺报组合：" in scores[column].iloc[0]
    table = nc.backtest(flows, reporting_unit(reg), nc.usual_late(reg))
    ours = table[table.method == "nowcast"]
    assert [v.split("（")[0] for v in scores[column][scores["方法"] == "本估算"]] == [
        f"{v:.0f}%" for v in ours.coverage
    ]
    before = scores["校准前覆盖率（同一回测）"][scores["方法"] == "本估算"]
    assert before.tolist() == [f"{v:.0f}%" for v in ours.coverage_raw]
    # a scenario below 90% even calibrated is named with its figure, the shortfall given
    short = ours[ours.coverage < 90]
    lines = [w.value for w in at.warning if w.value.startswith("注意：校准后的95%区间仍偏窄")]
    assert len(lines) == (1 if len(short) else 0)
    if len(short):
        assert f"最多低 {90 - short.coverage.min():.0f} 个百分点" in lines[0]
    assert any(c.value.startswith("方法：未报县的落户数 = ") for c in at.caption)


def test_a_confirmed_outlier_is_marked_in_the_nowcast(demo_copy, app_on, monkeypatch):
    """铜川's first county sends 300 times its usual rural settlements and confirms the
    warning: the nowcast says that the quarter's returns include it, by name."""
    monkeypatch.setenv("URBDASH_NOWCAST_MIN_SHARE", "0")
    report = wb.tongchuan_sends_2021q1(demo_copy["engine"], unusual=300)
    assert "outlier" in {p.rule for p in report.warnings}
    results.work(demo_copy["engine"], once=True, only=NOWCAST)
    at = app_on(demo_copy["url"])("zh").run()
    at.switch_page("pages/returns_page.py").run()
    assert not at.exception, at.exception
    (line,) = [w.value for w in at.warning if "异常值" in w.value]
    assert line.startswith("2021Q1的上报中含已确认的异常值或疑似单位错误：王益区。")


def test_no_mark_without_a_confirmed_outlier(partial_copy, app_on, monkeypatch):
    monkeypatch.setenv("URBDASH_NOWCAST_MIN_SHARE", "0")
    results.work(partial_copy["engine"], once=True, only=NOWCAST)
    at = app_on(partial_copy["url"])("zh").run()
    at.switch_page("pages/returns_page.py").run()
    assert not [w.value for w in at.warning if "异常值" in w.value]


def test_a_gbk_csv_of_a_years_quarters_is_stored_one_submission_per_quarter(page):
    """A CSV as Excel saves it on Chinese Windows (GBK), a year's quarters as columns: checked,
    stored on confirm as one submission per quarter, each listed with its quarter."""
    rows = [["2019年农业转移人口城镇落户人数统计表"], ["单位：人"]]
    rows += [["地区", "一季度", "二季度", "三季度", "四季度", "全年合计"]]
    rows += [[wb.NAMES[c], 10, 20, 30, 40, 100] for c in wb.TONGCHUAN]
    at = page()
    at.file_uploader[0].set_value(("2019年.csv", wb.csv_bytes(rows, "gbk"), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("检查通过" in s.value for s in at.success)
    next(b for b in at.button if b.label == "入库").click().run()
    assert not at.exception, at.exception
    assert any(
        "已入库：每个季度一份，第 1、2、3、4 号（2019Q1、2019Q2、2019Q3、2019Q4）" in s.value
        for s in at.success
    )
    assert n_obs(page.url) == 16
    listed = history(at).sort_values("id")
    assert listed.periods.tolist() == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    assert listed["values"].tolist() == [4, 4, 4, 4]
