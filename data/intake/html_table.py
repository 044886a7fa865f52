"""An HTML table saved as a workbook: web reporting systems export "Excel" files that are an
HTML page with a <table> (often named .xls). Every table of the page is read, in order, as
one sheet's rows — a title table above the data table stays above it — each cell's text as a
person sees it, a cell spanning columns or rows (colspan, rowspan) a merged range, as a
workbook's merged cells are. Parsed by Beautiful Soup over Python's own HTML parser: the page
is never fetched from, nor its scripts run."""

from __future__ import annotations

import re

import numpy as np

_LOOKS_HTML = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|meta|body|table|\?xml)", re.I
)
_HAS_TABLE = re.compile(rb"<\s*table[\s>]", re.I)
SNIFF = 65536


def is_html_table(content: bytes) -> bool:
    """Whether ``content`` is an HTML page holding a table (what it starts with, then a
    <table> tag within its first 64 KB)."""
    return bool(_LOOKS_HTML.match(content[:1024])) and bool(_HAS_TABLE.search(content[:SNIFF]))


def html_grid(text: str) -> tuple[np.ndarray, list]:
    """The page's tables as one grid of text, and the merged ranges ((r0, c0), (r1, c1))
    its spanning cells make."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    rows: list[dict[int, str]] = []
    merged: list = []
    taken: set[tuple[int, int]] = set()  # cells a rowspan from above covers
    for table in soup.find_all("table"):
        if table.find_parent("table") is not None:
            continue  # a table inside a cell is that cell's text
        for tr in _rows_of(table):
            r = len(rows)
            row: dict[int, str] = {}
            c = 0
            for cell in tr.find_all(["td", "th"], recursive=False):
                while (r, c) in taken:
                    c += 1
                span_c, span_r = _span(cell, "colspan"), _span(cell, "rowspan")
                row[c] = cell.get_text(" ", strip=True)
                if span_c > 1 or span_r > 1:
                    merged.append(((r, c), (r + span_r - 1, c + span_c - 1)))
                    taken |= {(r + i, c + j) for i in range(span_r) for j in range(span_c)}
                c += span_c
            rows.append(row)
    width = max((max(row) + 1 for row in rows if row), default=0)
    cells = np.full((len(rows), width), "", dtype=object)
    for r, row in enumerate(rows):
        for c, value in row.items():
            cells[r, c] = value
    return cells, merged


def _rows_of(table) -> list:
    """A table's rows in order, in its <thead>/<tbody>/<tfoot> or directly under it."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _span(cell, name: str) -> int:
    """A cell's colspan or rowspan: 1 unless a whole number from 1 to 1,000 is given."""
    try:
        n = int(str(cell.get(name, "1")).strip())
    except ValueError:
        return 1
    return n if 1 <= n <= 1000 else 1
