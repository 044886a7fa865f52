"""Checks an office's real files need (issue 12, "Also"): a code and a name that name two
different regions, an unknown name with a suggestion, a zip password, the row limit from the
sheet's declared size before it is parsed, and values taken from formulas. Each refusal with
its exact message and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data import store
from data.intake.ingest import check, ingest
from data.store.models import Observation, Submission
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM

TODAY = "2020Q4"


@pytest.fixture
def eng(initialised):
    return initialised


def nothing_written(eng) -> bool:
    with store.reader(eng) as s:
        return not (
            s.scalar(select(func.count()).select_from(Submission))
            or s.scalar(select(func.count()).select_from(Observation))
        )


def test_code_and_name_of_two_regions_is_an_error_naming_both(eng):
    rows = wb.county_rows()
    rows[0][1], rows[1][1] = rows[1][1], rows[0][1]  # 王益区 and 印台区 swapped
    report = ingest(wb.standard(rows), "swap.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == ["code_name_mismatch"] * 2
    assert [p.message() for p in report.errors] == [
        "区划代码与地区名称不是同一地区：代码 610202 是王益区，名称“印台区”是 610203",
        "区划代码与地区名称不是同一地区：代码 610203 是印台区，名称“王益区”是 610202",
    ]
    assert (report.errors[0].row, report.errors[0].column) == (4, "A")
    assert nothing_written(eng)


def test_an_old_name_with_its_current_code_is_no_mismatch(eng):
    rows = [["610118", "户县"] + wb.GOOD]  # the code of 鄠邑区 beside its former name
    report = check(wb.standard(rows, sheet="西安市"), "x.xlsx", engine=eng, today=TODAY)
    assert not [p for p in report.errors if p.rule == "code_name_mismatch"]


def test_unknown_name_says_did_you_mean(eng):
    rows = wb.county_rows(wb.TONGCHUAN[:3]) + [["", "宜君新区"] + wb.GOOD]
    report = ingest(wb.standard(rows), "u.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert [p.message() for p in report.errors] == ["无法识别的地区：宜君新区。是否为“宜君县”？"]
    assert report.errors[0].message("en") == "Unknown region: 宜君新区. Did you mean '宜君县'?"
    assert nothing_written(eng)


def test_a_zip_password_is_the_encrypted_message(eng, tmp_path):
    locked = wb.zip_password(wb.standard(), tmp_path)
    report = ingest(locked, "locked.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert report.status == "rejected" and [p.rule for p in report.errors] == ["encrypted"]
    assert check(locked, "locked.xlsx", use_store=False).errors[0].rule == "encrypted"
    assert nothing_written(eng)


def test_the_row_limit_is_checked_before_the_sheet_is_parsed(eng, monkeypatch):
    """Rows are counted while the sheet streams, never taken from a declared dimension: a
    300,000-row sheet that declares none (openpyxl's write-only mode) is refused within the
    refusal's memory budget, and a false huge declaration over 7 rows is not a reason to
    refuse. How fast the refusal comes is measured in bench (``bench.big_return``), not
    asserted here."""
    import tracemalloc

    bare = wb.with_sheet_xml(wb.standard(), wb.rows_xml(300_000, columns=1))
    tracemalloc.start()
    report = ingest(bare, "huge.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 250 * 2**20, peak
    assert [p.message() for p in report.errors] == ["数据行数 300,000 超过上限 200,000。"]
    assert nothing_written(eng)
    monkeypatch.setenv("URBDASH_MAX_ROWS", "1000")
    lying = wb.declared_dimension(wb.standard(), 300_000)
    assert "too_many_rows" not in [p.rule for p in check(lying, "l.xlsx", use_store=False).errors]


def test_the_cell_limit_is_checked_before_the_sheet_is_parsed(eng, monkeypatch):
    monkeypatch.setenv("URBDASH_MAX_CELLS", "5000")
    wide = wb.with_sheet_xml(wb.standard(), wb.rows_xml(1000, columns=10))
    report = ingest(wide, "wide.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert [p.message() for p in report.errors] == [
        "工作簿有 10,000 个单元格，超过上限 5,000。请只保留报表所需的行和列后上传。"
    ]
    assert nothing_written(eng)


def _patch_member_size(content: bytes, name: bytes, size: int) -> bytes:
    """The member's uncompressed size, in its local header and the central directory, set to
    ``size`` (a zip bomb that understates what it holds)."""
    import struct

    raw = bytearray(content)
    at = raw.find(b"PK\x03\x04" + b"")
    while at >= 0:
        n = struct.unpack_from("<H", raw, at + 26)[0]
        if bytes(raw[at + 30 : at + 30 + n]) == name:
            struct.pack_into("<I", raw, at + 22, size)
        at = raw.find(b"PK\x03\x04", at + 4)
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", raw, at + 28)[0]
        if bytes(raw[at + 46 : at + 46 + n]) == name:
            struct.pack_into("<I", raw, at + 24, size)
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def test_damaged_archives_are_the_damaged_file_message(eng):
    """A member whose bytes no longer match its CRC, and a zip bomb that understates its size,
    are refused with the damaged-file message: no traceback, nothing written."""
    stored = wb.with_sheet_xml(wb.standard(), wb.rows_xml(20), stored=True)
    bad_crc = stored.replace(b"<v>17</v>", b"<v>71</v>", 1)
    assert bad_crc != stored
    xml = wb.rows_xml(20) + b" " * (40 * 2**20)  # 40 MB that deflate to almost nothing
    bomb = _patch_member_size(
        wb.with_sheet_xml(wb.standard(), xml), b"xl/worksheets/sheet1.xml", 4096
    )
    message = "文件已损坏，无法打开（压缩包结构错误）。请重新从Excel另存后上传。"
    for content in (bad_crc, bomb):
        report = ingest(content, "d.xlsx", user=SYSTEM, engine=eng, today=TODAY)
        assert [p.message() for p in report.errors] == [message]
    assert nothing_written(eng)


def test_a_value_taken_from_a_formula_is_a_warning_naming_the_cell(eng):
    content = wb.with_formula_values(wb.standard(), {"C4": 100, "C5": 100})
    report = ingest(content, "f.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert report.status == "needs_confirmation"
    assert [w.message() for w in report.warnings] == [
        "以下单元格的数值取自公式（Excel 上次保存的计算结果）：C4, C5。请确认结果无误"
    ]
    assert nothing_written(eng)
    confirmed = ingest(
        content, "f.xlsx", user=SYSTEM, engine=eng, today=TODAY, accept_warnings=True
    )
    assert confirmed.status == "committed"


def test_no_header_lists_the_cells_found_with_what_each_could_be(eng):
    content = wb.standard(header=["编号", "县名", "落户人数", "城镇化水平"])
    report = ingest(content, "odd.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert [p.rule for p in report.errors] == ["no_header", "header_hint"]
    assert report.errors[1].sheet == "铜川市"
    assert report.errors[1].message() == (
        "该表的表头行可能是：编号；县名 → 地区名称?；落户人数 → 本季农业转移人口城镇落户人数?；"
        "城镇化水平。请按模板的列名修改后重新上传"
    )
    assert nothing_written(eng)


def test_columns_the_header_does_not_name_are_not_read_below_it(eng):
    """Remarks and numbering beside the return (and a line holding only a remark) change
    nothing: the same rows are read and stored as from the bare return, with the same
    findings; below the header only the named columns become values."""
    from data.intake.read import read_return

    rows = wb.county_rows()
    bare = wb.standard(rows)
    wide_rows = [[*r, f"备注{i}", i, None, "已核"] for i, r in enumerate(rows)]
    wide_rows.append([None] * len(rows[0]) + ["本行仅有备注", None, None, "—"])
    wide = wb.standard(wide_rows, header=[*wb.HEADER_ZH, "备注", "序号", "", "核对"])
    a, b = read_return(bare), read_return(wide)
    assert len(a.rows) == len(rows) * 7
    assert a.rows.drop(columns="sheet").equals(b.rows.drop(columns="sheet"))
    assert a.problems == []
    assert [p.message("en") for p in b.problems] == [
        "Unrecognised column '备注' ignored.",
        "Unrecognised column '核对' ignored.",
    ]
    report = ingest(wide, "wide.xlsx", user=SYSTEM, engine=eng, today=TODAY, accept_warnings=True)
    assert (report.status, report.new) == ("committed", len(rows) * 7)


def test_a_wide_sheets_unnamed_columns_never_become_python_values():
    """Forty columns of remarks beside 3,000 rows: reading the return allocates, per remark
    cell, less than one Python float would take (24 bytes, and 8 for its place in a row): the
    remarks' parsed form stays in calamine, outside Python's allocator, and is let go. What
    is left per cell is the file's own bytes, read once (about 13; 36 when every cell was
    turned into a value)."""
    import io
    import tracemalloc

    from openpyxl import Workbook

    from data.intake.read import read_return

    extra, n = 40, 3_000

    def book(extra: int) -> bytes:
        out = Workbook(write_only=True)
        ws = out.create_sheet("铜川市")
        ws.append(["2016年第三季度农业转移人口落户情况统计表"])
        ws.append([*wb.HEADER_ZH, *(f"备注{i}" for i in range(extra))])
        rows = wb.county_rows()
        for i in range(n):
            ws.append([*rows[i % len(rows)], *(i + k / 7 for k in range(extra))])
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()

    def peak(content: bytes) -> int:
        tracemalloc.start()
        read_return(content)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    bare, wide = book(0), book(extra)
    peak(bare)  # modules and caches warmed, not counted
    per_cell = (peak(wide) - peak(bare)) / (extra * n)
    assert per_cell < 20, f"{per_cell:.1f} bytes per remark cell"
