"""The corpus of messy and broken returns: each case with its expected report, and for every
rejected file a check that nothing was written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from data import store
from data.intake.ingest import RevertError, check, commit, ingest, revert
from data.intake.read import read_return
from data.store.bootstrap import init_store
from data.store.models import AuditLog, Observation, Submission
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM, statistician

TODAY = "2020Q4"


@pytest.fixture
def eng(tmp_path):
    e = store.get_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    init_store(e)
    return e


def counts(e):
    with store.reader(e) as s:
        return (
            s.scalar(select(func.count()).select_from(Submission)),
            s.scalar(select(func.count()).select_from(Observation)),
            s.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action.in_(("ingest", "revise")))
            ),
        )


def run(e, content, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("user", SYSTEM)
    return ingest(content, "upload.xlsx", engine=e, **kw)


def stored(e):
    with store.reader(e) as s:
        rows = s.execute(
            select(
                Observation.region_code,
                Observation.indicator_code,
                Observation.period,
                Observation.value,
            ).where(Observation.is_current)
        ).all()
    return {(r, i, p): v for r, i, p, v in rows}


# ----------------------------------------------------------------------------- accepted files
def _two_row_header():
    top = [
        "区划代码",
        "地区名称",
        "落户人数",
        None,
        "居住证发放数",
        "季末常住人口",
        "季末城镇常住人口",
        "季末户籍人口",
        "季末城镇户籍人口",
    ]
    low = [None, None, "农业转移人口", "其他常住人口", None, None, None, None, None]
    body = [["2016年第三季度落户情况"], top, low] + wb.county_rows()
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:H3", "I2:I3"]
    return wb.xlsx({"铜川市": body}, {"铜川市": merges})


def _shuffled():
    header = wb.HEADER_ZH[::-1] + ["备注说明"]
    rows = [r[::-1] + ["ok"] for r in wb.county_rows()]
    return wb.standard(rows, header=header)


def _hidden_sheet_of_old_figures():
    """A visible return and, hidden beside it, last quarter's copy with other figures."""
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            wb.xlsx(
                {
                    "铜川市": [["2016年第三季度"], wb.HEADER_ZH] + wb.county_rows(),
                    "旧表": [["2016年第二季度"], wb.HEADER_ZH] + wb.county_rows(values=[999] * 7),
                }
            )
        )
    )
    book["旧表"].sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _units_in_cells():
    """Units typed into the cells, also against the column's own (万人 columns)."""
    header = wb.HEADER_ZH[:5] + [h + "（万人）" for h in wb.HEADER_ZH[5:]]
    cells = ["100人", "20人", "5张", "50000人", "3万人", "5.2", "2"]
    return wb.standard([[c, ""] + cells for c in wb.TONGCHUAN], header=header)


ACCEPTED = {
    "template_layout": (lambda: wb.standard(), set()),
    "serial_number_column_under_unit_line": (
        lambda: wb.standard(
            [[i + 1] + r for i, r in enumerate(wb.county_rows())], header=["序号"] + wb.HEADER_ZH
        ),
        set(),
    ),
    "headers_with_line_breaks_and_units": (
        lambda: wb.standard(header=wb.HEADER_ZH[:2] + [h + "\n（人）" for h in wb.HEADER_ZH[2:]]),
        set(),
    ),
    "units_typed_in_cells": (_units_in_cells, set()),
    "bare_万_in_cells": (
        lambda: wb.standard([r[:5] + ["5万", "3万", "5.2万", "2万"] for r in wb.county_rows()]),
        set(),
    ),
    "code_list_sheet_beside_the_return": (
        lambda: wb.xlsx(
            {
                "铜川市": [["2016年第三季度"], wb.HEADER_ZH] + wb.county_rows(),
                "区划代码表": [["区划代码", "地区名称"]] + [[c, n] for c, n in wb.NAMES.items()],
            }
        ),
        set(),
    ),
    "title_year_in_chinese_numerals": (
        lambda: wb.standard(title="二〇一六年第三季度农业转移人口落户情况统计表"),
        set(),
    ),
    "title_quarter_as_months": (lambda: wb.standard(title="2016年7—9月落户情况统计表"), set()),
    "column_number_row_under_header": (
        lambda: wb.standard([["甲", "乙"] + list(range(1, 8))] + wb.county_rows()),
        set(),
    ),
    "unit_row_then_column_numbers_as_text": (
        lambda: wb.standard(
            [[None, None] + ["人"] * 7, ["栏次", "乙"] + [str(i) for i in range(1, 8)]]
            + wb.county_rows()
        ),
        set(),
    ),
    "marked_and_numbered_headers": (
        lambda: wb.standard(
            header=["区划代码*", "★地区名称", "1.本季农业转移人口城镇落户人数"]
            + ["（2）本季其他常住人口城镇落户人数", "3、本季居住证发放数", "①季末常住人口"]
            + ["四、季末城镇常住人口", "季末户籍人口/人", "※季末城镇户籍人口（人）"]
        ),
        set(),
    ),
    "code_and_name_in_one_cell": (
        lambda: wb.standard([[f"{c} {wb.NAMES[c]}", ""] + wb.GOOD for c in wb.TONGCHUAN]),
        set(),
    ),
    "header_and_unit_line_repeated_mid_table": (
        lambda: wb.standard(
            wb.county_rows()[:2]
            + [wb.HEADER_ZH, [None, None] + ["（人）"] * 7]
            + wb.county_rows()[2:]
        ),
        set(),
    ),
    "city_column_merged_down": (
        lambda: wb.xlsx(
            {
                "S": [["2016年第三季度落户统计表"], ["单位：人"], ["市"] + wb.HEADER_ZH]
                + [["铜川市" if i == 0 else None] + r for i, r in enumerate(wb.county_rows())]
            },
            {"S": ["A4:A7"]},
        ),
        set(),
    ),
    "date_cells_in_period_column": (
        lambda: wb.xlsx(
            {
                "S1": [["报告期"] + wb.HEADER_ZH]
                + [[dt.datetime(2016, 9, 30)] + r for r in wb.county_rows()]
            }
        ),
        set(),
    ),
    "month_text_in_column_named_时间": (
        lambda: wb.xlsx(
            {"S1": [["时间"] + wb.HEADER_ZH] + [["2016年9月末"] + r for r in wb.county_rows()]}
        ),
        set(),
    ),
    "hidden_sheet_not_read": (_hidden_sheet_of_old_figures, {"hidden_sheet"}),
    "excel_error_outside_the_table": (
        lambda: wb.with_error_cells(
            wb.standard([r + [0.6] for r in wb.county_rows()], header=wb.HEADER_ZH + ["城镇化率"]),
            {"J4": "#DIV/0!", "J5": "#REF!"},
        ),
        {"extra_column"},
    ),
    "english_headers": (lambda: wb.standard(header=wb.HEADER_EN), set()),
    "two_row_merged_header": (_two_row_header, set()),
    "shuffled_with_extra_column": (_shuffled, {"extra_column"}),
    "codes_as_numbers": (
        lambda: wb.standard([[int(c), n] + wb.GOOD for c, n in wb.NAMES.items()]),
        set(),
    ),
    "codes_text_fullwidth_spaces": (
        lambda: wb.standard(
            [
                [f" {c.translate(str.maketrans('0123456789', '０１２３４５６７８９'))} ", ""]
                + wb.GOOD
                for c in wb.TONGCHUAN
            ]
        ),
        set(),
    ),
    "names_only_no_suffix": (
        lambda: wb.standard([["", n[:-1]] + wb.GOOD for n in wb.NAMES.values()]),
        set(),
    ),
    "numbers_as_text": (
        lambda: wb.standard(
            [
                [c, ""] + ["100", "２０", " 5 ", "50,000", "30,000", "52,000", "20,000"]
                for c in wb.TONGCHUAN
            ]
        ),
        set(),
    ),
    "notes_below_table": (
        lambda: wb.standard(
            below=[[], ["填表人：张三", None, "审核人：李四"], ["注：本表按季度报送"]]
        ),
        set(),
    ),
    "total_row_matching": (
        lambda: wb.standard(wb.county_rows() + [["合计", ""] + [v * 4 for v in wb.GOOD]]),
        set(),
    ),
    "city_subtotal_row_matching": (
        lambda: wb.standard(wb.county_rows() + [["610200", "铜川市"] + [v * 4 for v in wb.GOOD]]),
        set(),
    ),
    "period_in_column": (
        lambda: wb.xlsx(
            {"S1": [["期别"] + wb.HEADER_ZH] + [["2016年第三季度"] + r for r in wb.county_rows()]}
        ),
        set(),
    ),
    "year_and_quarter_columns": (
        lambda: wb.xlsx(
            {
                "S1": [["年份", "季度"] + wb.HEADER_ZH]
                + [[2016, "三季度"] + r for r in wb.county_rows()]
            }
        ),
        set(),
    ),
    "period_in_sheet_name": (lambda: wb.standard(title="落户情况统计表", sheet="2016Q3"), set()),
    "legacy_xls": (
        lambda: wb.xls([["2016年第三季度落户情况"], wb.HEADER_ZH] + wb.county_rows()),
        set(),
    ),
    "xlsm_with_macro": (lambda: wb.xlsm(wb.standard()), set()),
    "one_sheet_per_city": (
        lambda: wb.xlsx(
            {
                "铜川市": [["2016年第3季度"], wb.HEADER_ZH] + wb.county_rows(),
                "杨凌示范区": [["2016年第3季度"], wb.HEADER_ZH] + wb.county_rows(["610403"]),
            }
        ),
        set(),
    ),
}


@pytest.mark.parametrize("case", ACCEPTED, ids=list(ACCEPTED))
def test_accepted(eng, case):
    build, warnings = ACCEPTED[case]
    report = run(eng, build(), accept_warnings=True)
    assert report.errors == [], [p.message() for p in report.errors]
    assert {w.rule for w in report.warnings} == warnings
    assert report.status == "committed"
    values = stored(eng)
    assert values[("610202", "settled_rural", "2016Q3")] == 100
    assert values[("610222", "urban_registered_pop", "2016Q3")] == 20_000
    assert len(values) == 7 * (4 + (case == "one_sheet_per_city"))


def test_unit_line_in_wan_converts(eng):
    rows = [[c, ""] + [0.01, 0.002, 0.0005, 5, 3, 5.2, 2] for c in wb.TONGCHUAN]
    report = run(eng, wb.standard(rows, unit="单位：万人"))
    assert report.status == "committed"
    assert stored(eng)[("610203", "resident_pop", "2016Q3")] == 50_000
    assert stored(eng)[("610203", "settled_rural", "2016Q3")] == 100


def test_unit_factor_leaves_whole_counts_whole(eng):
    """0.07 x 10,000 is 700.0000000000001 in floating point: still a whole count of persons."""
    rows = [[c, ""] + [0.07, 0.0523, 0.0005, 5.23, 3, 5.2, 2] for c in wb.TONGCHUAN]
    report = run(eng, wb.standard(rows, unit="单位：万人"))
    assert report.status == "committed", [p.message() for p in report.errors]
    assert stored(eng)[("610203", "settled_rural", "2016Q3")] == 700
    assert stored(eng)[("610203", "resident_pop", "2016Q3")] == 52_300


def test_dashes_and_无_are_empty_cells_not_zeros(eng):
    rows = [[c, ""] + [100, "-", "无", 50_000, " — ", 52_000, "/"] for c in wb.TONGCHUAN]
    report = run(eng, wb.standard(rows))
    assert report.status == "committed" and not report.warnings
    values = stored(eng)
    assert len(values) == 4 * 3
    assert ("610202", "settled_other", "2016Q3") not in values  # nothing invented
    assert values[("610202", "settled_rural", "2016Q3")] == 100


def test_units_in_cells_convert(eng):
    report = run(eng, _units_in_cells())
    assert report.status == "committed"
    values = stored(eng)
    assert values[("610202", "residence_permits", "2016Q3")] == 5
    assert values[("610202", "resident_pop", "2016Q3")] == 50_000  # 人 in a 万人 column
    assert values[("610202", "urban_resident_pop", "2016Q3")] == 30_000
    assert values[("610202", "registered_pop", "2016Q3")] == 52_000


def _with_subtotals(named: bool, tongchuan_factor: int = 4) -> bytes:
    """铜川's four counties, a subtotal, 杨凌 (a county-level unit), a subtotal, the total."""
    good = wb.GOOD
    first = "铜川市小计" if named else "小计"
    rows = (
        wb.county_rows()
        + [[first, ""] + [v * tongchuan_factor for v in good]]
        + [["610403", "杨凌示范区"] + good, ["小计", ""] + good]
        + [["合计", ""] + [v * 5 for v in good]]
    )
    return wb.standard(rows)


@pytest.mark.parametrize("named", [True, False], ids=["铜川市小计", "小计"])
def test_subtotals_sum_their_own_block(eng, named):
    """A subtotal sums its city (named) or the rows since the previous total row (bare), not
    the whole sheet; the total sums everything; none of them is stored."""
    report = run(eng, _with_subtotals(named))
    assert report.status == "committed", [p.message() for p in report.errors]
    assert len(stored(eng)) == 7 * 5


@pytest.mark.parametrize(
    "label,drop",
    [("全省合计", 0), ("陕西省合计", 0), ("合计（全省）", 0), ("铜川市小计", 1), ("铜川市合计", 1)],
)
@pytest.mark.parametrize("over", [True, False], ids=["more", "less"])
def test_a_total_over_counties_the_file_lacks_can_only_be_too_small(eng, label, drop, over):
    """A province's total in a city's file (or a city's total with a county missing) sums
    counties the file does not hold: it may be more than the rows' sum, never less. Less is
    refused at the total's cell and nothing is written."""
    rows = wb.county_rows()[drop:]
    n = len(rows)
    stated = [v * n + (1_000 if over else -1) for v in wb.GOOD]
    report = run(eng, wb.standard(rows + [[label, ""] + stated]), accept_warnings=True)
    if over:
        assert [p.rule for p in report.errors] == [], [p.message() for p in report.errors]
        # a county of the city missing is said (and was confirmed here)
        assert [p.rule for p in report.warnings] == ["missing_county"] * drop
        assert len(stored(eng)) == 7 * n
        return
    assert [p.rule for p in report.errors] == ["totals_mismatch"] * 7
    assert report.errors[0].message() == (
        f"“{label}”行的本季农业转移人口城镇落户人数 {100 * n - 1:,} 与各地区之和 {100 * n} 不符"
    )
    assert (report.errors[0].row, report.errors[0].column) == (4 + n, "C")
    assert counts(eng) == (0, 0, 0) and not stored(eng)


def test_named_subtotal_mismatch_is_located(eng):
    report = run(eng, _with_subtotals(True, tongchuan_factor=3))
    assert [p.rule for p in report.errors] == ["totals_mismatch"] * 7
    assert (
        report.errors[0].message()
        == "“铜川市小计”行的本季农业转移人口城镇落户人数 300 与各地区之和 400 不符"
    )
    assert (report.errors[0].row, report.errors[0].column) == (8, "C")
    assert counts(eng) == (0, 0, 0)


def test_hidden_sheet_is_named_and_not_read(eng):
    report = run(eng, _hidden_sheet_of_old_figures())
    assert report.status == "needs_confirmation"
    assert [w.message() for w in report.warnings] == [
        "隐藏的工作表“旧表”含有报表，未读取；如需上报，请取消隐藏后重新上传。"
    ]
    assert counts(eng) == (0, 0, 0)
    assert run(eng, _hidden_sheet_of_old_figures(), accept_warnings=True).status == "committed"
    assert 999 not in stored(eng).values()


def test_messages_name_indicators_in_english(eng):
    report = run(eng, REJECTED["wrong_unit_kind"][0]())
    assert (
        report.errors[0].message("en")
        == "Residence permits issued this quarter is counted in permits: 5人"
    )


def test_unit_in_header_per_column(eng):
    header = wb.HEADER_ZH[:5] + ["季末常住人口（万人）"] + wb.HEADER_ZH[6:]
    rows = [[c, ""] + [100, 20, 5, 5, 30_000, 52_000, 20_000] for c in wb.TONGCHUAN]
    report = run(eng, wb.standard(rows, header=header))
    assert report.status == "committed"
    assert stored(eng)[("610204", "resident_pop", "2016Q3")] == 50_000


def test_old_codes_and_names_resolve_with_a_note(eng):
    rows = [[610125, "户县"] + wb.GOOD, ["", "高陵县"] + wb.GOOD]
    report = run(eng, wb.standard(rows, sheet="西安市"), accept_warnings=True)
    assert report.status == "committed"
    notes = [w.message() for w in report.warnings if w.rule == "old_region"]
    assert "“户县”已按现行区划导入为 610118 鄠邑区" in notes
    assert "“高陵县”已按现行区划导入为 610117 高陵区" in notes
    assert ("610118", "resident_pop", "2016Q3") in stored(eng)


# ----------------------------------------------------------------------------- rejected files
def _no_indicator_column():
    return wb.standard([r[:2] for r in wb.county_rows()], header=wb.HEADER_ZH[:2])


def _formula():
    rows = wb.county_rows()[:3] + [["610222", "宜君县", "=C4+1"] + wb.GOOD[1:]]
    return wb.standard(rows)


REJECTED = {
    # id: (builder, env, expected rules, (rule, exact zh message) or None)
    "empty_file": (lambda: b"", {}, ["empty_file"], "文件为空。"),
    # a text file is read as a CSV table: one without any indicator column is refused so
    "text_table_without_indicators": (
        lambda: "区划代码,地区\n610202,王益区\n".encode(),
        {},
        ["no_indicator_column"],
        None,
    ),
    "renamed_binary_file": (
        lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + bytes(range(256)),
        {},
        ["not_excel"],
        "不是Excel文件（.xlsx/.xlsm/.xls）或CSV文本表格：请上传统计报表工作簿，不要只改文件扩展名。",
    ),
    "renamed_png": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, {}, ["not_excel"], None),
    "corrupt_zip": (
        lambda: wb.standard()[:1500],
        {},
        ["corrupt_zip"],
        "文件已损坏，无法打开（压缩包结构错误）。请重新从Excel另存后上传。",
    ),
    "zip_without_workbook": (lambda: _zip_of({"hello.txt": b"hi"}), {}, ["not_a_workbook"], None),
    "encrypted": (
        lambda: wb.encrypted(wb.standard()),
        {},
        ["encrypted"],
        "工作簿已加密（设置了打开密码），请取消密码后重新上传。",
    ),
    "zip_bomb": (lambda: wb.declared_huge(wb.standard()), {}, ["zip_bomb"], None),
    "xml_entity_bomb": (
        lambda: wb.entity_bomb(wb.standard()),
        {},
        ["xml_entities"],
        "文件中含有XML实体声明（xl/worksheets/sheet1.xml），出于安全原因已拒绝。",
    ),
    "empty_workbook": (
        lambda: wb.xlsx({"Sheet1": []}),
        {},
        ["empty_workbook"],
        "工作簿中没有任何数据。",
    ),
    "no_header": (
        lambda: wb.xlsx({"Sheet1": [["甲", "乙"], [1, 2]]}),
        {},
        ["no_header", "header_hint"],  # and the cells it found, with what each could be
        "未找到可识别的表头（需要“区划代码”或“地区名称”及指标列）。已检查的工作表：Sheet1",
    ),
    "too_large": (lambda: wb.standard(), {"URBDASH_MAX_UPLOAD_MB": "0.001"}, ["too_large"], None),
    "too_many_rows": (
        lambda: wb.standard(),
        {"URBDASH_MAX_ROWS": "3"},
        ["too_many_rows"],
        "数据行数 4 超过上限 3。",
    ),
    "formula_without_cache": (
        _formula,
        {},
        ["formula_no_cache"],
        "工作表“铜川市”中的公式没有计算结果（C7）：请在Excel中打开、重新计算并保存后上传。",
    ),
    "every_row_duplicate": (
        lambda: wb.standard(wb.county_rows() + wb.county_rows()),
        {},
        ["duplicate"] * 4,
        "地区 610202 王益区 在 2016Q3 重复填报",
    ),
    # a return may carry any of the indicators (a partial return), but at least one
    "no_indicator_column": (
        _no_indicator_column,
        {},
        ["no_indicator_column"],
        "表中没有任何指标列：至少需要以下一列：本季农业转移人口城镇落户人数、本季其他常住人口城镇落户人数、"
        "本季居住证发放数、季末常住人口、季末城镇常住人口、季末户籍人口、季末城镇户籍人口",
    ),
    "unknown_region": (
        lambda: wb.standard(wb.county_rows() + [["", "火星县"] + wb.GOOD]),
        {},
        ["unknown_region"],
        "无法识别的地区：火星县",
    ),
    "unknown_code": (
        lambda: wb.standard(wb.county_rows() + [[619999, ""] + wb.GOOD]),
        {},
        ["unknown_region"],
        None,
    ),
    "negative_flow": (
        lambda: wb.standard(wb.county_rows()[:3] + [["610222", ""] + [-5] + wb.GOOD[1:]]),
        {},
        ["negative"],
        "本季农业转移人口城镇落户人数不能为负数：-5",
    ),
    "non_integer": (
        lambda: wb.standard(wb.county_rows()[:3] + [["610222", ""] + [10.5] + wb.GOOD[1:]]),
        {},
        ["not_integer"],
        "本季农业转移人口城镇落户人数应为整数：10.5",
    ),
    "not_a_number": (
        lambda: wb.standard(wb.county_rows()[:3] + [["610222", ""] + ["约100"] + wb.GOOD[1:]]),
        {},
        ["not_a_number"],
        "本季农业转移人口城镇落户人数不是数字：约100",
    ),
    "urban_gt_total": (
        lambda: wb.standard(
            wb.county_rows()[:3] + [["610222", ""] + [100, 20, 5, 50_000, 60_000, 52_000, 20_000]]
        ),
        {},
        ["urban_gt_total"],
        "季末城镇常住人口 60,000 大于 季末常住人口 50,000",
    ),
    "future_period": (
        lambda: wb.standard(title="2099年第一季度统计表"),
        {},
        ["future_period"],
        "填报期 2099Q1 尚未到来",
    ),
    "unparseable_period": (
        lambda: wb.xlsx(
            {"S": [["期别"] + wb.HEADER_ZH] + [["2016年第五季度"] + r for r in wb.county_rows()]}
        ),
        {},
        ["bad_period"] * 4,
        "无法识别的填报期：2016年第五季度（可写 2016Q3、2016年第三季度，或季末月份的日期如 2016-09-30）",
    ),
    "date_not_in_a_quarters_last_month": (
        lambda: wb.xlsx(
            {
                "S": [["报告期"] + wb.HEADER_ZH]
                + [[dt.datetime(2016, 10, 15)] + r for r in wb.county_rows()]
            }
        ),
        {},
        ["bad_period"] * 4,
        "无法识别的填报期：2016-10-15（可写 2016Q3、2016年第三季度，或季末月份的日期如 2016-09-30）",
    ),
    "ambiguous_month_text": (
        lambda: wb.xlsx(
            {"S": [["期别"] + wb.HEADER_ZH] + [["2016/3"] + r for r in wb.county_rows()]}
        ),
        {},
        ["bad_period"] * 4,
        None,
    ),
    "excel_error_cells": (
        lambda: wb.with_error_cells(wb.standard(), {"C4": "#DIV/0!", "F7": "#N/A"}),
        {},
        ["excel_error", "excel_error"],
        "单元格为 Excel 错误值 #DIV/0!：请修正公式后重新上传",
    ),
    "code_and_name_disagree": (
        lambda: wb.standard(wb.county_rows()[:3] + [["610222 印台区", ""] + wb.GOOD]),
        {},
        ["unknown_region"],
        "无法识别的地区：610222 印台区",
    ),
    "xls_error_cells": (
        lambda: wb.xls(
            [["2016年第三季度落户情况"], wb.HEADER_ZH] + wb.county_rows(),
            errors={(2, 2): "#DIV/0!", (4, 5): "#N/A"},
        ),
        {},
        ["excel_error", "excel_error"],
        "单元格为 Excel 错误值 #DIV/0!：请修正公式后重新上传",
    ),
    "city_row_only": (
        lambda: wb.standard([["610200", "铜川市"] + [v * 4 for v in wb.GOOD]]),
        {},
        ["only_totals"],
        "表中只有合计或市级行（如“铜川市”）：请按县（市、区）逐行填报",
    ),
    "wrong_unit_kind": (
        lambda: wb.standard([[c, ""] + [100, 20, "5人"] + wb.GOOD[3:] for c in wb.TONGCHUAN]),
        {},
        ["wrong_unit"] * 4,
        "本季居住证发放数的单位应为“张”：5人",
    ),
    "no_period": (lambda: wb.standard(title="落户情况统计表"), {}, ["no_period"] * 4, None),
    "total_row_mismatch": (
        lambda: wb.standard(
            wb.county_rows() + [["合计", ""] + [401] + [v * 4 for v in wb.GOOD[1:]]]
        ),
        {},
        ["totals_mismatch"],
        "“合计”行的本季农业转移人口城镇落户人数 401 与各地区之和 400 不符",
    ),
    "above_max": (
        lambda: wb.standard(
            wb.county_rows()[:3]
            + [["610222", ""] + [100, 20, 5, 50_000_000, 30_000, 52_000, 20_000]]
        ),
        {},
        ["above_max"],
        "季末常住人口 50,000,000 超过合理上限 20,000,000",
    ),
}


def _zip_of(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)
    return out.getvalue()


@pytest.mark.parametrize("case", REJECTED, ids=list(REJECTED))
def test_rejected_and_nothing_written(eng, monkeypatch, case):
    build, env, rules, message = REJECTED[case]
    content = build()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    report = run(eng, content)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == rules, [p.message() for p in report.errors]
    if message:
        assert report.errors[0].message() == message
    assert counts(eng) == (0, 0, 0)


def test_errors_are_located_in_cells(eng):
    content = REJECTED["negative_flow"][0]()
    err = run(eng, content).errors[0]
    assert (err.sheet, err.row, err.column, err.field) == ("铜川市", 7, "C", "settled_rural")
    assert (
        err.message("en")
        == "Agricultural-transfer residents settled in towns this quarter cannot be negative: -5"
        or err.message("en").endswith("cannot be negative: -5")
    )


def test_out_of_scope(eng):
    report = run(eng, wb.standard(), user=statistician("xa", "610100"))
    assert [p.rule for p in report.errors] == ["out_of_scope"] * 4
    assert report.errors[0].message() == "地区 610202 王益区 不在您的填报范围（610100 西安市）内"
    assert counts(eng) == (0, 0, 0)


# ----------------------------------------------------------------------------- warnings
def _history(eng, quarters=("2015Q3", "2015Q4", "2016Q1", "2016Q2")):
    for q in quarters:
        y, n = q[:4], q[-1]
        assert run(eng, wb.standard(title=f"{y}年第{n}季度")).status == "committed"


@pytest.mark.parametrize(
    "values, rule, message",
    [
        (
            [100 * 10_000] + wb.GOOD[1:],
            "unit_slip",
            "本季农业转移人口城镇落户人数 1,000,000 与该地区通常水平 100 相差约一万倍，疑似单位错误（万人/人）",
        ),
        ([2_000] + wb.GOOD[1:], "outlier", None),
        (
            wb.GOOD[:3] + [80_000, 30_000, 52_000, 20_000],
            "stock_jump",
            "季末常住人口 80,000 较上季度 50,000 变化 +60.0%，幅度异常",
        ),
    ],
)
def test_history_warnings_need_confirmation(eng, values, rule, message):
    _history(eng)
    before = counts(eng)
    rows = wb.county_rows()[:3] + [["610222", ""] + values]
    report = run(eng, wb.standard(rows))
    assert report.status == "needs_confirmation" and not report.errors
    assert [w.rule for w in report.warnings] == [rule]
    assert report.warnings[0].row == 7
    if message:
        assert report.warnings[0].message() == message
    assert counts(eng) == before
    confirmed = run(eng, wb.standard(rows), accept_warnings=True)
    assert confirmed.status == "committed"


def test_missing_county_warning(eng):
    report = run(eng, wb.standard(wb.county_rows(wb.TONGCHUAN[:3])))
    assert report.status == "needs_confirmation"
    assert [w.message() for w in report.warnings] == ["铜川市 2016Q3 缺少：宜君县"]
    assert counts(eng) == (0, 0, 0)


# ----------------------------------------------------------------------------- history
def test_identical_unchanged_revision_replace_revert(eng):
    first = wb.standard()
    assert run(eng, first).status == "committed"
    assert run(eng, first).status == "duplicate"
    same_values = wb.standard(title="2016年第三季度统计表（重报）")
    assert run(eng, same_values).status == "unchanged"
    assert counts(eng) == (1, 28, 1)

    revised = wb.standard(wb.county_rows()[:3] + [["610222", ""] + [150] + wb.GOOD[1:]])
    refused = run(eng, revised)
    assert refused.status == "revision_refused"
    assert refused.changes.to_dict("records") == [
        {
            "region_code": "610222",
            "period": "2016Q3",
            "indicator": "settled_rural",
            "old": 100.0,
            "new": 150.0,
        }
    ]
    assert counts(eng) == (1, 28, 1)

    replaced = run(eng, revised, replace=True)
    assert replaced.status == "committed"
    assert stored(eng)[("610222", "settled_rural", "2016Q3")] == 150
    assert counts(eng) == (2, 29, 2)  # superseded, not deleted

    with pytest.raises(RevertError, match="revised by submission"):
        revert(1, user=SYSTEM, engine=eng)
    out = revert(replaced.submission_id, user=SYSTEM, engine=eng)
    assert out == {"submission_id": replaced.submission_id, "withdrawn": 1, "restored": 1}
    assert stored(eng)[("610222", "settled_rural", "2016Q3")] == 100


def test_check_then_commit_preview(eng):
    report = check(wb.standard(), "a.xlsx", engine=eng, today=TODAY)
    assert (report.status, report.new, report.unchanged) == ("checked", 28, 0)
    assert counts(eng) == (0, 0, 0)
    assert commit(report, wb.standard(), user=SYSTEM, engine=eng).status == "committed"


def test_reader_keeps_raw_and_locations():
    result = read_return(
        wb.standard(wb.county_rows()[:1] + [["610203", ""] + ["1,234"] + wb.GOOD[1:]])
    )
    row = result.rows[
        (result.rows.region_code == "610203") & (result.rows.indicator == "settled_rural")
    ].iloc[0]
    assert (row.sheet, row.row, row.column, row.value, row.raw) == (
        "铜川市",
        5,
        "C",
        1234.0,
        "1,234",
    )
