"""Typed text in and out: exports neutralise formula-like text (OWASP CSV injection) and keep
numbers numbers; the annotated copy writes texts as texts; typed names, notes and links are
checked on the way in."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from data.downloads import csv_bytes, neutralise, xlsx_bytes
from data.intake.annotate import annotate
from data.intake.problems import Problem
from data.typed_text import TextRejected, clean_text, clean_url
from tests.fixtures import workbooks as wb

PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_is_neutralised(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("value", ["西安市", "a=b", "", "2016Q3", 12.5, -3, None])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_and_xlsx_exports(tmp_path):
    frame = pd.DataFrame({"name": [*PAYLOADS, "西安市"], "value": [-5, 1.5, 0, 2, 3, 4, -7]})
    text = csv_bytes(frame).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1] == "'=cmd|' /C calc'!A0,-5.0"
    assert lines[3] == "'-2+3,0.0" and lines[-1] == "西安市,-7.0"
    ws = load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    assert [c.data_type for c in ws["A"][1:]] == ["s"] * 7  # no formula cell
    assert ws["A2"].value == "'=cmd|' /C calc'!A0"
    assert [c.value for c in ws["B"][1:]] == [-5, 1.5, 0, 2, 3, 4, -7]  # numbers stay numbers
    assert ws["B2"].data_type == "n"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_urbdash_export_writes_through_the_neutraliser(tmp_path, monkeypatch, suffix):
    from analytics import export

    frame = pd.DataFrame({"region_name": ['=HYPERLINK("http://x")'], "value": [-1.0]})
    monkeypatch.setattr(export, "export_frame", lambda obs, level: frame)
    out = tmp_path / f"e{suffix}"
    export.write_export(out, pd.DataFrame(), "county")
    if suffix == ".csv":
        assert out.read_text(encoding="utf-8-sig").splitlines()[1] == (
            '"\'=HYPERLINK(""http://x"")",-1.0'
        )
    else:
        ws = load_workbook(out).active
        assert (ws["A2"].data_type, ws["A2"].value, ws["B2"].value) == (
            "s",
            '\'=HYPERLINK("http://x")',
            -1,
        )


def test_annotated_copy_writes_texts_as_texts():
    """A cell holding =cmd|"/c calc"!A1 in an uploaded .xls comes back as text in the copy."""
    payload = '=cmd|"/c calc"!A1'
    content = wb.xls([["区划代码", "地区名称"], ["610202", payload]])
    problem = Problem(
        "铜川市", 2, "B", "region", payload, "out_of_scope", {"region": payload, "scope": "x"}
    )
    book = load_workbook(io.BytesIO(annotate(content, [problem], "zh")))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("note", "x" * 2001, "The note is too long: 2001 characters, at most 2000"),
        ("note", "a\x07b", "The note holds a control character (U+0007); remove it and try again"),
        ("scenario", "名\u202e字", "The scenario name holds a control character (U+202E)"),
        ("source", "   ", None),
    ],
)
def test_typed_text_rules(field, value, message):
    if message is None:
        assert clean_text(value, field) is None
        with pytest.raises(TextRejected, match="must not be empty"):
            clean_text(value, field, required=True)
        return
    with pytest.raises(TextRejected) as err:
        clean_text(value, field)
    assert err.value.message("en").startswith(message)


def test_a_note_may_keep_its_line_breaks():
    assert clean_text("第一行\n第二行", "note") == "第一行\n第二行"


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://www.shaanxi.gov.cn/zfxxgk/a.html", True),
        ("http://10.1.2.3:8080/doc?id=5", True),
        ("javascript:alert(1)", False),
        ("ftp://x.gov.cn/a", False),
        ("https://", False),
        ('https://x.gov.cn/"onmouseover="alert(1)', False),
        ("https://x.gov.cn/<script>", False),
        ("https://x.gov.cn/a b", False),
    ],
)
def test_evidence_links(url, ok):
    if ok:
        assert clean_url(url) == url
    else:
        with pytest.raises(TextRejected):
            clean_url(url)
