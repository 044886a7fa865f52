"""A CSV return's grid (data/intake/text_table.py): whatever a spreadsheet program writes —
quotes, embedded delimiters and line breaks, ragged rows, blank lines, GBK or UTF-8 — reads
back as the cells written, whether pandas' C parser reads it or the csv module (the fallback)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data.intake import text_table

CELL = st.one_of(
    st.sampled_from(["", "610102", "西安市", "1,234", 'a"b', "两\n行", " 5 ", "合计", "-"]),
    st.text(alphabet="0123456789.,;\t\"' 万人城镇户籍\n", max_size=8),
)
ROWS = st.lists(st.lists(CELL, min_size=0, max_size=6), min_size=1, max_size=12)
# what most returns are: no cell needs quoting (the C parser's path)
PLAIN = st.text(alphabet="0123456789. 万人城镇户籍西安市合计-", max_size=8)
PLAIN_ROWS = st.lists(st.lists(PLAIN, min_size=2, max_size=6), min_size=1, max_size=12)  # [""]: ""


def written(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def expected(rows: list[list[str]]) -> list[list[str]]:
    """The rows as a grid: padded to the widest, trailing columns that hold nothing dropped."""
    width = max(map(len, rows), default=0)
    grid = [row + [""] * (width - len(row)) for row in rows]
    filled = [c for c in range(width) if any(r[c] != "" for r in grid)]
    keep = filled[-1] + 1 if filled else 1
    return [r[:keep] + [""] * (keep - len(r[:keep])) for r in grid]


def _reads_back(rows, delimiter, encoding) -> bool:
    """Whether the file written from ``rows`` reads back as them; files the rule cannot tell the
    delimiter of (nothing in them, or another delimiter splits them as well) are left out with
    ``assume``, which fails the test if it has to leave out most."""
    content = written(rows, delimiter, encoding)
    text = text_table.decode(content)[0]
    assume(any(c.strip(" \r\n\t") for r in rows for c in r))
    assume(text_table.delimiter(text) == delimiter)
    return text_table.table(content).tolist() == expected(rows)


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])
DELIMITERS = st.sampled_from([",", "\t", ";"])


@settings(max_examples=150, deadline=None)
@given(rows=ROWS, delimiter=DELIMITERS, encoding=ENCODINGS)
def test_the_grid_is_the_cells_written(rows, delimiter, encoding):
    assert _reads_back(rows, delimiter, encoding)


@settings(max_examples=150, deadline=None)
@given(rows=PLAIN_ROWS, delimiter=DELIMITERS, encoding=ENCODINGS)
def test_a_file_without_quotes_reads_back_through_the_c_parser(rows, delimiter, encoding):
    assert '"' not in written(rows, delimiter, encoding).decode(encoding)  # the fast path
    assert _reads_back(rows, delimiter, encoding)


@pytest.mark.parametrize(
    "text,grid",
    [
        # a title line above the table: the short row padded
        (
            "标题\n期别,代码\n2019Q1,610102\n",
            [["标题", ""], ["期别", "代码"], ["2019Q1", "610102"]],
        ),
        # a quoted line break making a row longer than any of its lines: the csv module reads it
        ('a,b\n"x\ny",1,2,3\n', [["a", "b", "", ""], ["x\ny", "1", "2", "3"]]),
        # blank lines kept as empty rows (Excel's row numbers stay right)
        ("a,b\n\n1,2\n", [["a", "b"], ["", ""], ["1", "2"]]),
    ],
)
def test_ragged_and_quoted_rows(text, grid):
    assert text_table.table(text.encode("utf-8")).tolist() == grid
