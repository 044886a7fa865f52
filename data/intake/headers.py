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
from data.reference import indicators
from data.reference.indicators import REPORTED_CODES

ALIASES = Path(__file__).resolve().parent / "header_aliases.csv"
RULES = Path(__file__).resolve().parent / "header_rules.csv"
# words by which a column's name says it counts over another span than the quarter (累计,
# 上年同期, 比上年增长): such a column is never read as the quarter's indicator
SPANS = Path(__file__).resolve().parent / "header_spans.csv"
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


@lru_cache(maxsize=1)
def _span_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = pd.read_csv(SPANS, dtype=str, keep_default_na=False)
    return tuple((r.kind, _words(r.words)) for r in table.itertuples(index=False))


@lru_cache(maxsize=4096)
def other_span(value: object) -> str | None:
    """Whether a column's name says it counts over another span than the quarter: its kind
    ("cumulative": 累计 / year-to-date, "another_period": 上年同期 / 上季度, "change": 比上年增长 /
    同比), or None (``header_spans.csv``). Its unit and spaces do not count (Year to date)."""
    words = re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", _without_unit(value))
    return next((kind for kind, ws in _span_words() if any(w in words for w in ws)), None)


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
    # a column of an indicator over another span (累计, 上年同期, 比上年增长): column -> (the
    # indicator, the span's kind, the header's words); never read, and refused where the
    # quarter's own column of that indicator is missing
    spans: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    # a column that totals two or more flows the header names (城镇落户人数 | 合计 beside 农业转移
    # 人口 | 其他常住人口): column -> (the flows, the header's words); checked, never stored
    sums: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """How many columns it names (the wider of two candidate headers wins)."""
        return len(self.fields) + len(self.quarters) + len(self.spans) + len(self.sums)

    @property
    def says(self) -> tuple[int, int]:
        """How much it says, to choose between two candidate headers: the columns it names,
        then the quarter columns whose indicator it names (a row of quarters over a row of
        their indicators says more than the quarters alone)."""
        return self.width, sum(1 for _, f in self.quarters.values() if f)


# 其中：城镇 / Of which: urban — "of which", a part of the column before
OF_WHICH = re.compile(r"^(?:其中|ofwhich)[:：,，、\s]*")
_YEAR_TOTAL = re.compile(
    r"^全年(?:合计|累计|总计)?$|^(?:年度|本年|当年)?(?:合计|累计|总计)$"
    r"|^(?:year|annual|fullyear|yearly)?total$|^(?:fullyear|wholeyear)$"  # not Year (2019?)
)


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


def _of_which(text: object, parent: object, listing: bool = False) -> list[str]:
    """What an "of which" cell may name: its own words, then its words with its parent's
    (年末常住人口 | 其中：城镇 → 城镇年末常住人口). Not an "of which" cell: nothing — unless it
    goes on the list of parts an "of which" cell began (``listing``: 落户人数 | 其中：农业转移人口 |
    其他人员), and names nothing alone but one field with its parent's words."""
    name = split_header(text)[0]
    if is_blank(parent):
        return []
    whole = split_header(parent)[0]
    if not OF_WHICH.match(name):
        if not listing or match_header(name) is not None:
            return []
        named = [t for t in (f"{name}{whole}", f"{whole}{name}") if match_header(t) is not None]
        return named[:1]
    rest = OF_WHICH.sub("", name)
    return [rest, f"{rest}{whole}", f"{whole}{rest}"]


@dataclass
class _Draft:
    """A header row (or two) as its columns are read, left to right."""

    fields: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    ambiguous: dict = field(default_factory=dict)
    quarters: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    spans: dict = field(default_factory=dict)
    upper_used: bool = False  # a two-row header needs its upper row for some field or unit
    values_below: bool = False  # a second row holding a value under the region's column
    parent: str = ""  # the last column that is not an "of which" part
    group: str | None = None  # the quarter the upper row last named (over its indicators)
    titles: set = field(default_factory=set)  # quarters the upper row names over no indicator
    listing: bool = False  # the column before was an "of which" part


_NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+")


def find_header(sheet: Sheet, regional: bool = True) -> Header | None:
    """The sheet's header: the row (or two rows) in its first rows naming a region's column
    and the most other columns (``regional`` False: naming no region's column, as a single
    region's table whose region the title names)."""
    top = fill_merged(sheet, HEADER_SCAN_ROWS + 1)
    best: Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(top))):
        for depth in (1, 2):
            if depth == 2 and r + 1 >= len(top):
                continue
            candidate = _candidate(top, r, depth, regional)
            if candidate is not None and (best is None or candidate.says > best.says):
                best = candidate
        if best is not None and r > best.row:
            break
    return best


def _candidate(top: list[list], r: int, depth: int, regional: bool = True) -> Header | None:
    """Row ``r`` (and the one below it, for ``depth`` 2) read as a header; None when it is no
    header: no region's column, fewer than two columns named, an upper row that adds nothing
    (a title line), or a data row under it."""
    d = _Draft()
    for c in range(max(len(top[r]), len(top[r + depth - 1]))):
        _column(d, top, r, c, depth)
    # a name that could be any of several flows that have columns of their own is their
    # total (落户人数合计 beside 其中：农业转移人口 | 其他常住人口)
    sums = {
        c: (names, label_at(top, r, c, depth))
        for c, names in d.ambiguous.items()
        if all(f in d.fields.values() and indicators.get(f).kind == "flow" for f in names)
    }
    ambiguous = {c: names for c, names in d.ambiguous.items() if c not in sums}
    # 合计 under 城镇落户人数: the upper row says what the total is of
    d.upper_used |= depth == 2 and any(
        not classify_header(cell_at(top, r + 1, c)).candidates for c in sums
    )
    if not d.quarters:  # a 合计 column means something only beside quarter columns
        d.extra.update({c: label_at(top, r, c, depth) for c in d.totals})
        d.totals = {}
    header = Header(r + depth - 1, d.fields, d.units, d.extra, ambiguous, d.quarters, d.totals,
                    d.spans, sums)  # fmt: skip
    if bool({"region_code", "region_name"} & set(d.fields.values())) != regional:
        return None
    if header.width < 2:
        return None
    if depth == 2 and (not d.upper_used or d.values_below):
        return None  # the row above (a title or unit line) is not part of the header
    if len(set(d.quarters.values())) < len(d.quarters):
        return None  # one quarter's figure of one indicator twice: the row below says which
    return header


def _column(d: _Draft, top: list[list], r: int, c: int, depth: int) -> None:
    """What column ``c`` of the header being drafted names, into ``d``."""
    upper = cell_at(top, r, c)
    lower = cell_at(top, r + 1, c) if depth == 2 else ""
    own = upper if depth == 1 or is_blank(lower) else lower
    if depth == 2 and not is_blank(lower) and norm_text(lower) != norm_text(upper):
        # under 区划代码 / 地区名称 a header's second row names a field (地区 over 代码 | 名称)
        # or nothing; a code or a place there is the first data row
        d.values_below |= match_header(upper) in ("region_code", "region_name") and (
            classify_header(lower) == HeaderMatch(None)
        )
        # and a number under a column's name is its first value (本季 over 52)
        d.values_below |= _NUMBER.fullmatch(norm_text(lower)) is not None and (
            match_header(upper) is not None
        )
    quarter = quarter_of_header(own)
    named = match_header(upper) if depth == 2 and quarter else None
    if quarter is not None and (depth == 1 or named in REPORTED_CODES or named is None):
        # a quarter's column: the indicator is the one above it, else the title's
        d.quarters[c] = (quarter, named)
        d.upper_used |= named is not None
        return
    if not is_blank(upper):  # a blank upper cell continues the group on its left
        d.group = quarter_of_header(upper)  # (a CSV file has no merged cells)
    above = d.group if depth == 2 and not is_blank(lower) else None
    named = match_header(lower) if above else None
    if above and named not in REPORTED_CODES:  # a quarter over 区划代码 is a title's (merged
        d.titles.add(above)  # across the table, or in its first cell), over no indicator
        d.group = None
    elif named in REPORTED_CODES and other_span(lower) is None and above not in d.titles:
        # a quarter over its indicators (2023年第一季度 | 2023年第二季度, each over 农业转移人口
        # 落户人数 | 其他常住人口落户人数): that quarter's figure of it
        d.quarters[c] = (above, named)
        if split_header(lower)[1]:
            d.units[c] = split_header(lower)[1]
        d.upper_used = True
        return
    if d.quarters and _YEAR_TOTAL.match(split_header(own)[0]):  # after quarters
        d.totals[c] = match_header(upper) if depth == 2 else None
        return
    parts = _of_which(own, d.parent, d.listing)
    d.listing = bool(parts)  # the next cell may go on with the parts
    if not parts:
        d.parent = own
    tries = [upper] if depth == 1 else [lower, f"{upper}{lower}", f"{lower}{upper}", upper]
    if parts:  # its own words, or with its parent's; then as any cell
        tries = parts + tries
    label = label_at(top, r, c, depth)
    span = other_span(label)
    spanned = [match_header(t) for t in tries if span and not is_blank(t)]
    spanned = [f for f in spanned if f in REPORTED_CODES]
    if spanned:  # 累计农业转移人口落户人数: that indicator, but not the quarter's
        d.spans[c] = (spanned[0], span, label)
        # the upper row says the span (本年累计 over 农业转移人口…) or which indicator (农业转移人口…
        # over 累计)
        d.upper_used |= depth == 2 and (
            other_span(lower) is None or match_header(lower) not in REPORTED_CODES
        )
        return
    if _field_of(d, c, tries, len(parts), upper, lower, depth):
        return
    named = [classify_header(t) for t in tries if not is_blank(t)]
    candidates = next((m.candidates for m in named if m.candidates), ())
    if candidates:
        d.ambiguous[c] = candidates
    elif label and not is_blank(label):
        d.extra[c] = label


def _field_of(d: _Draft, c: int, tries, n_parts: int, upper, lower, depth: int) -> bool:
    """The first field one of ``tries`` names that no column before has, with its unit (an
    "of which" part's from its parent's); whether one was."""
    named_above = depth == 2 and match_header(upper) in REPORTED_CODES
    for i, text in enumerate(tries):
        f = match_header(text) if not is_blank(text) else None
        if not f or f in d.fields.values():
            continue
        if f == "value" and named_above:  # 本季 under 农业转移人口落户人数: that indicator's
            continue
        d.fields[c] = f
        unit = split_header(lower if not is_blank(lower) else upper)[1]
        unit = unit or split_header(upper)[1]
        if n_parts and not unit:  # 其中：城镇 under 常住人口（万人）
            unit = split_header(d.parent)[1]
        if unit:
            d.units[c] = unit
        in_upper = i >= n_parts + 1 if depth == 2 else False
        d.upper_used |= in_upper or (depth == 2 and unit is not None and not split_header(lower)[1])
        return True
    return False


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
