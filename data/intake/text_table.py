"""A return saved as text: CSV (or tab-separated) as spreadsheet programs write it.

The encoding is decided by rules, not guessed: a byte-order mark names it (UTF-8, UTF-16);
otherwise the bytes are UTF-8 when they decode as UTF-8 strictly, else GB18030 (the superset
of GBK, which Excel writes on Chinese Windows) when they decode as that. Anything else, or
bytes holding NULs, is no text table. The delimiter is the one of ``,`` ``\\t`` ``;`` ``|``
that splits the first lines most consistently (the standard library's ``csv.Sniffer``); a
one-column file is read with commas. The cells become one grid of text (short rows, a title
line above the table, padded with ''): read by pandas' C parser when the file holds no quote,
by the ``csv`` module (quotes, embedded delimiters and line breaks) when it does.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator

import numpy as np
import pandas as pd

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",\t;|"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotText(Exception):
    """The bytes are not a text table this reader can decode: ``binary`` (NULs: some other
    file renamed) or text in an encoding neither rule fits."""

    def __init__(self, reason: str, binary: bool = False):
        super().__init__(reason)
        self.binary = binary


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with; NotText when neither rule fits."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                raise NotText(encoding) from None
    if b"\x00" in content[:SNIFF_BYTES]:
        raise NotText("binary", binary=True)
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise NotText("unknown encoding")


def delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # the sniffer wants the same count on most lines; a title line above the table has
        # none: the delimiter most lines hold at all
        counts = {d: sum(d in line for line in lines) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def table(content: bytes) -> np.ndarray:
    """The table's cells as a 2-D array of text, short rows padded with '' and trailing columns
    that hold nothing dropped (NotText when it is no text; csv.Error when it cannot be read).

    A file without a quote character has one row per line and no delimiter inside a cell, so
    its width is known before the parse and pandas' C parser reads it whole; a file with quotes
    (a delimiter, a quote or a line break inside a cell) is read by the ``csv`` module, which
    follows the quotes exactly (the C parser, given too few columns for a row that spans lines,
    took its first cell for an index and dropped it)."""
    text, _ = decode(content)
    sep = delimiter(text)
    if '"' in text:
        return _trimmed(grid_of(list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    width = max(map(operator.methodcaller("count", sep), lines)) + 1  # exact: a line is a row
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=range(width),
            index_col=False,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return np.full((0, 0), "", dtype=object)
    return _trimmed(frame.to_numpy(dtype=object))


def _trimmed(cells: np.ndarray) -> np.ndarray:
    """Without the trailing columns that hold nothing (at least one column is kept)."""
    if cells.size == 0:
        return cells
    filled = np.flatnonzero((cells != "").any(axis=0))
    return cells[:, : (filled[-1] + 1 if len(filled) else 1)]


def grid_of(rows: list[list]) -> np.ndarray:
    """Rows of cells as a 2-D object array, short rows padded with ''."""
    width = max(map(len, rows), default=0)
    out = np.full((len(rows), width), "", dtype=object)
    for r, row in enumerate(rows):
        out[r, : len(row)] = row
    return out
