"""A return saved as text: CSV (or tab-separated) as spreadsheet programs write it.

The encoding is decided by rules, not guessed: a byte-order mark names it (UTF-8, UTF-16);
otherwise the bytes are UTF-8 when they decode as UTF-8 strictly, else GB18030 (the superset
of GBK, which Excel writes on Chinese Windows) when they decode as that. Anything else, or
bytes holding NULs, is no text table. The delimiter is the one of ``,`` ``\\t`` ``;`` ``|``
that splits the first lines most consistently (the standard library's ``csv.Sniffer``); a
one-column file is read with commas. Rows are parsed by the ``csv`` module (quotes, embedded
commas and line breaks), so ragged rows (a title line, then the table) are kept as they are.
"""

from __future__ import annotations

import codecs
import csv
import io

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


def rows(content: bytes) -> list[list[str]]:
    """The table's rows as lists of cell texts (NotText when it is no text)."""
    text, _ = decode(content)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text)))
