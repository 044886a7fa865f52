"""The layouts offices still send, each read by a general rule and tested on a generated grid of
its variants (never one copied file):

- a year's quarters as columns (一季度 … 四季度, with or without a 全年合计 column to check), the
  indicator named in the title or above the quarters, the year in the title, a line above or
  the sheet's name;
- the period on its own line under the title (填报期：2019-06-30), in the same cell or the next;
- year and quarter in two columns per row (年度 "2018年" + 季度 "第三季度");
- an "of which" column (其中：城镇) that takes its meaning from the column before it;
- CSV as spreadsheet programs save it: GBK or UTF-8 (with or without BOM) or UTF-16, commas,
  tabs or semicolons.

A file of several quarters is stored as one submission per quarter in one transaction, or
refused whole; the history, revert and completeness then see the quarters one by one."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import func, select

from data import store
from data.intake.ingest import ingest, list_submissions, revert
from data.intake.read import read_return
from data.intake.rules import validate
from data.store import approvals
from data.store.bootstrap import init_store
from data.store.models import Observation, Submission
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM, statistician
from tests.fixtures.workbooks import csv_bytes

CODES = wb.TONGCHUAN
NAMES = wb.NAMES


def _read(content: bytes, filename: str | None = None):
    result = read_return(content, filename=filename)
    return result, result.problems + [p for p in validate(result) if p not in result.problems]


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _values(rows) -> dict[tuple[str, str, str], float]:
    return {
        (str(r.region_code), str(r.period), str(r.indicator)): float(r.value)
        for r in rows.itertuples()
    }


# ----------------------------------------------------------------------------- quarters as columns
QUARTER_LABELS = {
    "一季度": ["一季度", "二季度", "三季度", "四季度"],
    "第一季度": ["第一季度", "第二季度", "第三季度", "第四季度"],
    "1季度": ["1季度", "2季度", "3季度", "4季度"],
    "第1季": ["第1季", "第2季", "第3季", "第4季"],
    "Q1": ["Q1", "Q2", "Q3", "Q4"],
    "full": ["2019年第一季度", "2019年第二季度", "2019年第三季度", "2019年第四季度"],
    "fullwidth": ["１季度", "２季度", "３季度", "４季度"],
}
TITLES = {  # the indicator as a title names it -> the indicator
    "2019年各县（市、区）农业转移人口城镇落户人数统计表": "settled_rural",
    "2019年农业转移人口落户情况": "settled_rural",
    "2019年度其他常住人口城镇落户人数": "settled_other",
    "2019年居住证发放情况统计表": "residence_permits",
}
YEAR_PLACES = ["title", "line", "sheet"]
TOTALS = [None, "全年合计", "全年", "合计", "Total", "Year total"]


def _quarter_grid(labels, title, year_place, total, by_code, unit, quarters=4, edit=None):
    """A return with a year's quarters as columns; values 10·q + county index; ``edit``:
    cells to overwrite, {(Excel row, column index): value}."""
    year_free = title.replace("2019年度", "").replace("2019年", "")
    rows = [[title if year_place == "title" else year_free]]
    if year_place == "line":
        rows.append(["年度：2019"])
    if unit:
        rows.append([f"单位：{unit}"])
    head = ["区划代码" if by_code else "地区名称", *labels[:quarters]]
    rows.append(head + ([total] if total else []))
    scale = 10_000 if unit == "万人" else 1
    for i, code in enumerate(CODES):
        vals = [(10 * q + i) / scale for q in range(1, quarters + 1)]
        rows.append([code if by_code else NAMES[code], *vals] + ([sum(vals)] if total else []))
    for (r, c), value in (edit or {}).items():
        rows[r - 1][c] = value
    return wb.xlsx({"2019年" if year_place == "sheet" else "Sheet1": rows})


QUARTER_CASES = [
    (lab, title, place, total, by_code, unit)
    for (lab, title, place, total, by_code, unit) in itertools.product(
        QUARTER_LABELS, TITLES, YEAR_PLACES, TOTALS, (False, True), ("人", "万人", None)
    )
    # a full quarter label (2019年第一季度) carries its year: the year's place does not matter
    if not (lab == "full" and place != "title")
][::19]  # every 19th of the 1,200 combinations: each label, title, place, total, unit met


@pytest.mark.parametrize("lab,title,place,total,by_code,unit", QUARTER_CASES)
def test_quarters_as_columns_are_read_as_four_quarters(lab, title, place, total, by_code, unit):
    content = _quarter_grid(QUARTER_LABELS[lab], title, place, total, by_code, unit)
    result, problems = _read(content)
    assert _errors(problems) == [], [p.message() for p in problems]
    indicator = TITLES[title]
    expected = {
        (code, f"2019Q{q}", indicator): float(10 * q + i)
        for i, code in enumerate(CODES)
        for q in range(1, 5)
    }
    assert _values(result.rows) == pytest.approx(expected)


@pytest.mark.parametrize(
    "upper", ["本季农业转移人口城镇落户人数", "农业转移人口落户人数", "居住证发放数"]
)
def test_the_indicator_above_merged_quarter_columns(upper):
    """Two-row header: the indicator merged over its quarters; two indicators side by side."""
    second = "其他常住人口落户人数"
    rows = [
        ["2019年统计表"],
        ["地区", upper, None, None, None, second, None, None, None],
        [None, "一季度", "二季度", "三季度", "四季度", "一季度", "二季度", "三季度", "四季度"],
    ]
    rows += [[NAMES[c], 1, 2, 3, 4, 5, 6, 7, 8] for c in CODES]
    rows[1][0] = "地区名称"
    content = wb.xlsx({"S": rows}, {"S": ["A2:A3", "B2:E2", "F2:I2"]})
    result, problems = _read(content)
    assert _errors(problems) == [], [p.message() for p in problems]
    first = {"居住证发放数": "residence_permits"}.get(upper, "settled_rural")
    got = _values(result.rows)
    assert len(got) == 4 * 8
    assert got[(CODES[0], "2019Q3", first)] == 3
    assert got[(CODES[-1], "2019Q4", "settled_other")] == 8


def test_a_year_total_that_is_not_the_sum_of_its_quarters_is_refused(engine):
    init_store(engine)
    # 印台区 (row 5): 11 + 21 + 31 + 41 = 104, the total says 99
    bad = _quarter_grid(
        QUARTER_LABELS["一季度"], next(iter(TITLES)), "title", "全年合计", False, "人",
        edit={(5, 5): 99},
    )  # fmt: skip
    report = ingest(bad, "y.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [(p.rule, p.row, p.column) for p in report.errors] == [("year_total_mismatch", 5, "F")]
    assert report.errors[0].message() == (
        "“印台区”行的本季农业转移人口城镇落户人数全年合计 99 与各季度之和 104 不符"
    )
    assert _submissions(engine) == (0, 0)


@pytest.mark.parametrize(
    "title,sheet,rule,message",
    [
        (
            "各县农业转移人口落户人数",
            "Sheet1",
            "quarters_no_year",
            "B、C、D、E列是各季度的数，但标题、表头以上各行和工作表名都没有写年份（如“2019年”）",
        ),
        (
            "2019年统计表",
            "Sheet1",
            "quarters_no_indicator",
            "B、C、D、E列是各季度的数，但标题和这些列上方都没有写明是哪个指标（如“农业转移人口城镇落户人数”）",
        ),
    ],
)
def test_quarter_columns_without_a_year_or_an_indicator_are_refused(
    engine, title, sheet, rule, message
):
    init_store(engine)
    rows = [[title], ["地区", "一季度", "二季度", "三季度", "四季度"]]
    rows += [[NAMES[c], 1, 2, 3, 4] for c in CODES]
    report = ingest(wb.xlsx({sheet: rows}), "q.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == [rule]
    assert report.errors[0].message() == message
    assert _submissions(engine) == (0, 0)


# ----------------------------------------------------------------------------- a file of quarters
def _submissions(engine) -> tuple[int, int]:
    with store.reader(engine) as sess:
        return (
            sess.scalar(select(func.count()).select_from(Submission)),
            sess.scalar(select(func.count()).select_from(Observation)),
        )


def test_a_file_of_four_quarters_is_four_submissions_reverted_one_by_one(engine):
    init_store(engine)
    content = _quarter_grid(QUARTER_LABELS["一季度"], next(iter(TITLES)), "title", None, True, "人")
    report = ingest(content, "year.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "committed"
    assert len(report.submission_ids) == 4 and report.submission_id == report.submission_ids[0]
    subs = list_submissions(engine).set_index("id")
    assert [subs.periods[i] for i in report.submission_ids] == [f"2019Q{q}" for q in (1, 2, 3, 4)]
    assert [int(subs["values"][i]) for i in report.submission_ids] == [4, 4, 4, 4]
    out = revert(report.submission_ids[2], SYSTEM, engine)  # 2019Q3 only
    assert out["withdrawn"] == 4
    with store.reader(engine) as sess:
        current = sess.execute(
            select(Observation.period).where(Observation.is_current).distinct()
        ).scalars()
        assert sorted(current) == ["2019Q1", "2019Q2", "2019Q4"]
    # the audit trail says each quarter's submission
    from data.store import audit

    ingests = audit.read_audit(engine, action="ingest")
    periods = sorted(_json(after)["periods"][0] for after in ingests["after"])
    assert periods == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def test_a_file_of_quarters_with_one_approved_quarter_is_refused_whole(engine):
    init_store(engine)
    single = _quarter_grid(
        QUARTER_LABELS["一季度"], next(iter(TITLES)), "title", None, True, "人", 2
    )
    assert ingest(single, "h1.xlsx", user=SYSTEM, engine=engine).status == "committed"
    city = statistician("tc-stat", "610200")
    approvals.approve(CODES[0], "2019Q1", city, engine=engine)
    before = _submissions(engine)
    # a corrected 2019Q1 value of the approved 王益区 (row 4), and three new quarters
    content = _quarter_grid(
        QUARTER_LABELS["Q1"], next(iter(TITLES)), "title", None, True, "人", edit={(4, 1): 12}
    )
    report = ingest(content, "year.xlsx", user=SYSTEM, engine=engine, replace=True)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == ["locked"]
    assert _submissions(engine) == before  # not even the three open quarters


# ----------------------------------------------------------------------------- the period line
LINE_LABELS = ["填报期", "统计期", "报告期", "统计时间", "时间", "截止日期", "数据期"]
LINE_VALUES = {
    "2019-06-30": "2019Q2",
    "2019/9/30": "2019Q3",
    "2019年12月31日": "2019Q4",
    "2019年第一季度": "2019Q1",
    "2019Q2": "2019Q2",
    "2019年3月": "2019Q1",
    dt.datetime(2019, 9, 30): "2019Q3",
}


@pytest.mark.parametrize(
    "label,value,layout",
    list(itertools.product(LINE_LABELS, LINE_VALUES, ("same", "fullwidth", "next")))[::5],
)
def test_the_period_on_its_own_line_under_the_title(label, value, layout):
    if layout == "next" or not isinstance(value, str):
        line = [f"{label}：", value] if layout != "same" else [f"{label}", value]
    else:
        line = [f"{label}{'：' if layout == 'fullwidth' else ':'}{value}"]
    rows = [["农业转移人口落户情况统计表"], ["填报单位：铜川市统计局", None, "单位：人"], line]
    rows += [wb.HEADER_ZH, *wb.county_rows()]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert _errors(problems) == [], [p.message() for p in problems]
    assert set(result.rows.period) == {LINE_VALUES[value]}
    assert len(result.rows) == 28


@pytest.mark.parametrize("label", ["填报日期", "填表日期", "报出日期"])
def test_a_filing_date_above_the_table_is_not_its_period(engine, label):
    init_store(engine)
    rows = [
        ["农业转移人口落户情况统计表"],
        [f"{label}：2019-06-30"],
        wb.HEADER_ZH,
        *wb.county_rows(),
    ]
    report = ingest(wb.xlsx({"Sheet1": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert {p.rule for p in report.errors} == {"no_period"}
    assert report.errors[0].message() == (
        "未找到填报期：请在标题、期别列或年份/季度列中注明（如2016年第三季度）。"
    )
    assert _submissions(engine) == (0, 0)


# ----------------------------------------------------------------------------- year + quarter columns
YEARS = [2018, 2018.0, "2018", "2018年", "2018年度", "２０１８年"]
QUARTERS = ["第三季度", "三季度", "3季度", "第3季", "3", 3, 3.0, "Q3", "q3"]
YQ_HEADERS = [("年度", "季度"), ("年份", "季别"), ("Year", "Quarter"), ("统计年度", "统计季度")]


@pytest.mark.parametrize(
    "year,quarter,heads", list(itertools.product(YEARS, QUARTERS, YQ_HEADERS))[::7]
)
def test_year_and_quarter_in_two_columns(year, quarter, heads):
    header = ["区划代码", "地区名称", *heads, "本季农业转移人口城镇落户人数", "季末常住人口"]
    rows = [header] + [[c, NAMES[c], year, quarter, 5 + i, 50_000] for i, c in enumerate(CODES)]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert _errors(problems) == [], [p.message() for p in problems]
    assert set(result.rows.period) == {"2018Q3"}
    assert _values(result.rows)[(CODES[3], "2018Q3", "settled_rural")] == 8


def test_a_year_and_a_quarter_that_name_no_quarter_are_refused_at_the_cell():
    header = ["区划代码", "地区名称", "年度", "季度", "本季农业转移人口城镇落户人数"]
    rows = [header] + [[c, NAMES[c], "2018年", "第五季度", 5] for c in CODES]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    bad = [(p.rule, p.row, p.column) for p in _errors(problems)]
    assert bad == [("bad_period", r, "D") for r in (2, 3, 4, 5)]
    assert len(result.rows) == 0


# the period in a 季度 column alone: the whole period in each cell, or its quarter with the
# year in the title or the sheet's name
WHOLE = ["2018年第三季度", "2018Q3", "2018-09-30", "2018年7-9月", dt.date(2018, 9, 30)]
YEARLESS = ["第三季度", "三季度", "3", 3, "Q3"]
WHERE_YEAR = [("2018年各县区落户情况", "Sheet1"), ("各县区落户情况", "2018年"), ("2018年度", "S")]
Q_HEADS = ["季度", "季别", "Quarter", "统计季度"]


@pytest.mark.parametrize(
    "cell,where,head",
    [(c, w, h) for c, w, h in itertools.product(WHOLE, WHERE_YEAR[:1], Q_HEADS)]
    + [(c, w, h) for c, w, h in itertools.product(YEARLESS, WHERE_YEAR, Q_HEADS)][::3],
)
def test_a_quarter_column_without_a_year_column(cell, where, head):
    title, sheet = where
    header = [head, "区划代码", "地区名称", "本季农业转移人口城镇落户人数"]
    rows = [[title], header] + [[cell, c, NAMES[c], 5 + i] for i, c in enumerate(CODES)]
    result, problems = _read(wb.xlsx({sheet: rows}))
    assert _errors(problems) == [], [p.message() for p in problems]
    assert set(result.rows.period) == {"2018Q3"}
    assert _values(result.rows)[(CODES[3], "2018Q3", "settled_rural")] == 8


def test_a_quarter_column_without_any_year_is_refused_at_each_row():
    header = ["季度", "区划代码", "地区名称", "本季农业转移人口城镇落户人数"]
    rows = [["各县区落户情况"], header] + [["三季度", c, NAMES[c], 5] for c in CODES]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    bad = [(p.rule, p.row, p.column) for p in _errors(problems)]
    assert bad == [("bad_period", r, "A") for r in (3, 4, 5, 6)]
    assert _errors(problems)[0].message() == (
        "无法识别的填报期：三季度（可写 2016Q3、2016年第三季度，或季末月份的日期如 2016-09-30）"
    )
    assert len(result.rows) == 0


# ----------------------------------------------------------------------------- of which
OF_WHICH = [  # parent, child -> the child's indicator
    ("年末常住人口", "其中：城镇", "urban_resident_pop"),
    ("常住人口", "其中:城镇人口", "urban_resident_pop"),
    ("季末常住人口", "其中 城镇", "urban_resident_pop"),
    ("常住人口", "其中：城镇常住人口", "urban_resident_pop"),
    ("户籍人口", "其中：城镇", "urban_registered_pop"),
    ("年末户籍人口", "其中：非农业人口", "urban_registered_pop"),
]
UNITS = [("（万人）", 10_000), ("(人)", 1), ("", 1)]
YEAR_ENDS = {"2019年末": "2019Q4", "2019年底": "2019Q4", "2020年第二季度": "2020Q2"}


@pytest.mark.parametrize("case,unit,title", list(itertools.product(OF_WHICH, UNITS, YEAR_ENDS)))
def test_an_of_which_column_takes_its_meaning_from_the_column_before(case, unit, title):
    parent, child, field = case
    text, factor = unit
    both = [f"{parent}{text}", f"{child}{text}"]
    rows = [[f"{title}人口统计表"], ["地区名称", *both]]
    rows += [[NAMES[c], 50_000 / factor, 30_000 / factor] for c in CODES]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert _errors(problems) == [], [p.message() for p in problems]
    whole = "resident_pop" if field == "urban_resident_pop" else "registered_pop"
    got = _values(result.rows)
    period = YEAR_ENDS[title]
    assert got == pytest.approx(
        {(c, period, whole): 50_000 for c in CODES} | {(c, period, field): 30_000 for c in CODES}
    )


def test_an_of_which_column_under_a_two_row_header():
    rows = [
        ["2019年末人口统计表"],
        ["地区名称", "年末常住人口（万人）", None],
        [None, "合计", "其中：城镇"],
    ]
    rows += [[NAMES[c], 5, 3] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}, {"S": ["A2:A3", "B2:C2"]}))
    assert _errors(problems) == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert got[(CODES[0], "2019Q4", "resident_pop")] == 50_000
    assert got[(CODES[0], "2019Q4", "urban_resident_pop")] == 30_000


YEAR_END_HEADS = [
    ["年末常住人口", "年末户籍人口"],
    ["年底常住人口（万人）", "年底城镇常住人口（万人）"],
    ["年末户籍人口", "其中：城镇"],
]
YEAR_ONLY = [("2023年人口情况", "Sheet1"), ("人口情况", "2023年"), ("2023年度各县区人口", "S")]


@pytest.mark.parametrize("heads,where", list(itertools.product(YEAR_END_HEADS, YEAR_ONLY)))
def test_year_end_stocks_under_a_year_are_its_fourth_quarter(heads, where):
    """年末 / 年底 stocks, the year alone in the title or the sheet's name: the year's end."""
    title, sheet = where
    scale = 10_000 if "万人" in heads[0] else 1
    rows = [[title], ["区划代码", "地区名称", *heads]] + [
        [c, NAMES[c], (50_000 + i) / scale, (30_000 + i) / scale] for i, c in enumerate(CODES)
    ]
    result, problems = _read(wb.xlsx({sheet: rows}))
    assert _errors(problems) == [], [p.message() for p in problems]
    assert set(result.rows.period) == {"2023Q4"}
    assert len(result.rows) == 2 * len(CODES)


@pytest.mark.parametrize(
    "heads", [["年末常住人口", "本季居住证发放数"], ["季末常住人口", "季末户籍人口"]]
)
def test_a_year_alone_is_no_period_beside_a_flow_or_a_quarter_end(heads):
    rows = [["2023年人口情况"], ["区划代码", "地区名称", *heads]] + [
        [c, NAMES[c], 50_000, 30] for c in CODES
    ]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert {p.rule for p in _errors(problems)} == {"no_period"}
    assert len(result.rows) == 0


UNIT_STATEMENTS = {
    "a line above": lambda head: [["2019年第二季度"], ["单位：万人"], head],
    "right of the title": lambda head: [["2019年第二季度", "", "", "单位：万人"], head],
    "in the header row": lambda head: [["2019年第二季度"], [*head, "单位：万人"]],
    "English, above": lambda head: [["Q2 2019"], ["Unit: 10,000 persons"], head],
    "计量单位 in the header row": lambda head: [["2019年第二季度"], [*head, "计量单位：万人"]],
}


@pytest.mark.parametrize("where", list(UNIT_STATEMENTS))
def test_a_sheets_unit_stated_anywhere_above_or_beside_the_header(where):
    """单位：万人 on a line of its own, beside the title, as a last cell of the header row, or
    in English: the population columns are in 万人 (never stored 10,000 times too small), and
    the statement is no column."""
    head = ["区划代码", "地区名称", "季末常住人口", "季末户籍人口"]
    rows = UNIT_STATEMENTS[where](head) + [[c, NAMES[c], 120, 95] for c in CODES]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert _errors(problems) == [] and not [p for p in problems if "extra" in p.rule], [
        p.message() for p in problems
    ]
    got = result.rows.groupby("indicator").value.agg(set).to_dict()
    assert got == {"resident_pop": {1_200_000}, "registered_pop": {950_000}}
    assert set(result.rows.period) == {"2019Q2"}


# ----------------------------------------------------------------------------- long tables
LONG_HEADS = [
    ("区划代码", "地区名称", "统计期", "指标名称", "数值"),
    ("代码", "地区", "报告期", "指标", "本期数"),
    ("Code", "Region", "Period", "Indicator", "Value"),
]
# how exports name the indicators: the template's words, shorter ones, English
LONG_NAMES = [
    {"settled_rural": "本季农业转移人口城镇落户人数", "resident_pop": "季末常住人口（万人）",
     "residence_permits": "本季居住证发放数"},
    {"settled_rural": "农业转移人口落户人数", "resident_pop": "常住人口",
     "residence_permits": "居住证发放张数"},
    {"settled_rural": "Settled (agricultural transfer)", "resident_pop": "Resident population",
     "residence_permits": "Residence permits issued"},
]  # fmt: skip
LONG_VALUES = {"settled_rural": 120, "resident_pop": 50_000, "residence_permits": 7}


def _long_rows(names: dict, head, unit_col: bool, order: str) -> list[list]:
    rows = []
    for i, c in enumerate(CODES):
        for f, label in names.items():
            value = LONG_VALUES[f] + i
            unit = ""
            if "万人" in label:
                value = value / 10_000
            elif unit_col and f == "resident_pop":  # the unit in its own column
                value, unit = value / 10_000, "万人"
            rows.append([c, NAMES[c], "2019年第二季度", label, value, unit][: 6 if unit_col else 5])
    if order == "by_indicator":
        rows.sort(key=lambda r: (r[3], r[0]))
    top = [*head, "计量单位"] if unit_col else list(head)
    return [top, *rows]


@pytest.mark.parametrize(
    "k,unit_col,order,fmt",
    list(
        itertools.product(range(3), [False, True], ["by_region", "by_indicator"], ["xlsx", "csv"])
    ),
)
def test_a_long_table_one_row_per_indicator(k, unit_col, order, fmt):
    """区划代码 | 统计期 | 指标名称 | 数值 (| 计量单位): each row's indicator is what its cell names,
    its value is that indicator's (scaled by a 万人 in the name or the unit column); the
    indicators no row names are left unreported."""
    names = LONG_NAMES[k]
    rows = _long_rows(names, LONG_HEADS[k], unit_col, order)
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"Sheet1": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert _errors(problems) == [], [p.message() for p in problems]
    got = _values(result.rows)
    for i, c in enumerate(CODES):
        for f in names:
            assert got[(c, "2019Q2", f)] == pytest.approx(LONG_VALUES[f] + i), (c, f)
    assert len(result.rows) == len(CODES) * len(names)
    assert set(result.not_carried) == set(wb.HEADER_EN[2:]) - set(names)


def test_a_long_table_row_naming_no_indicator_or_a_wrong_unit_is_refused_at_its_cell(tmp_path):
    rows = _long_rows(LONG_NAMES[0], LONG_HEADS[0], True, "by_region")
    rows[2][3] = "城镇化率"  # no indicator of a return
    rows[3][5] = "户"  # not a unit of permits
    engine = store.get_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    init_store(engine)
    report = ingest(wb.xlsx({"Sheet1": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    got = [(p.rule, p.row, p.column, p.message()) for p in report.errors]
    assert got == [
        ("unknown_indicator", 3, "D", "无法识别的指标：城镇化率（可写：本季农业转移人口城镇落户人数、"
         "本季其他常住人口城镇落户人数、本季居住证发放数、季末常住人口、季末城镇常住人口、季末户籍人口、"
         "季末城镇户籍人口）"),
        ("unknown_unit", 4, "F", "本季居住证发放数的计量单位应为“张”或“万张”：户"),
    ]  # fmt: skip
    assert report.errors[1].message("en") == (
        "The unit of Residence permits issued this quarter should be permits, or ten thousand "
        "permits (万): 户"
    )
    assert _submissions(engine) == (0, 0)


# ----------------------------------------------------------------------------- across
ACROSS_KEYS = ["names", "codes", "codes_over_names", "names_over_codes"]
ACROSS_VALUES = {"settled_rural": 100, "residence_permits": 7, "resident_pop": 50_000}


def _across_rows(keys: str, numbered: bool, unit_col: bool, total: bool) -> list[list]:
    """Tongchuan's counties across, an indicator a row (its label in column A, or B after a
    序号 column), a 单位 column or the unit in the label, perhaps a 合计 column."""
    region_rows = {
        "names": [["地区", *[NAMES[c] for c in CODES]]],
        "codes": [["区划代码", *CODES]],
        "codes_over_names": [["区划代码", *CODES], ["地区名称", *[NAMES[c] for c in CODES]]],
        "names_over_codes": [["县区", *[NAMES[c] for c in CODES]], ["代码", *CODES]],
    }[keys]
    lead = [""] if numbered else []
    unit_head = ["单位"] if unit_col else []
    rows = [["2019年第二季度各县区情况"]]
    for k, (label, *cells) in enumerate(region_rows):
        last = k == len(region_rows) - 1
        rows.append(
            [*lead, label, *unit_head, *cells, *(["合计" if last else ""] if total else [])]
        )
    labels = {"settled_rural": "本季农业转移人口城镇落户人数", "residence_permits": "居住证发放数",
              "resident_pop": "季末常住人口"}  # fmt: skip
    units = {"settled_rural": "人", "residence_permits": "张", "resident_pop": "万人"}
    for n, (f, base) in enumerate(ACROSS_VALUES.items(), start=1):
        in_wan = f == "resident_pop"
        label = labels[f] + ("（万人）" if in_wan and not unit_col else "")
        values = [(base + i) / (10_000 if in_wan else 1) for i in range(len(CODES))]
        rows.append(
            [*([n] if numbered else []), label, *([units[f]] if unit_col else []), *values,
             *([sum(values)] if total else [])]
        )  # fmt: skip
    return rows


@pytest.mark.parametrize(
    "keys,numbered,unit_col,total,fmt",
    list(itertools.product(ACROSS_KEYS, [False, True], [False, True], [False, True], ["xlsx"]))
    + [(k, False, False, True, "csv") for k in ACROSS_KEYS],
)
def test_regions_across_an_indicator_a_row(keys, numbered, unit_col, total, fmt):
    """The counties along a row (names, codes, or both), each indicator a row under them named
    in a label column: read as a return down the page, each value where it is in the sheet."""
    rows = _across_rows(keys, numbered, unit_col, total)
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"Sheet1": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert _errors(problems) == [], [p.message() for p in problems]
    got = _values(result.rows)
    for i, c in enumerate(CODES):
        for f, base in ACROSS_VALUES.items():
            assert got[(c, "2019Q2", f)] == pytest.approx(base + i), (c, f)
    assert len(result.rows) == len(CODES) * len(ACROSS_VALUES)
    # each value's cell is the sheet's own: the indicator's row, the county's column
    first_value_row = 2 + (2 if "_over_" in keys else 1)
    shift = int(numbered) + int(unit_col)
    cell = result.rows[
        (result.rows.region_code == CODES[2]) & (result.rows.indicator == "residence_permits")
    ]
    assert (int(cell.row.iloc[0]), str(cell.column.iloc[0])) == (
        first_value_row + 1,
        "ABCDEFGH"[1 + shift + 2],
    )


def test_a_bad_cell_and_an_unknown_county_across_are_said_where_they_are():
    rows = _across_rows("names", False, False, False)
    rows[1][3] = "不存在县"  # the third county's name
    rows[2][2] = "五十"  # the second county's first value
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    got = sorted((p.rule, p.row, p.column) for p in _errors(problems))
    assert got == [("not_a_number", 3, "C"), ("unknown_region", 2, "D")], [
        p.message() for p in problems
    ]
    assert {p.message() for p in _errors(problems)} >= {
        "本季农业转移人口城镇落户人数不是数字：五十"
    }


def test_a_total_column_across_is_checked_at_its_cell():
    rows = _across_rows("names", False, False, True)
    rows[2][-1] = 999  # 合计 of the first indicator
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    assert [(p.rule, p.row, p.column, p.message()) for p in _errors(problems)] == [
        (
            "totals_mismatch",
            3,
            "F",
            "“合计”行的本季农业转移人口城镇落户人数 999 与各地区之和 406 不符",
        )
    ]
    assert len(result.rows) == 4 * 3  # the total is checked, never stored


# ----------------------------------------------------------------------------- notes below
NOTE_LABELS = ["制表", "数据来源", "联系电话", "审核", "填报单位", "统计员", "Source"]
NOTE_SEPARATORS = ["：", ":", "： "]
NOTE_BESIDE = [[], ["", "2019-07-05"], ["", "", "029-12345678"], ["", 5]]


@pytest.mark.parametrize(
    "label,sep,beside", list(itertools.product(NOTE_LABELS, NOTE_SEPARATORS, NOTE_BESIDE))[::2]
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_labelled_line_under_the_table_is_a_note(label, sep, beside, fmt):
    """制表：张三, 数据来源: 公安局 ... under the table (with a date, a phone number or a number in
    the value columns beside it) are notes, never a region that no one knows."""
    rows = [["2019年第二季度"], wb.HEADER_ZH, *wb.county_rows(), [f"{label}{sep}张三", *beside]]
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"Sheet1": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert _errors(problems) == [], [p.message() for p in problems]
    assert result.n_rows == 4


@pytest.mark.parametrize("label", ["合计：", "其中：开发区"])
def test_a_total_or_a_part_with_a_colon_is_no_note(label):
    """合计： is still a total checked against the rows, and 其中：… a row of its own (here
    a region no one knows), never silently dropped as a note."""
    rows = [["2019年第二季度"], wb.HEADER_ZH, *wb.county_rows(), [label, "", *[1] * 7]]
    result, problems = _read(wb.xlsx({"Sheet1": rows}))
    rules = {p.rule for p in _errors(problems)}
    assert rules == ({"totals_mismatch"} if label == "合计：" else {"unknown_region"}), rules


# ----------------------------------------------------------------------------- CSV
ENCODINGS = ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"]
DELIMITERS = [",", "\t", ";"]


def _csv_rows(thousands: bool = True):
    rows = [["2019年第二季度农业转移人口落户情况统计表"], ["单位：人"], wb.HEADER_ZH]
    for i, code in enumerate(CODES):
        first = f"{1200 + i:,}" if thousands else 1200 + i
        rows.append([code, NAMES[code], first, 20, 5, 50_000, 30_000, 52_000, 20_000])
    rows.append(["填表人：张三"])
    return rows


@pytest.mark.parametrize(
    "encoding,delimiter,newline",
    list(itertools.product(ENCODINGS, DELIMITERS, ["\r\n", "\n"])),
)
def test_csv_in_the_encodings_and_delimiters_spreadsheets_save(encoding, delimiter, newline):
    content = csv_bytes(_csv_rows(delimiter != ","), encoding, delimiter, newline)
    result, problems = _read(content, "铜川.csv")
    assert _errors(problems) == [], [p.message() for p in problems]
    assert set(result.rows.period) == {"2019Q2"} and len(result.rows) == 28
    assert _values(result.rows)[(CODES[2], "2019Q2", "settled_rural")] == 1202
    assert set(result.rows.sheet) == {"铜川"}  # the file's name stands for the sheet's


def test_a_csv_file_names_its_period_in_its_name():
    rows = [wb.HEADER_ZH, *wb.county_rows()]
    result, problems = _read(csv_bytes(rows, "gbk"), "2019年第三季度铜川市.csv")
    assert _errors(problems) == []
    assert set(result.rows.period) == {"2019Q3"}


def test_a_csv_file_in_no_known_encoding_is_refused_with_the_way_out(engine):
    init_store(engine)
    content = csv_bytes(_csv_rows(), "utf-8")[:40] + b"\xff\xfe\x80\xff" + b"\x81" * 20
    report = ingest(content, "x.csv", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == ["text_encoding"]
    assert report.errors[0].message() == (
        "文本文件的编码无法识别：请在Excel中“另存为”CSV（UTF-8）或CSV（逗号分隔），或直接上传工作簿"
    )
    assert _submissions(engine) == (0, 0)


def test_a_csv_file_of_quarters_is_stored_quarter_by_quarter(engine):
    init_store(engine)
    rows = [
        ["2019年农业转移人口城镇落户人数"],
        ["地区", "一季度", "二季度", "三季度", "四季度", "全年合计"],
    ]
    rows += [[NAMES[c], 1, 2, 3, 4, 10] for c in CODES]
    report = ingest(csv_bytes(rows, "gbk"), "2019.csv", user=SYSTEM, engine=engine)
    assert report.status == "committed", [p.message() for p in report.errors]
    assert len(report.submission_ids) == 4


# ----------------------------------------------------------------------------- other spans
SPAN_NAMES = {  # an indicator as offices name it, in Chinese and in English
    "settled_rural": ("农业转移人口落户人数", "Settled (agricultural transfer)"),
    "settled_other": ("其他常住人口落户人数", "Settled (other)"),
    "residence_permits": ("居住证发放数", "Residence permits issued"),
    "resident_pop": ("常住人口", "Resident population"),
}
SPAN_WORDINGS = {  # {n}: the indicator's name -> the kind of span
    "累计{n}": "cumulative", "{n}累计": "cumulative", "本年累计{n}": "cumulative",
    "1-6月累计{n}": "cumulative", "{n}（累计）": "cumulative", "Cumulative {n}": "cumulative",
    "{n} (year to date)": "cumulative", "{n} YTD": "cumulative",
    "上年同期{n}": "another_period", "上季度{n}": "another_period",
    "{n}（上年同期）": "another_period", "Previous quarter {n}": "another_period",
    "{n}比上年增长": "change", "{n}同比增长(%)": "change", "{n} growth (%)": "change",
    "Change in {n}": "change",
}  # fmt: skip
SPAN_VALUES = {"settled_rural": 120, "settled_other": 20, "residence_permits": 7,
               "resident_pop": 50_000}  # fmt: skip


def _span_rows(f: str, wording: str, own: bool) -> list[list]:
    zh, en = SPAN_NAMES[f]
    name = en if wording[0].isascii() and wording[1].isascii() else zh
    spanned = wording.format(n=name)
    head = ["区划代码", "地区名称", *([name] if own else []), spanned]
    body = [[c, NAMES[c], *([SPAN_VALUES[f] + i] if own else []), 9_999 + i]
            for i, c in enumerate(CODES)]  # fmt: skip
    return [["2019年第二季度"], head, *body]


@pytest.mark.parametrize(
    "f,wording,own,fmt",
    [
        (f, w, own, fmt)
        for (f, w), own, fmt in itertools.product(
            itertools.product(SPAN_NAMES, SPAN_WORDINGS), [False, True], ["xlsx", "csv"]
        )
        if not (f == "resident_pop" and SPAN_WORDINGS[w] == "cumulative")  # no stock sums up
    ],
)
def test_a_column_over_another_span_is_never_the_quarters(f, wording, own, fmt):
    """累计…, 本年累计…, 上年同期…, …比上年增长 and their English: such a column names an
    indicator, but not the quarter's figure of it. Beside the quarter's own column it is
    ignored with a warning at its cell; alone it is refused at its cell, never stored."""
    rows = _span_rows(f, wording, own)
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"Sheet1": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    col = "D" if own else "C"
    said = [(p.rule, p.row, p.column, p.severity, p.params.get("span")) for p in problems
            if p.rule.startswith("other_span")]  # fmt: skip
    rule, severity = ("other_span_ignored", "warning") if own else ("other_span", "error")
    assert said == [(rule, 2, col, severity, SPAN_WORDINGS[wording])], [
        p.message() for p in problems
    ]
    if own:
        assert _errors(problems) == [], [p.message() for p in problems]
        got = _values(result.rows)
        assert {k[2] for k in got} == {f}
        for i, c in enumerate(CODES):
            assert got[(c, "2019Q2", f)] == SPAN_VALUES[f] + i
    else:
        assert [p.rule for p in _errors(problems)] == ["other_span"]
        assert result.rows.empty


def test_a_two_row_header_of_the_quarter_and_the_years_cumulative_figures():
    """本季 | 本年累计 over the same two indicators: the quarter's are read, the cumulative ones
    ignored with a warning at each of their cells."""
    rows = [
        ["2019年第二季度落户情况"],
        ["区划代码", "地区名称", "本季", None, "本年累计", None],
        [None, None, "农业转移人口落户人数", "其他常住人口落户人数",
         "农业转移人口落户人数", "其他常住人口落户人数"],
    ]  # fmt: skip
    rows += [[c, NAMES[c], 10 + i, 2, 100 + i, 20] for i, c in enumerate(CODES)]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2"]
    result, problems = _read(wb.xlsx({"S": rows}, {"S": merges}))
    assert _errors(problems) == [], [p.message() for p in problems]
    said = [(p.rule, p.row, p.column) for p in problems if p.rule.startswith("other_span")]
    assert said == [("other_span_ignored", 3, "E"), ("other_span_ignored", 3, "F")]
    got = _values(result.rows)
    assert got[(CODES[1], "2019Q2", "settled_rural")] == 11
    assert got[(CODES[1], "2019Q2", "settled_other")] == 2


def test_cumulative_columns_alone_are_refused_with_the_way_out_and_nothing_stored(engine):
    init_store(engine)
    rows = _span_rows("settled_rural", "累计{n}", own=False)
    report = ingest(wb.xlsx({"S": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [(p.rule, p.row, p.column) for p in report.errors] == [("other_span", 2, "C")]
    assert report.errors[0].message() == (
        "列“累计农业转移人口落户人数”是累计数，不是本季数，不能入库：请填报本季（当季）数。"
    )
    assert report.errors[0].message("en") == (
        "Column '累计农业转移人口落户人数' is a cumulative figure, not the quarter's own: it "
        "cannot be stored. Please report the quarter's figure."
    )
    assert report.errors[0].field == "settled_rural"  # the findings' field column names it
    assert _submissions(engine) == (0, 0)


@pytest.mark.parametrize("own", [False, True])
def test_a_long_tables_row_over_another_span(own):
    """A long table's row naming 累计… is not read: a warning beside the quarter's own rows of
    that indicator, else an error at the row."""
    rows = _long_rows(LONG_NAMES[0], LONG_HEADS[0], False, "by_region")
    label = rows[1][3]
    extra = [c[:3] + [f"累计{label}", 999] for c in rows[1:]]
    if not own:  # the quarter's own rows of that indicator taken out
        rows = [rows[0]] + [r for r in rows[1:] if r[3] != label]
    result, problems = _read(wb.xlsx({"S": rows + extra}))
    said = [(p.rule, p.severity) for p in problems if p.rule.startswith("other_span")]
    assert said == [("other_span_ignored", "warning") if own else ("other_span", "error")]
    assert 999 not in set(result.rows.value)


# ----------------------------------------------------------------------------- a total of parts
SUM_GROUPS = ["城镇落户人数", "落户人数", "本季落户人数", "Settled"]
SUM_WORDS = ["合计", "小计", "总计", "Total"]
SUM_PARTS = [("农业转移人口", "其他常住人口"), ("农业转移人口落户人数", "其他常住人口落户人数"),
             ("其中：农业转移人口", "其他常住人口")]  # fmt: skip


def _sum_rows(group, word, parts, two_rows: bool, last: bool, bad_row: int | None = None):
    """Tongchuan's counties with the settled of both kinds and their total (first or last),
    under a group cell over 合计 | parts, or in one row (落户人数合计 | 其中：…)."""
    body = []
    for i, c in enumerate(CODES):
        a, b = 50 + i, 10
        total = a + b + (1 if i == bad_row else 0)
        body.append([c, NAMES[c], *([a, b, total] if last else [total, a, b])])
    cols = [*parts, word] if last else [word, *parts]
    if two_rows:
        top = [["2019年第二季度"], ["区划代码", "地区名称", group, None, None],
               [None, None, *cols]]  # fmt: skip
        return top + body, ["A2:A3", "B2:B3", "C2:E2"]
    one = [f"{group}{word}" if w == word else w for w in cols]
    return [["2019年第二季度"], ["区划代码", "地区名称", *one], *body], []


@pytest.mark.parametrize(
    "group,word,parts,two_rows,last",
    [
        case
        for case in itertools.product(
            SUM_GROUPS, SUM_WORDS, SUM_PARTS, [True, False], [False, True]
        )
        if (case[0] == "Settled") == (case[1] == "Total")  # English with English
        and not (case[0] == "Settled" and not case[3])
    ],
)
def test_a_total_of_two_flows_is_checked_and_never_stored(group, word, parts, two_rows, last):
    rows, merges = _sum_rows(group, word, parts, two_rows, last)
    result, problems = _read(wb.xlsx({"S": rows}, {"S": merges}))
    assert problems == [], [p.message() for p in problems]  # the total: no extra column
    got = _values(result.rows)
    assert {k[2] for k in got} == {"settled_rural", "settled_other"}
    assert got[(CODES[2], "2019Q2", "settled_rural")] == 52
    assert got[(CODES[2], "2019Q2", "settled_other")] == 10
    assert len(got) == 2 * len(CODES)


def test_a_total_that_is_not_the_sum_of_its_parts_is_refused_at_its_cell(engine):
    init_store(engine)
    rows, merges = _sum_rows("城镇落户人数", "合计", SUM_PARTS[0], True, False, bad_row=1)
    report = ingest(wb.xlsx({"S": rows}, {"S": merges}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [(p.rule, p.row, p.column) for p in report.errors] == [("parts_total_mismatch", 5, "C")]
    assert report.errors[0].message() == "“印台区”行的“城镇落户人数合计” 62 与其分项之和 61 不符"
    assert report.errors[0].message("en") == (
        "Row '印台区': '城镇落户人数合计' 62 differs from the sum of its parts, 61"
    )
    assert _submissions(engine) == (0, 0)


def test_a_name_of_two_flows_without_both_parts_is_still_ambiguous():
    """落户人数 beside only one of its parts is no total of parts: it stays ambiguous."""
    rows = [["2019年第二季度"], ["区划代码", "地区名称", "落户人数", "其中：农业转移人口"]]
    rows += [[c, NAMES[c], 60, 50] for c in CODES]
    _, problems = _read(wb.xlsx({"S": rows}))
    assert [(p.rule, p.column) for p in _errors(problems)] == [("ambiguous_header", "C")]


# ----------------------------------------------------------------------------- quarters over fields
QUARTER_GROUPS = {  # how the quarters are written over their indicators -> where the year is
    "full": (["2019年第一季度", "2019年第二季度", "2019年第三季度"], "2019年落户情况"),
    "short": (["一季度", "二季度", "三季度"], "2019年落户情况"),
    "code": (["2019Q1", "2019Q2", "2019Q3"], "落户情况"),
    "english": (["Q1", "Q2", "Q3"], "Settlement, 2019"),
}
GROUP_FIELDS = [("农业转移人口落户人数", "其他常住人口落户人数"), ("居住证发放数", "季末常住人口"),
                ("Settled (agricultural transfer)", "Settled (other)")]  # fmt: skip
GROUP_FIELD_CODES = [("settled_rural", "settled_other"), ("residence_permits", "resident_pop"),
                     ("settled_rural", "settled_other")]  # fmt: skip


@pytest.mark.parametrize(
    "how,k,n,fmt",
    list(itertools.product(QUARTER_GROUPS, range(3), [2, 3], ["xlsx", "csv"])),
)
def test_quarters_over_their_indicators(how, k, n, fmt):
    """2019年第一季度 | 2019年第二季度 …, each over the same indicators (merged in a workbook,
    the quarter written once in a CSV file): each column is its quarter's figure."""
    labels, title = QUARTER_GROUPS[how]
    upper, lower = ["区划代码", "地区名称"], ["", ""]
    for q in labels[:n]:
        upper += [q, ""]
        lower += list(GROUP_FIELDS[k])
    body = [[c, NAMES[c], *[100 * (j + 1) + i for j in range(2 * n)]] for i, c in enumerate(CODES)]
    rows = [[title], upper, lower, *body]
    merges = [f"{a}2:{b}2" for a, b in zip("CEG", "DFH", strict=True)][:n]
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"S": rows}, {"S": merges})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert _errors(problems) == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert len(got) == len(CODES) * 2 * n
    for i, c in enumerate(CODES):
        for j in range(2 * n):
            f = GROUP_FIELD_CODES[k][j % 2]
            assert got[(c, f"2019Q{j // 2 + 1}", f)] == 100 * (j + 1) + i, (c, j)
    assert set(result.not_carried) == set(wb.HEADER_EN[2:]) - set(GROUP_FIELD_CODES[k])


@pytest.mark.parametrize("title", ["2019年第二季度", "2019Q2", "2019年二季度"])
@pytest.mark.parametrize("merged", [True, False])
def test_a_period_title_over_the_header_is_no_quarter_group(title, merged):
    """A bare period as the title, merged across the table or in its first cell, is the
    sheet's period: the header under it keeps its units (万人 scales), and nothing is read
    twice."""
    rows = [[title], ["区划代码", "地区名称", "季末常住人口（万人）", "农业转移人口落户人数"]]
    rows += [[c, NAMES[c], 5.5, 10] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}, {"S": ["A1:D1"] if merged else []}))
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert got[(CODES[0], "2019Q2", "resident_pop")] == 55_000
    assert len(got) == 2 * len(CODES)


def test_quarters_over_indicators_with_their_units():
    rows = [["2019年人口"], ["区划代码", "地区名称", "2019年第一季度", "2019年第二季度"],
            ["", "", "季末常住人口（万人）", "季末常住人口（万人）"]]  # fmt: skip
    rows += [[c, NAMES[c], 5.5, 5.6] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}))
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert got[(CODES[0], "2019Q1", "resident_pop")] == 55_000
    assert got[(CODES[0], "2019Q2", "resident_pop")] == 56_000


# ----------------------------------------------------------------------------- spans as periods
NOT_QUARTERS = ["2023年1-6月", "2023年1月至9月", "2023年上半年", "2023年前三季度", "2023年全年",
                "二〇二三年1—6月"]  # fmt: skip


@pytest.mark.parametrize("span", NOT_QUARTERS)
@pytest.mark.parametrize("where", ["title", "line", "sheet"])
def test_a_title_naming_a_span_of_the_year_is_said_once_at_its_cell(span, where):
    """2023年1-6月 / 上半年 / 前三季度 is several quarters (a cumulative report): one error at the
    cell (or the sheet's name) that says it, not a missing period at every row."""
    head = ["区划代码", "地区名称", "农业转移人口落户人数"]
    body = [[c, NAMES[c], 10] for c in CODES]
    top = {"title": [[f"{span}农业转移人口落户情况"]], "line": [["落户情况"], [f"填报期：{span}"]],
           "sheet": [["落户情况"]]}[where]  # fmt: skip
    sheet = f"{span}" if where == "sheet" else "S"
    result, problems = _read(wb.xlsx({sheet: [*top, head, *body]}))
    assert [(p.rule, p.row, p.column) for p in problems] == [
        (
            "period_not_a_quarter",
            *({"title": (1, "A"), "line": (2, "A"), "sheet": (None, None)}[where]),
        )
    ], [p.message() for p in problems]
    assert result.rows.empty


def test_a_span_of_the_year_refused_with_the_way_out_and_nothing_stored(engine):
    init_store(engine)
    rows = [["2023年1-6月农业转移人口落户情况"], ["区划代码", "地区名称", "农业转移人口落户人数"]]
    rows += [[c, NAMES[c], 10] for c in CODES]
    report = ingest(wb.xlsx({"S": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [p.message() for p in report.errors] == [
        "“2023年1-6月”不是一个季度（跨季度的累计或半年、全年）：请按季度填报，写明单季"
        "（如2023年4-6月或2023年第二季度）。"
    ]
    assert report.errors[0].message("en") == (
        "'2023年1-6月' is not one quarter (a span of several quarters): report a single quarter "
        "and name it (e.g. 2023年4-6月 or 2023Q2)."
    )
    assert _submissions(engine) == (0, 0)


# ----------------------------------------------------------------------------- one region's table
ONE_LAYOUTS = {  # a county office's own table, without a region's column
    "long": [["指标", "数值"], ["农业转移人口落户人数", 52], ["其他常住人口落户人数", 9],
             ["季末常住人口（万人）", 51.2]],
    "long_unit": [["项目", "计量单位", "本季"], ["农业转移人口落户人数", "人", 52],
                  ["其他常住人口落户人数", "人", 9], ["季末常住人口", "万人", 51.2]],
    "wide": [["农业转移人口落户人数", "其他常住人口落户人数", "季末常住人口（万人）"], [52, 9, 51.2]],
}  # fmt: skip
ONE_NAMED = {  # where the region is named -> (the lines above the table, the sheet's name)
    "title": ([["蓝田县2023年第二季度农业转移人口落户情况"]], "Sheet1"),
    "city_county": ([["西安市蓝田县2023年第二季度落户情况"]], "Sheet1"),
    "line": ([["2023年第二季度落户情况"], ["填报单位：蓝田县", "", "填报日期：2023-07-05"]], "S"),
    "sheet": ([["2023年第二季度落户情况"]], "蓝田县"),
}


@pytest.mark.parametrize(
    "layout,named,fmt", list(itertools.product(ONE_LAYOUTS, ONE_NAMED, ["xlsx", "csv"]))
)
def test_one_regions_table_named_above_or_by_the_sheet(layout, named, fmt):
    """指标 | 数值 (| 计量单位), or a row of indicator columns, under a title (or a line, or on a
    sheet) that names one county: that county's figures, each at its own cell."""
    top, sheet = ONE_NAMED[named]
    rows = [*top, *ONE_LAYOUTS[layout]]
    if fmt == "csv":
        content, filename = csv_bytes(rows, "gbk"), f"{sheet}.csv"
    else:
        content, filename = wb.xlsx({sheet: rows}), None
    result, problems = _read(content, filename)
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert got == {("610122", "2023Q2", "settled_rural"): 52,
                   ("610122", "2023Q2", "settled_other"): 9,
                   ("610122", "2023Q2", "resident_pop"): 512_000}  # fmt: skip
    at = {(r.indicator, r.row, r.column) for r in result.rows.itertuples()}
    first = len(top) + 2  # the first value's sheet row (1-based)
    if layout == "wide":
        assert at == {("settled_rural", first, "A"), ("settled_other", first, "B"),
                      ("resident_pop", first, "C")}  # fmt: skip
    else:
        col = "C" if layout == "long_unit" else "B"
        assert at == {("settled_rural", first, col), ("settled_other", first + 1, col),
                      ("resident_pop", first + 2, col)}  # fmt: skip


def test_one_regions_bad_value_is_said_at_its_own_cell_and_nothing_stored(engine):
    init_store(engine)
    rows = [["蓝田县2023年第二季度落户情况"], ["指标", "数值"], ["农业转移人口落户人数", "五十二"],
            ["其他常住人口落户人数", 9]]  # fmt: skip
    report = ingest(wb.xlsx({"S": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [(p.rule, p.row, p.column) for p in report.errors] == [("not_a_number", 3, "B")]
    assert _submissions(engine) == (0, 0)


@pytest.mark.parametrize(
    "top,sheet",
    [([["2023年第二季度落户情况"]], "Sheet1"),  # no region named
     ([["蓝田县、周至县2023年第二季度落户情况"]], "Sheet1")],  # two
)  # fmt: skip
def test_a_table_without_a_regions_column_naming_none_or_two_is_refused(top, sheet):
    rows = [*top, *ONE_LAYOUTS["long"]]
    result, problems = _read(wb.xlsx({sheet: rows}))
    assert result.rows.empty
    assert [p.rule for p in _errors(problems)][:1] == ["no_header"]


# ----------------------------------------------------------------------------- a unit column
UNIT_HEADINGS = ["单位", "计量单位", "Unit"]
ROW_UNITS = {"万人": 10_000, "人": 1, "10,000 persons": 10_000, "千人": 1_000}


@pytest.mark.parametrize(
    "heading,unit,fmt", list(itertools.product(UNIT_HEADINGS, ROW_UNITS, ["xlsx", "csv"]))
)
def test_a_unit_column_beside_a_wide_table_scales_each_row(heading, unit, fmt):
    """区划代码 | 地区名称 | 季末常住人口 | 季末户籍人口 | 单位 (万人 on each row): each row's values
    in its unit, also where they are whole (121 万人 is never 121 persons)."""
    rows = [["2019年第二季度"], ["区划代码", "地区名称", "季末常住人口", "季末户籍人口", heading]]
    rows += [[c, NAMES[c], 121 + i, 95, unit] for i, c in enumerate(CODES)]
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"S": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    for i, c in enumerate(CODES):
        assert got[(c, "2019Q2", "resident_pop")] == (121 + i) * ROW_UNITS[unit]
        assert got[(c, "2019Q2", "registered_pop")] == 95 * ROW_UNITS[unit]


def test_a_unit_column_of_another_kind_is_refused_at_the_value_and_nothing_stored(engine):
    """户 is no unit of persons, and 人 none of permits: the value is refused where it is."""
    init_store(engine)
    rows = [["2019年第二季度"], ["区划代码", "地区名称", "季末常住人口", "单位"]]
    rows += [[c, NAMES[c], 50_000, "户" if i == 1 else "人"] for i, c in enumerate(CODES)]
    report = ingest(wb.xlsx({"S": rows}), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [(p.rule, p.row, p.column) for p in report.errors] == [("wrong_unit", 4, "C")]
    assert report.errors[0].message() == "季末常住人口的单位应为“人”：50000户"
    assert _submissions(engine) == (0, 0)


def test_a_columns_own_unit_wins_over_the_unit_column():
    rows = [
        ["2019年第二季度"],
        ["区划代码", "地区名称", "季末常住人口（人）", "季末户籍人口", "单位"],
    ]
    rows += [[c, NAMES[c], 50_000, 5, "万人"] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}))
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert got[(CODES[0], "2019Q2", "resident_pop")] == 50_000
    assert got[(CODES[0], "2019Q2", "registered_pop")] == 50_000


# ----------------------------------------------------------------------------- tables stacked
STACK_TITLES = {"zh": "{y}年第{q}季度落户情况", "code": "{y}Q{q}", "en": "Q{q} {y} settlement",
                "numerals": "二〇一九年第{q}季度"}  # fmt: skip


@pytest.mark.parametrize(
    "how,n,repeat,fmt",
    list(itertools.product(STACK_TITLES, [2, 3], [True, False], ["xlsx", "csv"])),
)
def test_tables_of_quarters_stacked_on_one_sheet(how, n, repeat, fmt):
    """2019年第一季度 over its table, then 2019年第二季度 over the next (its header repeated or
    not): each table's rows are of its own title's quarter."""
    head = ["区划代码", "地区名称", "农业转移人口落户人数"]
    rows = []
    for q in range(1, n + 1):
        title = STACK_TITLES[how].format(y=2019, q=q)
        rows += [[title]] + ([head] if q == 1 or repeat else [])
        rows += [[c, NAMES[c], 10 * q + i] for i, c in enumerate(CODES)] + [[]]
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"S": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert _errors(problems) == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert len(got) == n * len(CODES)
    for q in range(1, n + 1):
        for i, c in enumerate(CODES):
            assert got[(c, f"2019Q{q}", "settled_rural")] == 10 * q + i


@pytest.mark.parametrize(
    "title", ["2023年6月末人口情况", "截至2023年6月30日人口", "人口（2023年06月底）"]
)
@pytest.mark.parametrize("where", ["title", "sheet"])
def test_stocks_under_a_quarters_last_day_are_that_quarters(title, where):
    rows = [
        [title if where == "title" else "人口情况"],
        ["区划代码", "地区名称", "常住人口", "户籍人口"],
    ]
    rows += [[c, NAMES[c], 100_000, 90_000] for c in CODES]
    sheet = title.replace("（", "").replace("）", "") if where == "sheet" else "S"
    result, problems = _read(wb.xlsx({sheet: rows}))
    assert problems == [], [p.message() for p in problems]
    assert set(result.rows.period) == {"2023Q2"}


def test_flows_to_a_months_end_are_no_quarter():
    """截至2023年6月末 over flows may be the year's so far: no period is taken from it."""
    rows = [["截至2023年6月末落户情况"], ["区划代码", "地区名称", "农业转移人口落户人数"]]
    rows += [[c, NAMES[c], 5] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}))
    assert result.rows.empty
    assert {p.rule for p in _errors(problems)} == {"no_period"}


# ----------------------------------------------------------------------------- HTML as a workbook
def _html(rows: list[list], head: str, two_rows: bool, sections: bool) -> str:
    """Tongchuan's return as a web reporting system exports it: a title cell spanning the
    table, the header in <th> (two rows: 区划代码 / 地区名称 spanning both, a group over the
    settled), <thead>/<tbody> or bare rows."""
    title = '<tr><td colspan="4">2019年第二季度农业转移人口落户情况</td></tr>'
    if two_rows:
        header = ('<tr><th rowspan="2">区划代码</th><th rowspan="2">地区名称</th>'
                  '<th colspan="2">城镇落户人数</th></tr>'
                  "<tr><th>农业转移人口</th><th>其他常住人口</th></tr>")  # fmt: skip
    else:
        header = ("<tr><th>区划代码</th><th>地区名称</th><th>农业转移人口落户人数</th>"
                  "<th>其他常住人口落户人数</th></tr>")  # fmt: skip
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows)
    if sections:
        table = f"<table border=1><thead>{title}{header}</thead><tbody>{body}</tbody></table>"
    else:
        table = f"<table>{title}{header}{body}</table>"
    return f"{head}<body>{table}</body></html>"


HTML_HEADS = {
    "doctype": '<!DOCTYPE html><html><head><meta charset="utf-8"></head>',
    "gbk": '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "</head>",
    "office": '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head></head>',
}


@pytest.mark.parametrize(
    "head,two_rows,sections,name",
    list(itertools.product(HTML_HEADS, [False, True], [False, True], ["r.xls", "r.html"])),
)
def test_an_html_table_saved_as_a_workbook(head, two_rows, sections, name):
    rows = [[c, NAMES[c], 50 + i, 10] for i, c in enumerate(CODES)]
    text = _html(rows, HTML_HEADS[head], two_rows, sections)
    content = text.encode("gbk" if head == "gbk" else "utf-8")
    result, problems = _read(content, name)
    assert problems == [], [p.message() for p in problems]
    got = _values(result.rows)
    assert len(got) == 2 * len(CODES)
    assert got[(CODES[2], "2019Q2", "settled_rural")] == 52
    assert got[(CODES[2], "2019Q2", "settled_other")] == 10
    assert set(result.rows.row) == set(
        range(4 if two_rows else 3, len(CODES) + (4 if two_rows else 3))
    )


def test_a_bad_cell_of_an_html_table_is_said_at_its_cell():
    rows = [[c, NAMES[c], "五十" if i == 1 else 50, 10] for i, c in enumerate(CODES)]
    result, problems = _read(_html(rows, HTML_HEADS["doctype"], False, True).encode(), "r.xls")
    assert [(p.rule, p.row, p.column) for p in _errors(problems)] == [("not_a_number", 4, "C")]


# ----------------------------------------------------------------------------- separators, parts
@pytest.mark.parametrize(
    "cell,value",
    [("1,234", 1234), ("1,234,567", 1_234_567), ("5,000人", 5000), ("１，２３４", 1234),
     ("1,234.0", 1234), ("121,5", None), ("1,2345", None), ("12,34,567", None)],
)  # fmt: skip
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_comma_is_a_thousands_separator_only_between_groups_of_three(cell, value, fmt):
    """121,5 is no 1215: a decimal comma or a slip is refused at its cell, never read as
    another number."""
    rows = [["2019年第二季度"], ["区划代码", "地区名称", "季末常住人口"]]
    rows += [[c, NAMES[c], cell if i == 0 else 50_000] for i, c in enumerate(CODES)]
    content = csv_bytes(rows, "gbk", ";") if fmt == "csv" else wb.xlsx({"S": rows})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    if value is None:
        assert [(p.rule, p.row, p.column) for p in _errors(problems)] == [("not_a_number", 3, "C")]
        assert _errors(problems)[0].message() == f"季末常住人口不是数字：{cell}"
        assert (CODES[0], "2019Q2", "resident_pop") not in _values(result.rows)
    else:
        assert _errors(problems) == [], [p.message() for p in problems]
        assert _values(result.rows)[(CODES[0], "2019Q2", "resident_pop")] == value


@pytest.mark.parametrize(
    "head",
    [["落户人数合计", "其中：农业转移人口", "其他人员"],
     ["Settled, total", "of which: agricultural transfer", "other residents"],
     ["Settled (total)", "Of which: agricultural transfer", "Other"]],
)  # fmt: skip
def test_the_parts_an_of_which_cell_begins_go_on_to_the_next_columns(head):
    """落户人数合计 | 其中：农业转移人口 | 其他人员: the last part names nothing alone, but with the
    parent's words it is the other settled; the first column is their total, checked."""
    rows = [["2019年第二季度"], ["区划代码", "地区名称", *head]]
    rows += [[c, NAMES[c], 6 + (i == 2), 5, 1] for i, c in enumerate(CODES)]
    result, problems = _read(csv_bytes(rows, "utf-8"), "r.csv")
    assert [(p.rule, p.row, p.column) for p in problems] == [("parts_total_mismatch", 5, "C")]
    got = _values(result.rows)
    assert got[(CODES[0], "2019Q2", "settled_rural")] == 5
    assert got[(CODES[0], "2019Q2", "settled_other")] == 1


def test_a_column_after_the_parts_that_names_something_else_is_its_own():
    """年末常住人口 | 其中：城镇 | 户籍人口: the column after the part is registered population, not a
    part; 备注 after parts stays an extra column, never an ambiguous one."""
    rows = [["2019年末人口"], ["地区名称", "年末常住人口", "其中：城镇", "户籍人口", "备注"]]
    rows += [[NAMES[c], 50_000, 30_000, 52_000, ""] for c in CODES]
    result, problems = _read(wb.xlsx({"S": rows}))
    assert [(p.rule, p.column) for p in problems] == [("extra_column", "E")]
    assert set(result.rows.indicator) == {"resident_pop", "urban_resident_pop", "registered_pop"}


OWN_WORDS = ["本季", "本期", "本季度", "本季数"]
SPAN_WORDS = ["上年同期", "累计", "同比增长%", "本年累计"]


@pytest.mark.parametrize(
    "own,span,fmt", list(itertools.product(OWN_WORDS, SPAN_WORDS, ["xlsx", "csv"]))
)
def test_an_indicator_over_its_quarter_and_another_span(own, span, fmt):
    """农业转移人口落户人数 over 本季 | 上年同期 (and 其他常住人口落户人数 likewise), as statistical
    forms print it (merged in a workbook; the name in each cell of a CSV file): 本季 is that
    indicator's quarter (never a long table's value column), the other span is ignored with a
    warning at its cell."""
    a, b = "农业转移人口落户人数", "其他常住人口落户人数"
    upper = (
        ["区划代码", "地区名称", a, "", b, ""]
        if fmt == "xlsx"
        else ["区划代码", "地区名称", a, a, b, b]
    )
    rows = [["2019年第二季度落户情况"], upper, ["", "", own, span, own, span]]
    rows += [[c, NAMES[c], 50 + i, 999, 10, 888] for i, c in enumerate(CODES)]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2"]
    content = csv_bytes(rows, "gbk") if fmt == "csv" else wb.xlsx({"S": rows}, {"S": merges})
    result, problems = _read(content, "r.csv" if fmt == "csv" else None)
    assert [(p.rule, p.row, p.column) for p in problems] == [
        ("other_span_ignored", 3, "D"), ("other_span_ignored", 3, "F")
    ], [p.message() for p in problems]  # fmt: skip
    got = _values(result.rows)
    assert len(got) == 2 * len(CODES)
    assert got[(CODES[1], "2019Q2", "settled_rural")] == 51
    assert got[(CODES[1], "2019Q2", "settled_other")] == 10
