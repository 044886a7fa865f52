"""Header cells recognised by what they say, on a generated grid of variants: every field x
several spellings (the template's, DESIGN.md's, common abbreviations, English) x with and
without units x full-width x numbering and marks x spaces. Plus ambiguity (an error naming the
candidates), unrecognised columns (a warning with the nearest field) and whole workbooks
whose headers are drawn from the grid."""

from __future__ import annotations

import itertools

import pytest

from data.intake.headers import classify_header, nearest_field, split_header
from data.intake.read import read_return
from data.intake.rules import validate
from tests.fixtures import workbooks as wb

SPELLINGS = {
    "region_code": [
        "区划代码",
        "区县代码",
        "行政区划代码",
        "统计用区划代码",
        "地区编码",
        "代码",
        "Code",
    ],
    "region_name": [
        "地区名称",
        "县区名称",
        "区县名称",
        "单位名称",
        "县（市、区）",
        "县（市、区）名称",
        "地区",
        "Region name",
    ],
    "period": ["统计期", "报告期", "统计时间", "所属期", "时间", "Period"],
    "year": ["年份", "年度", "年", "Year"],
    "quarter": ["季度", "季", "季别", "统计季度"],
    "settled_rural": [
        "本季农业转移人口城镇落户人数",
        "农业转移人口落户数",
        "农业转移人口城镇落户",
        "农业转移人口落户人数",
        "本季农业转移人口落户",
        "Settled rural",
        "Settled agri. transfer pop.",
        "Agri-transfer settled",
    ],
    "settled_other": [
        "本季其他常住人口城镇落户人数",
        "其他常住人口落户",
        "其他常住人口落户人数",
        "其他人口城镇落户数",
        "Other settled",
    ],
    "residence_permits": [
        "本季居住证发放数",
        "居住证发放",
        "居住证发放张数",
        "居住证",
        "Residence permits issued",
    ],
    "resident_pop": [
        "季末常住人口",
        "常住人口",
        "常住人口数",
        "年末常住人口",
        "Resident population",
    ],
    "urban_resident_pop": [
        "季末城镇常住人口",
        "城镇常住人口",
        "城镇常住人口数",
        "城镇人口",
        "Urban resident population",
    ],
    "registered_pop": [
        "季末户籍人口",
        "户籍人口",
        "户籍人口数",
        "户籍总人口",
        "年末户籍人口",
        "Registered population",
    ],
    "urban_registered_pop": [
        "季末城镇户籍人口",
        "城镇户籍人口",
        "城镇户籍人口数",
        "非农业人口",
        "Urban registered population",
    ],
}
PERSONS = ["", "（人）", "(万人)", "/人", "（单位：人）"]
UNITS = {"residence_permits": ["", "（张）", "/张", "(万张)"]}
UNITS |= {f: PERSONS for f in SPELLINGS if f.endswith("_pop") or f.startswith("settled")}
MARKS = ["", "1.", "（3）", "三、", "★", "*"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def variants(field: str):
    for spelling, unit, mark in itertools.product(SPELLINGS[field], UNITS.get(field, [""]), MARKS):
        plain = f"{mark}{spelling}{unit}"
        yield plain
        yield full_width(plain)
        yield " ".join(plain) if len(plain) < 12 else plain.replace("人口", " 人口 ")


@pytest.mark.parametrize("field", list(SPELLINGS))
def test_every_variant_names_its_field(field):
    wrong = {v: classify_header(v) for v in variants(field) if classify_header(v).field != field}
    assert not wrong, wrong
    assert len(list(variants(field))) >= 3 * 3 * len(MARKS)  # the grid is a grid


@pytest.mark.parametrize(
    "label,candidates",
    [
        ("落户人数", {"settled_rural", "settled_other"}),
        ("本季城镇落户人数（人）", {"settled_rural", "settled_other"}),
        ("总人口", {"resident_pop", "registered_pop"}),
        ("季末总人口（万人）", {"resident_pop", "registered_pop"}),
    ],
)
def test_ambiguous_headers_name_their_candidates(label, candidates):
    match = classify_header(label)
    assert match.field is None and set(match.candidates) == candidates


@pytest.mark.parametrize(
    "label,nearest",
    [("城镇化率", None), ("备注", None), ("GDP（亿元）", None), ("常驻人口", "resident_pop")],
)
def test_unrecognised_headers_suggest_the_nearest(label, nearest):
    match = classify_header(label)
    assert match.field is None and not match.candidates
    assert nearest_field(label) == nearest


def test_titles_and_unit_lines_are_not_columns():
    for text in ("2016年第三季度农业转移人口落户情况统计表", "单位：人", "填报单位：铜川市公安局"):
        assert classify_header(text).field is None


@pytest.mark.parametrize("k", range(12))
def test_workbooks_with_headers_drawn_from_the_grid(k):
    """A whole return whose every header cell is a different variant: every value is read."""
    fields = wb.HEADER_EN
    header = []
    for i, f in enumerate(fields):
        options = list(variants(f))
        header.append(options[(k * 7 + i * 13) % len(options)])
    scale = {f: 10_000 if "万" in h else 1 for f, h in zip(fields, header, strict=True)}
    # the cells hold what an office would type under that header: 万 columns in ten thousands
    rows = [
        [c, wb.NAMES[c]] + [v / scale[f] for f, v in zip(fields[2:], wb.GOOD, strict=True)]
        for c in wb.TONGCHUAN
    ]
    result = read_return(wb.standard(rows, header=header))
    problems = [p for p in validate(result, today="2020Q4") if p.severity == "error"]
    assert not problems, (header, [p.message() for p in problems])
    assert len(result.rows) == 4 * 7, header
    # a unit in the header scales the values back: every value is what the office meant
    for f, good in zip(fields[2:], wb.GOOD, strict=True):
        values = result.rows[result.rows.indicator == f].value
        assert list(values) == [good] * 4, (f, header, list(values))


def test_an_ambiguous_column_rejects_the_file_naming_candidates():
    header = wb.HEADER_ZH[:2] + ["落户人数"] + wb.HEADER_ZH[3:]
    result = read_return(wb.standard(header=header))
    errors = [p for p in validate(result, today="2020Q4") if p.severity == "error"]
    assert [p.rule for p in errors] == ["ambiguous_header"]
    assert errors[0].column == "C" and errors[0].message() == (
        "列名“落户人数”不能确定是哪一项：可能是 本季农业转移人口城镇落户人数、"
        "本季其他常住人口城镇落户人数。请写明（可参照模板的列名）"
    )
    assert (
        errors[0]
        .message("en")
        .startswith(
            "Column '落户人数' could be any of: Agricultural-transfer residents settled in towns "
            "this quarter (本季农业转移人口城镇落户人数), Other permanent residents"
        )
    )


def test_an_unrecognised_column_is_a_warning_naming_the_nearest():
    header = wb.HEADER_ZH + ["常驻人口（备用）"]
    rows = [r + [1] for r in wb.county_rows()]
    warnings = [p for p in validate(read_return(wb.standard(rows, header=header)), today="2020Q4")]
    near = [p for p in warnings if p.rule == "extra_column_near"]
    assert len(near) == 1 and near[0].severity == "warning" and near[0].column == "J"
    assert (
        near[0].message()
        == "未识别的列“常驻人口（备用）”已忽略；最接近的是“季末常住人口”，如是请改用该列名。"
    )


@pytest.mark.parametrize(
    ("header", "field", "suggested"),
    [
        ("Area", "region_name", "region_name"),  # the issue's: once suggested 统计期 (period)
        ("District", "region_name", "region_name"),
        ("Regoin", None, "region_name"),  # a near spelling is suggested
        ("Xyzw", None, None),  # a Latin word sharing two letters with "year" is not
        ("Area population", None, None),
    ],
)
def test_english_place_headers_and_suggestions(header, field, suggested):
    assert classify_header(header).field == field
    assert nearest_field(header) == suggested


# a name that could be two fields, and the words in brackets that say which (Chinese and
# English, as offices and their translations write them)
QUALIFIED = {
    "settled_rural": [("落户人数", "农业转移人口"), ("城镇落户数", "农业转移"),
                      ("Settled", "agricultural transfer"), ("Settlements", "rural")],
    "settled_other": [("落户人数", "其他常住人口"), ("城镇落户数", "其他"),
                      ("Settled", "other residents"), ("Settlements", "other")],
    "urban_resident_pop": [("常住人口", "城镇"), ("季末常住人口", "城镇部分"),
                           ("Resident population", "urban")],
    "urban_registered_pop": [("户籍人口", "城镇"), ("Registered population", "urban")],
}  # fmt: skip
BRACKETS = [("（", "）"), ("(", ")"), ("[", "]")]
AFTER = ["", "（人）", "(万人)", "/人"]


def qualified_variants(field: str):
    for (name, qualifier), (left, right), unit, mark in itertools.product(
        QUALIFIED[field], BRACKETS, AFTER, ["", "1.", "★"]
    ):
        yield f"{mark}{name}{left}{qualifier}{right}{unit}"
        yield full_width(f"{mark}{name} {left}{qualifier}{right}{unit}")


@pytest.mark.parametrize("field", list(QUALIFIED))
def test_words_in_brackets_say_which_field_a_name_is(field):
    """落户人数 alone is ambiguous and 常住人口 alone the whole population; the words in brackets
    after it (not a unit) say which field it is, on the grid of spellings x brackets x units x
    numbering, full width and not."""
    wrong = {
        v: classify_header(v)
        for v in qualified_variants(field)
        if classify_header(v).field != field
    }
    assert not wrong, wrong
    assert len(list(qualified_variants(field))) >= 2 * 3 * 4 * 3 * 2


@pytest.mark.parametrize(
    "label,field",
    [("地区名称（县、市、区）", "region_name"), ("区划代码（12位）", "region_code"),
     ("统计期（季度）", "period"), ("年份（年）", "year"), ("常住人口（万人）", "resident_pop"),
     ("居住证发放数（累计）", "residence_permits"), ("户籍人口（公安口径）", "registered_pop")],
)  # fmt: skip
def test_a_bracket_that_qualifies_nothing_leaves_the_name_its_field(label, field):
    assert classify_header(label).field == field


@pytest.mark.parametrize("k", range(8))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_first_data_row_is_never_a_second_header_row(k, fmt):
    """A header whose value columns read as fields only together with the row under them
    (Settled + 100 ...) is one row: a code or a place under the region's column is data. The
    header's ambiguous columns are refused at row 1 and every data row is read; with the
    qualifiers written the same file is read whole."""
    ambiguous = ["落户人数", "Settled", "城镇落户数", "Settlements"][k % 4]
    code_head = ["区划代码", "Region code", "代码", "Code"][k // 2 % 4]
    name_head = ["地区名称", "County", "县区", "Region"][k % 4]
    head = [code_head, name_head, "统计期", f"{ambiguous}", f"{ambiguous} ", "居住证发放数"]
    rows = [[c, wb.NAMES[c], "2016Q3", 100 + i, 20 + i, 5] for i, c in enumerate(wb.TONGCHUAN)]
    grid = [head, *rows]

    def read(grid):
        if fmt == "csv":
            return read_return(wb.csv_bytes(grid, "gbk"), filename="r.csv")
        return read_return(wb.xlsx({"Sheet1": grid}))

    result = read(grid)
    errors = [p for p in validate(result, today="2020Q4") if p.severity == "error"]
    assert {(p.rule, p.row) for p in errors} == {("ambiguous_header", 1)}, errors
    qualifiers = (("（农业转移人口）", "（其他常住人口）"), (" (rural)", " (other)"))[k % 2]
    head[3], head[4] = ambiguous + qualifiers[0], ambiguous + qualifiers[1]
    result = read(grid)
    assert not [p for p in validate(result, today="2020Q4") if p.severity == "error"]
    assert result.n_rows == 4
    got = result.rows.pivot_table(index="region_code", columns="indicator", values="value")
    assert got.settled_rural.tolist() == [100, 101, 102, 103]
    assert got.settled_other.tolist() == [20, 21, 22, 23]


# units as offices write them after a name, Chinese and English: the unit each says
UNIT_WORDINGS = {
    "人": ["（人）", "(人)", "/人", "（单位：人）", " (persons)", " (people)", " (Unit: persons)"],
    "万人": ["（万人）", "/万人", " (10,000 persons)", " (10k persons)", " (10 thousand people)"],
    "千人": ["（千人）", " (thousand persons)", " (1,000 persons)"],
    "万": ["（万）", " (10k)", " (ten thousand)"],
    "张": ["（张）", " (permits)", " (pieces)"],
    "万张": ["（万张）", " (10,000 permits)"],
}


@pytest.mark.parametrize("unit", list(UNIT_WORDINGS))
def test_a_unit_after_a_name_in_chinese_or_english(unit):
    base = {"张": "居住证发放数", "万张": "Residence permits issued"}.get(unit, "季末常住人口")
    field = "residence_permits" if "张" in unit else "resident_pop"
    for wording in UNIT_WORDINGS[unit]:
        for name in (base, "Resident population") if "张" not in unit else (base,):
            label = f"{name}{wording}"
            assert split_header(label)[1] == unit, label
            assert classify_header(label).field == field, label


def test_a_number_is_no_unit():
    from data.intake.cells import unit_named

    assert [unit_named(v) for v in ("10000", "2016", "1,000", "", "km", "%")] == [None] * 6


def test_values_under_an_english_unit_are_scaled():
    header = ["Region code", "Region", "Period", "Resident population (10,000 persons)",
              "Residence permits issued (pieces)"]  # fmt: skip
    rows = [header] + [[c, wb.NAMES[c], "2016Q3", 5.25, 30] for c in wb.TONGCHUAN]
    result = read_return(wb.xlsx({"Sheet1": rows}))
    assert not [p for p in validate(result, today="2020Q4") if p.severity == "error"]
    values = result.rows.groupby("indicator").value.first().to_dict()
    assert values == {"resident_pop": 52_500, "residence_permits": 30}


@pytest.mark.parametrize(
    "parent", ["上级区划代码", "所属市代码", "上级地区", "所属市", "Parent code", "Parent region"]
)
def test_a_parent_regions_column_is_never_the_region(parent):
    """A column of the city each county belongs to, before the county's own: never read as
    the region, and never suggested as one."""
    code = parent.endswith(("代码", "code"))
    header = [parent, "区划代码", "地区名称", "统计期", "居住证发放数"]
    rows = [header] + [
        ["610200" if code else "铜川市", c, wb.NAMES[c], "2016Q3", 5] for c in wb.TONGCHUAN
    ]
    result = read_return(wb.xlsx({"Sheet1": rows}))
    problems = validate(result, today="2020Q4")
    assert not [p for p in problems if p.severity == "error"], [p.message() for p in problems]
    assert sorted(result.rows.region_code) == sorted(wb.TONGCHUAN)
    assert classify_header(parent).field is None
    assert nearest_field(parent) not in ("region_code", "region_name")
