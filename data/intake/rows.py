"""What a row of a return is, by its cells: a note under the table (填表人 / 注 …), a repeated
header or unit line, a total row (合计 / 小计 / 全市 …) and the city it names, and a line above
the header that names the quarter by itself."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from data.intake.cells import is_blank, nfkc, unit_named
from data.intake.headers import header_aliases, split_header
from data.reference import periods
from geo.regions import PROVINCE_CODE, Resolver

NOTE_PREFIXES = (
    "填表人",
    "审核人",
    "填报人",
    "负责人",
    "填报日期",
    "填表日期",
    "报出日期",
    "单位负责人",
    "统计负责人",
    "注",
    "说明",
    "备注",
)
TOTAL_WORDS = ("合计", "总计", "小计", "全省", "全市", "总数")
TOTAL_PATTERN = re.compile("|".join(TOTAL_WORDS))
# labels of a filing date above a table (填报日期：2019-07-05): never the period reported
FILING_DATE_WORDS = ("填报日期", "填表日期", "报出日期", "报送日期", "制表日期", "打印日期")


def is_total_label(key: str) -> bool:
    """Whether a row's region cells (code|name) name a total: 合计, 小计, 全市 …"""
    return bool(TOTAL_PATTERN.search(re.sub(r"\s+", "", nfkc(key))))


def city_in_total_label(text: str, resolver: Resolver) -> str | None:
    """The city or the province a total row names (铜川市小计, 小计（铜川市）; 全省合计, 陕西省合计),
    or None (合计, 总计: the rows it is under)."""
    plain = nfkc(str(text))
    rest = re.sub("|".join(TOTAL_WORDS) + r"|[()（）:：\s]", "", plain)
    if not rest:
        return PROVINCE_CODE if "全省" in plain else None
    res = resolver.resolve(rest)
    level = resolver.level_of(res.code) if res.ok else None
    return res.code if level in ("city", "province") else None


def period_line(rows: list[list]) -> str | None:
    """The quarter a line above the header names by itself: a date cell, or a labelled value
    (填报期：2019-06-30, 统计时间 | 2019年6月 in the next cell); a filing date is not one."""
    for row in rows:
        label = ""
        for value in row:
            if is_blank(value):
                continue
            if not isinstance(value, str):
                text, label = value, label
            else:
                head, colon, text = nfkc(value).strip().partition(":")
                if colon and not text.strip():
                    label = head  # the value is in the next cell
                    continue
                label = head if colon else label
                text = text if colon else head
            if any(w in str(label) for w in FILING_DATE_WORDS):
                label = ""
                continue
            try:
                found = periods.parse_period(text.strip() if isinstance(text, str) else text)
            except (periods.PeriodError, TypeError, ValueError):
                label = ""
                continue
            if periods.is_quarter(found):
                return found
    return None


def repeated_header_rows(
    body: pd.DataFrame, blank: pd.DataFrame, fields: dict, labels: dict
) -> pd.Series:
    """Rows that repeat the header (a table pasted across pages, or printed with repeated
    title rows) or its unit line: a region cell holding its own column's header name (the
    header's own text, or a wording of the alias file: a county's name such as 宜君县 says
    县 but is no header), or no region at all and nothing but units in the other cells."""
    region_cols = [c for c, f in fields.items() if f in ("region_code", "region_name")]
    repeat = np.zeros(len(body), dtype=bool)
    for c in region_cols:
        codes, uniques = pd.factorize(body[c].to_numpy(dtype=object), use_na_sentinel=False)
        own = split_header(labels.get(c, ""))[0]
        named = [
            isinstance(u, str)
            and (split_header(u)[0] == own or header_aliases().get(split_header(u)[0]) == fields[c])
            for u in uniques
        ]
        repeat |= np.array(named, dtype=bool)[codes]
    empty = blank.to_numpy()
    at = [blank.columns.get_loc(c) for c in region_cols]  # the frame holds the named columns
    no_region = empty[:, at].all(axis=1) & ~empty.all(axis=1)
    for i in np.flatnonzero(no_region):
        cells = [v for v, b in zip(body.iloc[i], empty[i], strict=True) if not b]
        repeat[i] = all(isinstance(v, str) and unit_named(v) is not None for v in cells)
    return pd.Series(repeat, index=body.index)


def _is_note(text: str) -> bool:
    """A first cell that starts a note: 填表人 / 注 / 说明 ..., or a label and a colon (制表：张三,
    数据来源: 公安局) other than a total's or an "of which" part's; a code or a place's name
    never holds a colon."""
    plain = nfkc(text).strip()
    if plain.startswith(NOTE_PREFIXES):
        return True
    label, colon, _ = plain.partition(":")
    # 合计：/ 其中：… are rows of the table (a total, a part), not notes
    return bool(colon and label) and not is_total_label(label) and not label.startswith("其中")


def note_rows(body: pd.DataFrame, blank: pd.DataFrame) -> pd.Series:
    """Rows whose first non-empty cell starts a note (``_is_note``): only text can, and each
    distinct text is looked at once (empty rows are the caller's to drop)."""
    empty = blank.to_numpy()
    lead = np.argmin(empty, axis=1)  # the first non-empty column (0 for an empty row)
    firsts = body.to_numpy(dtype=object)[np.arange(len(body)), lead]
    is_text = np.fromiter(map(type, firsts), object, len(firsts)) == str  # noqa: E721
    note = np.zeros(len(body), dtype=bool)
    if is_text.any():
        codes, uniques = pd.factorize(firsts[is_text])
        starts = [_is_note(u) for u in uniques]
        note[is_text] = np.array(starts, dtype=bool)[codes]
    return pd.Series(note, index=body.index)


def period_lines(body, blank, keep) -> pd.Series:
    """The quarter of each kept row that is a title of its own under the header (one text
    cell naming a quarter: a second table of the sheet, 2023年第二季度 over its repeated
    header), None elsewhere. Each distinct text is looked at once."""
    empty = blank.to_numpy()
    alone = ((~empty).sum(axis=1) == 1) & keep.to_numpy()
    out = pd.Series(None, index=body.index, dtype=object)
    if not alone.any():
        return out
    firsts = body.to_numpy(dtype=object)[np.arange(len(body)), np.argmin(empty, axis=1)][alone]
    codes, uniques = pd.factorize(firsts)
    named = [periods.find_period(u) if isinstance(u, str) else None for u in uniques]
    out[alone] = np.array(named, dtype=object)[codes]
    return out
