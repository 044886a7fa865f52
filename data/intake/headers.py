"""Header rows: where a return's header is, and which field each header cell names.

A header cell is recognised by what it says, not by its exact spelling. It is normalised
(width, spaces, brackets and units, required-field marks, numbering), looked up in
``header_aliases.csv`` (exact wordings), and otherwise decided by the rules of
``header_rules.csv`` over its words: a field's rule names the words it must contain (groups
joined by ``+``, alternatives by ``|``), the words that rule it out, and whole wordings it may
be (``exact``). One matching rule names the field; several are an ambiguity that names the
candidates; none leaves the column unrecognised, with the nearest field suggested. A new
wording is a data change in either file, never code."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data.intake.cells import cell_at, is_blank, unit_named
from data.intake.workbook import Sheet
from data.reference.indicators import REPORTED_CODES

ALIASES = Path(__file__).resolve().parent / "header_aliases.csv"
RULES = Path(__file__).resolve().parent / "header_rules.csv"
# rules judge a column's name; longer texts (titles, notes) are never taken for one
RULE_MAX_CHARS = 24


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
        unit = unit_named(m.group(1))
        if unit or m.re is _BRACKET:
            return _MARKS.sub("", text[: m.start()]), unit
    return text, None


@lru_cache(maxsize=1)
def header_aliases() -> dict[str, str]:
    table = pd.read_csv(ALIASES, dtype=str)
    return {split_header(a)[0]: f for f, a in zip(table.field, table.alias, strict=True)}


@dataclass(frozen=True)
class HeaderRule:
    field: str
    require: tuple[tuple[str, ...], ...]  # every group must be met by one of its words
    exclude: tuple[str, ...]  # none of these may appear
    exact: tuple[str, ...]  # whole wordings that name the field

    def matches(self, text: str) -> bool:
        if text in self.exact:
            return True
        if not self.require or any(w in text for w in self.exclude):
            return False
        return all(any(w in text for w in group) for group in self.require)

    def near(self, text: str) -> bool:
        """The field's own word is there, its qualifier not (``落户人数``: rural or other?)."""
        if not self.require or any(w in text for w in self.exclude):
            return False
        return any(w in text for w in self.require[0])


def _words(cell: object) -> tuple[str, ...]:
    return tuple(norm_text(w) for w in str(cell).split("|") if w and str(cell) != "nan")


@lru_cache(maxsize=1)
def header_rules() -> tuple[HeaderRule, ...]:
    table = pd.read_csv(RULES, dtype=str, keep_default_na=False)
    return tuple(
        HeaderRule(
            r.field,
            tuple(_words(g) for g in r.require.split("+") if g),
            _words(r.exclude),
            _words(r.exact),
        )
        for r in table.itertuples(index=False)
    )


def _rule_text(text: str) -> str:
    """The words rules look at: brackets dropped, their content kept (县（市、区）名称)."""
    return re.sub(r"[()\[\]（）]", "", text)


@dataclass(frozen=True)
class HeaderMatch:
    field: str | None  # the field named, if exactly one
    candidates: tuple[str, ...] = ()  # two or more: the cell is ambiguous


def classify_header(value: object) -> HeaderMatch:
    """What a header cell names: the alias file's wording, else the rules (one field, an
    ambiguity between candidates, or nothing)."""
    if value is None or is_blank(value):
        return HeaderMatch(None)
    return _classify(str(value))


@lru_cache(maxsize=8192)
def _classify(text: str) -> HeaderMatch:
    name = split_header(text)[0]
    words = _rule_text(name)
    # a bracket that is no unit may say which field (落户人数（农业转移人口）, 常住人口（城镇）,
    # Settled (other)): the name with the bracket's words, when they name one field
    qualified = _rule_text(_without_unit(text))
    if qualified != words and _rule_length(qualified) <= RULE_MAX_CHARS:
        found = _by_rules(qualified)
        if found.field:
            return found
    if name in header_aliases():
        return HeaderMatch(header_aliases()[name])
    if not words or _rule_length(words) > RULE_MAX_CHARS or words.endswith("表"):
        return HeaderMatch(None)  # a title line, not a column's name
    return _by_rules(words)


def _rule_length(words: str) -> int:
    """How long a name is for the title test, four Latin letters counting as one character
    (a Chinese name of 24 characters is a title; "settled (agricultural transfer)" is not)."""
    latin = sum(len(w) for w in re.findall(r"[a-z]+", words))
    return len(words) - latin + -(-latin // 4)


def _without_unit(value: object) -> str:
    """A header cell's name as ``split_header`` gives it, but a bracket at its end that is no
    unit kept (what it qualifies the name by)."""
    text = _MARKS.sub("", norm_text(value))
    text = _MARKS.sub("", _NUMBERING.sub("", text))
    m = _BRACKET.search(text) or _SLASH_UNIT.search(text)
    if m and unit_named(m.group(1)):
        text = _MARKS.sub("", text[: m.start()])
    return text


def _by_rules(words: str) -> HeaderMatch:
    """The field the rules give ``words``: one, an ambiguity, or nothing (with the fields it
    is near when two or more are)."""
    full = [r.field for r in header_rules() if r.matches(words)]
    if len(full) == 1:
        return HeaderMatch(full[0])
    if len(full) > 1:
        return HeaderMatch(None, tuple(full))
    near = [r.field for r in header_rules() if r.near(words)]
    return HeaderMatch(None, tuple(near) if len(near) > 1 else ())


def fields_named_in(text: object, among) -> tuple[str, ...]:
    """The fields (of ``among``) a longer text such as a title names: the alias wording it
    holds (the longest: 城镇常住人口 over 常住人口), else every field whose rule its words meet.
    One field, several (the caller says which), or none."""
    words = _rule_text(norm_text(text))
    if not words:
        return ()
    held = [
        (len(a), f)
        for a, f in header_aliases().items()
        if f in among and len(a) >= 3 and a in words
    ]
    if held:
        longest = max(n for n, _ in held)
        return tuple(sorted({f for n, f in held if n == longest}))
    return tuple(r.field for r in header_rules() if r.field in among and r.matches(words))


def names_a_quarter(value: object) -> bool:
    """Whether a header cell says 季度 / Quarter, whichever field it is read as (an English
    Quarter column may hold 2016Q3 and is then the period's): its plain 3 is the third quarter."""
    words = _rule_text(split_header(value)[0])
    return any(r.field == "quarter" and r.matches(words) for r in header_rules())


def match_header(value: object) -> str | None:
    """Return the field a header cell names, or None (unrecognised or ambiguous)."""
    return classify_header(value).field


def field_name(field_code: str) -> str:
    """A field's name as the template writes it (Chinese; messages translate it)."""
    from data.reference.indicators import field_name as name

    return name(field_code)


def nearest_field(value: object) -> str | None:
    """The field whose wordings come closest to an unrecognised header cell (a suggestion)."""
    import difflib

    name = _rule_text(split_header(value)[0])
    if not name:
        return None
    match = classify_header(value)
    if match.field or match.candidates:  # named (a second column of a field), or ambiguous
        return match.field or match.candidates[0]
    near = [r.field for r in header_rules() if r.near(name)]
    if near:
        return near[0]
    wordings = header_aliases()
    # a Latin word matches by a shared letter or two ("Area" ~ "year"): a suggestion there
    # must be a near spelling ("Regoin" ~ "region")
    cutoff = 0.8 if name.isascii() else 0.5
    close = difflib.get_close_matches(name, list(wordings), n=1, cutoff=cutoff)
    field_code = wordings[close[0]] if close else None
    # never a field whose rule rules the cell out (上级区划代码 is not the region's code)
    excluded = any(
        r.field == field_code and any(w in name for w in r.exclude) for r in header_rules()
    )
    return None if excluded else field_code


@dataclass
class Header:
    row: int  # last header row (0-based)
    fields: dict[int, str]  # column -> field
    units: dict[int, str]  # column -> unit from the header text
    extra: dict[int, str]  # column -> unmatched header text
    ambiguous: dict[int, tuple[str, ...]] = field(default_factory=dict)  # column -> candidates
    # a year's quarters as columns: column -> (its quarter, "Q3" or "2019Q3"; the field the
    # header cell above it names, else None: the title names it)
    quarters: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    # beside quarter columns, a 全年合计 column: column -> the field it totals (or None)
    year_total: dict[int, str | None] = field(default_factory=dict)


OF_WHICH = re.compile(r"^其中[:：,，、\s]*")  # 其中：城镇 — "of which", a part of the column before
_YEAR_TOTAL = re.compile(r"^全年(?:合计|累计|总计)?$|^(?:年度|本年|当年)?(?:合计|累计|总计)$")


def quarter_of_header(value: object) -> str | None:
    """The quarter a header cell names: ``Q3`` without its year (一季度, 第三季度, Q3), or a
    full quarter (2019年第一季度, 2019Q1); None for anything else."""
    from data.reference import periods

    if is_blank(value):
        return None
    # not split_header's name: its numbering rule would take the 1 of 1季度 for a list number
    text = _BRACKET.sub("", _SLASH_UNIT.sub("", _MARKS.sub("", norm_text(value))))
    n = periods.quarter_number(text)
    if n is not None:
        return f"Q{n}"
    try:
        period = periods.parse_period(text)
    except periods.PeriodError:
        return None
    return period if periods.is_quarter(period) else None


def _of_which(text: object, parent: object) -> list[str]:
    """What an "of which" cell may name: its own words, then its words with its parent's
    (年末常住人口 | 其中：城镇 → 城镇年末常住人口). Not an "of which" cell: nothing."""
    name = split_header(text)[0]
    if not OF_WHICH.match(name) or is_blank(parent):
        return []
    rest = OF_WHICH.sub("", name)
    whole = split_header(parent)[0]
    return [rest, f"{rest}{whole}", f"{whole}{rest}"]


def find_header(sheet: Sheet) -> Header | None:
    top = fill_merged(sheet, HEADER_SCAN_ROWS + 1)
    best: Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(top))):
        for depth in (1, 2):
            if depth == 2 and r + 1 >= len(top):
                continue
            width = max(len(top[r]), len(top[r + depth - 1]))
            fields, units, extra, ambiguous, quarters, totals = {}, {}, {}, {}, {}, {}
            upper_used = False  # a two-row header needs its upper row for some field or unit
            values_below = False  # a second row holding a value under the region's column
            parent = ""  # the last column that is not an "of which" part
            for c in range(width):
                upper = cell_at(top, r, c)
                lower = cell_at(top, r + 1, c) if depth == 2 else ""
                own = upper if depth == 1 or is_blank(lower) else lower
                if depth == 2 and not is_blank(lower) and norm_text(lower) != norm_text(upper):
                    # under 区划代码 / 地区名称 a header's second row names a field (地区 over
                    # 代码 | 名称) or nothing; a code or a place there is the first data row
                    values_below |= match_header(upper) in ("region_code", "region_name") and (
                        classify_header(lower) == HeaderMatch(None)
                    )
                quarter = quarter_of_header(own)
                named = match_header(upper) if depth == 2 and quarter else None
                if quarter is not None and (depth == 1 or named in REPORTED_CODES or named is None):
                    # a quarter's column: the indicator is the one above it, else the title's
                    quarters[c] = (quarter, named)
                    upper_used |= named is not None
                    continue
                if quarters and _YEAR_TOTAL.match(split_header(own)[0]):  # after quarters
                    totals[c] = match_header(upper) if depth == 2 else None
                    continue
                parts = _of_which(own, parent)
                if not parts:
                    parent = own
                tries = (
                    [upper] if depth == 1 else [lower, f"{upper}{lower}", f"{lower}{upper}", upper]
                )
                if parts:  # its own words, or with its parent's; then as any cell
                    tries = parts + tries
                for i, text in enumerate(tries):
                    f = match_header(text) if not is_blank(text) else None
                    if f and f not in fields.values():
                        fields[c] = f
                        unit = split_header(lower if not is_blank(lower) else upper)[1]
                        unit = unit or split_header(upper)[1]
                        if unit:
                            units[c] = unit
                        if parts and not unit:  # 其中：城镇 under 常住人口（万人）
                            unit = split_header(parent)[1]
                            if unit:
                                units[c] = unit
                        in_upper = i >= len(parts) + 1 if depth == 2 else False
                        upper_used |= in_upper or (
                            depth == 2 and unit is not None and not split_header(lower)[1]
                        )
                        break
                else:
                    label = f"{upper}{lower if lower != upper else ''}".strip()
                    named = [classify_header(t) for t in tries if not is_blank(t)]
                    candidates = next((m.candidates for m in named if m.candidates), ())
                    if candidates:
                        ambiguous[c] = candidates
                    elif label and not is_blank(label):
                        extra[c] = label
            if not quarters:  # a 合计 column means something only beside quarter columns
                extra.update({c: label_at(top, r, c, depth) for c in totals})
                totals = {}
            width_found = len(fields) + len(quarters)
            if not ({"region_code", "region_name"} & set(fields.values())) or width_found < 2:
                continue
            if depth == 2 and (not upper_used or values_below):
                continue  # the row above (a title or unit line) is not part of the header
            candidate = Header(r + depth - 1, fields, units, extra, ambiguous, quarters, totals)
            if best is None or width_found > len(best.fields) + len(best.quarters):
                best = candidate
        if best is not None and r > best.row:
            break
    return best


def label_at(top: list[list], r: int, c: int, depth: int) -> str:
    """A header cell's text as shown in a message (both rows of a two-row header)."""
    upper = cell_at(top, r, c)
    lower = cell_at(top, r + 1, c) if depth == 2 else ""
    return f"{upper}{lower if lower != upper else ''}".strip()


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
    top = [list(row) for row in sheet.head(last_row)]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= last_row:
            continue
        value = cell_at(top, r0, c0)
        last = min(r1, last_row - 1)
        while len(top) <= last:  # a merge may reach below the last row with any value
            top.append([])
        for r in range(r0, last + 1):
            while len(top[r]) <= c1:
                top[r].append("")
            for c in range(c0, c1 + 1):
                top[r][c] = value
    return top
