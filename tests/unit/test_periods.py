import datetime as dt

import pytest

from data.i18n.formats import period_label as label
from data.reference.periods import (
    PeriodError,
    find_period,
    find_quarter_end,
    parse_period,
    quarter_range,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2016Q3", "2016Q3"),
        ("2016-Q3", "2016Q3"),
        ("2016 q3", "2016Q3"),
        ("2016/Q3", "2016Q3"),
        ("2016年第三季度", "2016Q3"),
        ("2016年3季度", "2016Q3"),
        ("2016年第3季度", "2016Q3"),
        ("2016年三季度", "2016Q3"),
        ("2016年第四季", "2016Q4"),
        ("２０１６年第１季度", "2016Q1"),
        ("Q2 2017", "2017Q2"),
        ("2016", "2016"),
        (2016, "2016"),
        (2016.0, "2016"),
        ("2016年", "2016"),
        # a date in a quarter's last month names that quarter
        (dt.datetime(2016, 9, 30), "2016Q3"),
        (dt.date(2016, 12, 1), "2016Q4"),
        ("2016-09-30", "2016Q3"),
        ("2016/3/31", "2016Q1"),
        ("2016.06.30", "2016Q2"),
        ("2016-09-30 00:00:00", "2016Q3"),
        ("2016年9月30日", "2016Q3"),
        ("2016年12月", "2016Q4"),
        ("2016年6月末", "2016Q2"),
        ("２０１６年９月底", "2016Q3"),
        # a quarter as its three months; a year in Chinese numerals
        ("2016年7-9月", "2016Q3"),
        ("2016年7月至9月", "2016Q3"),
        ("2016年10—12月", "2016Q4"),
        ("二〇一六年第三季度", "2016Q3"),
        ("二零一六年三季度", "2016Q3"),
        # a year and a month without 年/月, where the month cannot be a quarter's number
        ("2016-09", "2016Q3"),
        ("2016.06", "2016Q2"),
        ("2016/12", "2016Q4"),
        ("2016-03", "2016Q1"),
        ("２０１６．０９", "2016Q3"),
        # a two-digit year with Q: this century's
        ("16Q3", "2016Q3"),
        ("23q2", "2023Q2"),
        ("23-Q4", "2023Q4"),
    ],
)
def test_parse(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2016Q5",
        "2016年第五季度",
        "",
        "Q3",
        "1800",
        "abc",
        # a date in another month: more likely a filing date or a month's report
        dt.datetime(2016, 10, 15),
        "2016-10-15",
        "2016年8月",
        # month forms without 年/月: March or the third quarter?
        "2016/3",
        "2016.2",
        "2016-4",
        # a month that is no quarter's last, or none at all
        "2016-08",
        "2016.01",
        "2016-13",
        "2016-00",
        "123Q3",
        # a cumulative range of months is not one quarter
        "2016年1-9月",
        "2016年8-10月",
        "2016年13月",
    ],
)
def test_parse_rejects(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_find_in_title_and_helpers():
    assert find_period("2016年第三季度农业转移人口落户情况统计表") == "2016Q3"
    assert find_period("统计表（2018-Q4）") == "2018Q4"
    assert find_period("农业转移人口落户情况统计表") is None
    assert find_period("二〇一六年第三季度农业转移人口落户情况统计表") == "2016Q3"
    assert find_period("落户情况统计表（2016年7月～9月）") == "2016Q3"
    assert find_period("2016年1-9月落户情况统计表") is None  # cumulative, not a quarter
    assert find_period("Q2 2023 resident population") == "2023Q2"
    assert find_period("Settlements, q4-2019") == "2019Q4"
    assert find_period("FAQ 2019 notes") is None  # a Q inside a word names no quarter
    assert find_period("Q3 12345") is None
    assert quarter_range("2019Q3", "2020Q2") == ["2019Q3", "2019Q4", "2020Q1", "2020Q2"]
    assert label("2016Q3", "zh") == "2016年第3季度" and label("2016Q3", "en") == "2016 Q3"


@pytest.mark.parametrize(
    "text,period",
    [
        ("2023年6月末人口情况", "2023Q2"),
        ("2023年06月末常住人口", "2023Q2"),
        ("2023年12月底户籍人口", "2023Q4"),
        ("截至2023年9月30日人口情况", "2023Q3"),
        ("截止2023年3月31日", "2023Q1"),
        ("2023年5月末人口情况", None),  # no quarter's end
        ("填报日期：2023年9月30日", None),  # a day is a filing date's, unless 截至 it
        ("2023年6月份落户情况", None),  # a month's report
    ],
)
def test_a_quarters_last_month_end_in_a_title(text, period):
    assert find_quarter_end(text) == period
    assert find_period(text) is None  # a flow "to the end of June" may be the year's so far
