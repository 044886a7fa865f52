"""Periods: quarters ``YYYYQn`` and years ``YYYY``, parsed from what people write.

Accepted: ``2016Q3``, ``2016-Q3``, ``2016 q3``, ``2016年第三季度``, ``2016年3季度``,
``2016年第3季``, ``2016年三季度``, full-width digits, and plain years ``2016`` / ``2016年``.
A quarter's three months name it (``2016年7-9月``, ``2016年7月至9月``; ``1-9月`` is a cumulative
report and refused), and a year may be in Chinese numerals (``二〇一六年第三季度``).
A date in the last month of a quarter names that quarter: a date cell, ``2016-09-30``,
``2016/9/30``, ``2016年9月30日``, ``2016年9月`` (``2016年9月末``). Other months are refused, since
such a date is more likely a filing date or a month's report than a quarter. A year and a
month without 年/月 name a quarter's last month when the month cannot be a quarter's number
(``2016.06``, ``2016-09``, ``2016/12``, ``2016-03``); ``2016/3`` is refused (March, or the third
quarter?). ``23Q2`` is 2023Q2. A title that names a span of the year that is no quarter
(``2023年1-6月``, ``上半年``, ``前三季度``, ``全年``) is found by ``find_span``, so that it is said.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

from data.reference.numerals import years_to_digits, zh_number

_QUARTER = [
    re.compile(r"^((?:\d{2})?\d{2})\s*[-/_.]?\s*[Qq]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度?$"),
    re.compile(r"^[Qq]([1-4])\s*[-/_. ]?\s*(\d{4})$"),
]
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_DATE = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|末|底|份)?$"),
]
# a year and a month without 年/月 (2016.06, 2016-9): a month when zero-padded or over 4
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
# a quarter written as its months: 2016年7-9月, 2016年7月至9月 (1-9月 is a cumulative report)
_MONTHS = r"(\d{4})\s*年\s*(\d{1,2})\s*月?\s*(?:-|~|—|–|至|到)\s*(\d{1,2})\s*月"
FIRST_YEAR, LAST_YEAR = 1949, 2100


class PeriodError(ValueError):
    pass


def parse_period(value: object) -> str:
    """Return the canonical period (``'2016Q3'`` or ``'2016'``) or raise PeriodError."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):  # a date cell (datetime is a date too)
        return _quarter_of_month(value.year, value.month, value)
    text = _plain(str(value)).strip()
    for rx in _DATE:
        m = rx.match(text)
        if m:
            return _quarter_of_month(int(m.group(1)), int(m.group(2)), value)
    m = _YEAR_MONTH.match(text)
    if m:  # 2016.06, 2016-09: a month, where the number cannot be a quarter's
        month = m.group(2)
        if month.startswith("0") or int(month) > 4:
            return _quarter_of_month(int(m.group(1)), int(month), value)
        raise PeriodError(f"{value!r}: the month or the quarter {int(month)}?")
    m = re.fullmatch(_MONTHS, text)
    if m:
        return _quarter_of_months(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    for i, rx in enumerate(_QUARTER):
        m = rx.match(text)
        if m:
            year, q = (m.group(2), m.group(1)) if i == 2 else (m.group(1), m.group(2))
            year = int(year) + (2000 if len(year) == 2 else 0)  # 23Q2: this century's
            return _check(year, f"{year}Q{zh_number(q)}", value)
    m = _YEAR.match(text)
    if m:
        return _check(int(m.group(1)), m.group(1), value)
    raise PeriodError(f"unparseable period {value!r} (expected e.g. 2016Q3 or 2016年第三季度)")


def _plain(text: str) -> str:
    """NFKC, and a year written in Chinese numerals (二〇一六年) as digits."""
    text = unicodedata.normalize("NFKC", text)
    return years_to_digits(text)


def _quarter_of_months(year: int, first: int, last: int, raw: object) -> str:
    if first % 3 != 1 or last != first + 2:
        raise PeriodError(f"{raw!r} is not the three months of one quarter")
    return _check(year, f"{year}Q{last // 3}", raw)


def _quarter_of_month(year: int, month: int, raw: object) -> str:
    if month not in (3, 6, 9, 12):
        raise PeriodError(f"{raw!r} is not in the last month of a quarter")
    return _check(year, f"{year}Q{month // 3}", raw)


def _check(year: int, period: str, raw: object) -> str:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"period {raw!r} has an implausible year {year}")
    return period


def find_period(text: str) -> str | None:
    """Find a quarter in free text such as a title row (``2016年第三季度…统计表``)."""
    text = _plain(str(text))
    for rx in (
        r"(\d{4})\s*[-/_.]?\s*[Qq]\s*([1-4])",
        r"(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季",
    ):
        m = re.search(rx, text)
        if m:
            return f"{m.group(1)}Q{zh_number(m.group(2))}"
    m = re.search(r"(?<![A-Za-z])[Qq]([1-4])\s*[-/_.,]?\s*((?:19|20|21)\d{2})(?!\d)", text)
    if m:  # Q2 2023
        return f"{m.group(2)}Q{m.group(1)}"
    m = re.search(_MONTHS, text)
    if m:
        try:
            return _quarter_of_months(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
        except PeriodError:
            return None  # e.g. 1-9月: a cumulative report, not a quarter
    m = re.search(r"(\d{4})\s*年\s*(?:年末|年底|末|底)", text)  # 2019年末: the year's end
    if m:
        return f"{m.group(1)}Q4"
    return None


def find_quarter_end(text: str) -> str | None:
    """The quarter whose last day a free text names (2023年6月末, 2023年12月底, 截至2023年9月30日),
    for a table of stocks counted on that day; never a bare day, which may be a filing date's.
    Flows "to the end of June" may be the year's so far, so the caller asks only for stocks."""
    text = _plain(str(text))
    m = re.search(r"(\d{4})\s*年\s*(3|6|9|12|03|06|09)\s*月\s*(?:末|底)", text) or re.search(
        r"(?:截至|截止|截止到)\s*(\d{4})\s*年\s*(3|6|9|12|03|06|09)\s*月\s*(?:30|31)\s*日", text
    )
    return f"{m.group(1)}Q{int(m.group(2)) // 3}" if m else None


# spans of a year that are no quarter: 2023年上半年, 前三季度, 全年
_NOT_A_QUARTER = re.compile(
    r"(\d{4})\s*年\s*(?:度\s*)?(上半年|下半年|前三季度|前三个季度|一至三季度|1-3季度|全年)"
)


def find_span(text: str) -> str | None:
    """The words in free text (a title) that name a span of a year that is no one quarter:
    ``2023年1-6月``, ``2023年1月至9月``, ``2023年上半年``, ``2023年前三季度``, ``2023年全年``; None
    when there is none (or the months are one quarter's: ``2023年4-6月``)."""
    text = _plain(str(text))
    m = re.search(_MONTHS, text)
    if m:
        try:
            _quarter_of_months(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
        except PeriodError:
            return m.group(0)
    m = _NOT_A_QUARTER.search(text)
    return m.group(0) if m else None


# a quarter named without its year, as a column header or a 季度 cell: 一季度, 第三季度, 3季度,
# 第3季, Q3, 3 (a bare number only where the caller knows the cell is a quarter's)
_QUARTER_LABEL = re.compile(r"^(?:第?\s*([一二三四1-4])\s*(?:季度|季)|[Qq]\s*([1-4]))$")


def quarter_number(value: object, bare: bool = False) -> int | None:
    """The quarter (1-4) a label names without its year (``一季度``, ``第3季``, ``Q3``), or None.
    ``bare``: a plain 1-4 counts too (a 季度 column's cell); a header's ``3`` never does."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if bare and text in ("1", "2", "3", "4", "一", "二", "三", "四"):
        return zh_number(text)
    m = _QUARTER_LABEL.match(text.replace(" ", ""))
    if not m:
        return None
    return zh_number(m.group(1) or m.group(2))


def year_quarter(year: object, quarter: object) -> str:
    """The quarter of a year column's and a quarter column's cells (``2018年`` + ``第三季度``,
    ``2018`` + ``3``) or PeriodError."""
    y = parse_period(year)
    q = quarter_number(quarter, bare=True)
    if is_quarter(y) or q is None:
        raise PeriodError(f"not a year and a quarter: {year!r} {quarter!r}")
    return _check(int(y), f"{y}Q{q}", year)


def find_year(text: str) -> int | None:
    """The year a title or a line above a table names (``2019年各县…``, ``2019年度``)."""
    m = re.search(r"(?<!\d)((?:19|20|21)\d{2})\s*(?:年|$|\D)", _plain(str(text)))
    return int(m.group(1)) if m else None


def is_quarter(period: str) -> bool:
    return bool(re.fullmatch(r"\d{4}Q[1-4]", period))


def quarter_range(start: str, end: str) -> list[str]:
    """Quarters from ``start`` to ``end`` inclusive."""
    rng = pd.period_range(pd.Period(start, freq="Q"), pd.Period(end, freq="Q"), freq="Q")
    return [str(p) for p in rng]


def shift(period: str, quarters: int) -> str:
    return str(pd.Period(period, freq="Q") + quarters)


def quarters_between(start: str, end: str) -> int:
    """How many quarters ``end`` lies after ``start`` (negative when before)."""
    return (pd.Period(end, freq="Q") - pd.Period(start, freq="Q")).n


def year_of(period: str) -> int:
    return int(period[:4])


def as_of_quarter(value: object) -> str:
    """The quarter an evaluation date names: a quarter as it is, a year as its last quarter
    (``2016`` = end of 2016 = ``2016Q4``). Raises PeriodError for anything else."""
    period = parse_period(value)
    return period if is_quarter(period) else f"{period}Q4"


def quarter_end(quarter: str) -> pd.Timestamp:
    """The last day of ``quarter`` (2023Q4 → 2023-12-31): what is public by then is known at it."""
    return pd.Period(quarter, freq="Q").end_time.normalize()


def quarter_of(day) -> str:
    """The quarter a day falls in (2026-01-28 → 2026Q1)."""
    return str(pd.Period(pd.Timestamp(day), freq="Q"))


def current_quarter(today: pd.Timestamp | None = None) -> str:
    return str(pd.Period(today or pd.Timestamp.today(), freq="Q"))
