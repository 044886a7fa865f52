"""Header rows: where a return's header is, and which field each header cell names.

Names are normalised (width, spaces, brackets and units, required-field marks, numbering) and
looked up in ``header_aliases.csv``, so a new wording is a data change."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data.intake.cells import UNIT_FACTORS, cell_at, is_blank
from data.intake.workbook import Sheet

ALIASES = Path(__file__).resolve().parent / "header_aliases.csv"


HEADER_SCAN_ROWS = 20


# columns every return may carry that say nothing new (a county's city follows from its code)
SILENT_HEADERS = ("序号", "行次", "市", "地市", "设区市", "所属市", "所属地市")


def norm_text(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


_BRACKET = re.compile(r"[(（\[]([^()（）\[\]]*)[)）\]]$")


_SLASH_UNIT = re.compile(r"[/／]([^/／]+)$")  # 常住人口/人


# what forms put around a column's name: required-field marks (*, ★) and numbering such as
# 1. / 1、/ （1）/ 一、/ ① (NFKC has made full-width forms and ① plain: "1季末…")
_MARKS = re.compile(r"^[*★☆※]+|[*★☆※]+$")


_NUMBERING = re.compile(
    r"^(?:\([0-9]{1,2}\)|[0-9]{1,2}[.、]|[0-9]{1,2}(?=[\u4e00-\u9fff])|[一二三四五六七八九十]{1,3}、)"
)


def split_header(value: object) -> tuple[str, str | None]:
    """``'常住人口（万人）'`` -> (``'常住人口'``, ``'万人'``); names are normalised, and
    required-field marks and numbering (``'★1.常住人口'``) dropped."""
    text = _MARKS.sub("", norm_text(value))
    text = _MARKS.sub("", _NUMBERING.sub("", text))
    m = _BRACKET.search(text) or _SLASH_UNIT.search(text)
    if m:
        unit = m.group(1).replace("单位:", "").replace("单位", "")
        if unit in UNIT_FACTORS or m.re is _BRACKET:
            return _MARKS.sub("", text[: m.start()]), unit if unit in UNIT_FACTORS else None
    return text, None


@lru_cache(maxsize=1)
def header_aliases() -> dict[str, str]:
    table = pd.read_csv(ALIASES, dtype=str)
    return {split_header(a)[0]: f for f, a in zip(table.field, table.alias, strict=True)}


def match_header(value: object) -> str | None:
    """Return the field a header cell names, or None."""
    if value is None or str(value).strip() == "":
        return None
    return field_of(str(value))


@lru_cache(maxsize=8192)
def field_of(text: str) -> str | None:
    return header_aliases().get(split_header(text)[0])


@dataclass
class Header:
    row: int  # last header row (0-based)
    fields: dict[int, str]  # column -> field
    units: dict[int, str]  # column -> unit from the header text
    extra: dict[int, str]  # column -> unmatched header text


def find_header(sheet: Sheet) -> Header | None:
    top = fill_merged(sheet, HEADER_SCAN_ROWS + 1)
    best: Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(top))):
        for depth in (1, 2):
            if depth == 2 and r + 1 >= len(top):
                continue
            width = max(len(top[r]), len(top[r + depth - 1]))
            fields, units, extra = {}, {}, {}
            upper_used = False  # a two-row header needs its upper row for some field or unit
            for c in range(width):
                upper = cell_at(top, r, c)
                lower = cell_at(top, r + 1, c) if depth == 2 else ""
                tries = (
                    [upper] if depth == 1 else [lower, f"{upper}{lower}", f"{lower}{upper}", upper]
                )
                for i, text in enumerate(tries):
                    f = match_header(text) if not is_blank(text) else None
                    if f and f not in fields.values():
                        fields[c] = f
                        unit = split_header(lower if not is_blank(lower) else upper)[1]
                        unit = unit or split_header(upper)[1]
                        if unit:
                            units[c] = unit
                        upper_used |= i > 0 or (unit is not None and not split_header(lower)[1])
                        break
                else:
                    label = f"{upper}{lower if lower != upper else ''}".strip()
                    if label and not is_blank(label):
                        extra[c] = label
            if not ({"region_code", "region_name"} & set(fields.values())) or len(fields) < 2:
                continue
            if depth == 2 and not upper_used:
                continue  # the row above (a title or unit line) is not part of the header
            candidate = Header(r + depth - 1, fields, units, extra)
            if best is None or len(fields) > len(best.fields):
                best = candidate
        if best is not None and r > best.row:
            break
    return best


_STEMS = "甲乙丙丁戊己庚辛"


def is_column_numbers_row(cells: list[str]) -> bool:
    """A 栏次 row: optional 栏次 label, stems 甲 乙 … for the text columns, then the value
    columns numbered 1, 2, 3 … in order (as numbers or text)."""
    cells = [c for c in cells if c not in ("栏次", "栏号")]
    stems = [c for c in cells if c in _STEMS]
    numbers = [c.removesuffix(".0") for c in cells if c not in _STEMS]
    if len(numbers) < 2 or not all(n.isdigit() for n in numbers):
        return False
    run = [int(n) for n in numbers]
    return run == list(range(run[0], run[0] + len(run))) and (bool(stems) or run[0] == 1)


def fill_merged(sheet: Sheet, last_row: int) -> list[list]:
    """Copy of the top rows with merged header cells filled from their top-left cell."""
    top = [list(row) for row in sheet.grid[:last_row]]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= last_row:
            continue
        value = cell_at(top, r0, c0)
        for r in range(r0, min(r1, last_row - 1) + 1):
            while len(top[r]) <= c1:
                top[r].append("")
            for c in range(c0, c1 + 1):
                top[r][c] = value
    return top
