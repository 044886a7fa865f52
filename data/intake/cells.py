"""Cells as people type them: numbers with separators, full-width digits and units written
in the cell (``5万人``), and the marks that stand for an empty cell (``-``, ``/``, ``无``: never
read as 0). The one number parser of the intake."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

UNIT_FACTORS = {
    "人": 1,
    "张": 1,
    "个": 1,
    "万人": 10_000,
    "万张": 10_000,
    "千人": 1_000,
    "万": 10_000,
}


# units written in English, by their words (spaces, case and thousands separators aside): a
# multiplier (10,000 / 10k / thousand) and a kind (persons / permits), either alone
# (data/intake/unit_words.csv: add a wording there, not in code)
_WORDS = pd.read_csv(Path(__file__).with_name("unit_words.csv"), dtype=str, keep_default_na=False)
UNIT_KINDS = {w: m for w, m in zip(_WORDS.word, _WORDS.means, strict=True) if m in ("人", "张")}
UNIT_MULTIPLIERS = sorted(
    ((w, m) for w, m in zip(_WORDS.word, _WORDS.means, strict=True) if m in ("万", "千")),
    key=lambda wm: -len(wm[0]),
)
_UNIT_LABEL = re.compile(r"^(?:计量单位|单位|units?|in)[:：]?")


def unit_named(text: object) -> str | None:
    """The unit a unit cell or the bracket after a name says (``万人``, ``（单位：人）``,
    ``10,000 persons``, ``Unit: permits``, ``10k``), as one of UNIT_FACTORS; None if none."""
    plain = re.sub(r"[\s,()（）]", "", unicodedata.normalize("NFKC", str(text))).lower()
    plain = _UNIT_LABEL.sub("", plain)
    if plain in UNIT_FACTORS:
        return plain
    times = next(((m, plain[len(w) :]) for w, m in UNIT_MULTIPLIERS if plain.startswith(w)), None)
    times, rest = times if times is not None else ("", plain)
    if rest == "" and plain.isdigit():
        return None  # 10000 alone is a number, not a unit
    kind = UNIT_KINDS.get(rest, "" if rest == "" else None)
    unit = None if kind is None else times + kind
    return unit if unit in UNIT_FACTORS else None


# a stated total (a 合计 row, a 全年 column) may differ from the sum of its parts by rounding
TOTAL_TOLERANCE = 0.5


KINDLESS_UNITS = ("万",)  # a bare multiplier: fits persons and permits alike


def unit_fits(unit: str, indicator_unit: str) -> bool:
    """Whether a unit (of UNIT_FACTORS) counts what an indicator counts (万人 for 人; 5张 among
    persons does not); a bare 万 fits any."""
    return unit[-1:] == indicator_unit[-1:] or unit in KINDLESS_UNITS


# cells that statistical tables use for "nothing here": read as empty (never as a made-up 0)
EMPTY_MARKS = frozenset({"-", "--", "—", "——", "–", "/", "…", "...", "无"})


def to_number(value: object) -> float | None:
    """A cell's number: numbers as they are; text through ``split_number`` (separators,
    full-width digits, a unit after the number scales it); empty cells and the empty marks
    give None. Raises ValueError for text that is not a number."""
    if isinstance(value, bool):
        raise ValueError(value)
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text, unit = split_number(value)
    if text is None or text == "":
        return None
    return float(text) * UNIT_FACTORS.get(unit, 1)


def numbers_in(cells: np.ndarray) -> np.ndarray:
    """The numbers an array of cells holds as they stand (float, NaN where a cell holds none;
    text that needs cleaning first is ``split_number``'s). A column of text alone (a CSV
    file's) is converted at once by pyarrow when every cell parses (100,000 cells: 4 ms, not
    35 ms); otherwise pandas.to_numeric decides cell by cell, as for a workbook's numbers."""
    try:
        text = pa.array(cells, type=pa.string(), from_pandas=True)
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False).copy()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.asarray(pd.to_numeric(cells, errors="coerce"), dtype=float).copy()


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def cell_at(grid: list[list], r: int, c: int) -> object:
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else ""


def blank_cells(col: pd.Series) -> pd.Series:
    """Empty, missing or whitespace-only cells (only text cells are looked at as text).

    Each distinct cell is looked at once (a column repeats its values): missing ones (None,
    NaN, NaT) have no code; a text is blank when it is whitespace or an empty mark."""
    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)
    # whitespace, or a dash or 无 standing for "nothing" (EMPTY_MARKS, as NFKC text)
    empty = np.fromiter(
        (
            (t.isspace() or t == "" or (len(t) <= 5 and nfkc(t).strip() in EMPTY_MARKS))
            if isinstance(t, str)
            else bool(pd.isna(t))
            for t in uniques
        ),
        dtype=bool,
        count=len(uniques),
    )
    out = np.ones(len(codes), dtype=bool)  # no code: missing
    has = codes >= 0
    out[has] = empty[codes[has]]
    return pd.Series(out, index=col.index)


@lru_cache(maxsize=65536)
def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


_UNIT_SUFFIX = re.compile("(" + "|".join(sorted(UNIT_FACTORS, key=len, reverse=True)) + ")$")


# thousands separators: commas between groups of three digits (1,234,567); any other comma
# (121,5: a decimal comma, or a slip) leaves the cell no number, never 1215
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?![\d,])")


def split_number(value: object) -> tuple[object, str | None]:
    """A number typed as text without its separators, and the unit written after it."""
    if not isinstance(value, str):
        return value, None
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    grouped = _GROUPED.match(text)
    if grouped:
        text = grouped.group(0).replace(",", "") + text[grouped.end() :]
    m = _UNIT_SUFFIX.search(text)
    if m and m.start() > 0:
        return text[: m.start()], m.group(1)
    return (None if text in EMPTY_MARKS else text), None


def row_unit_scale(units: np.ndarray, ind, scale: np.ndarray, wrong: np.ndarray, filled) -> None:
    """A 单位 column's unit on each row, into ``scale`` where it fits the indicator, into
    ``wrong`` (the cell left unread) where it is of another kind (户 beside persons)."""
    codes, uniques = pd.factorize(units)
    for k, text in enumerate(uniques):
        if text == "":
            continue
        unit = unit_named(text)
        rows = (codes == k) & filled
        if unit is not None and unit_fits(unit, ind.unit):
            scale[rows] = UNIT_FACTORS[unit]
        else:
            wrong[rows] = True
