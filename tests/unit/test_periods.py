import pytest

from data.periods import PeriodError, find_period, label, parse_period, quarter_range


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
    ],
)
def test_parse(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2016Q5", "2016年第五季度", "16Q3", "", "Q3", "1800", "abc"])
def test_parse_rejects(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_find_in_title_and_helpers():
    assert find_period("2016年第三季度农业转移人口落户情况统计表") == "2016Q3"
    assert find_period("统计表（2018-Q4）") == "2018Q4"
    assert find_period("农业转移人口落户情况统计表") is None
    assert quarter_range("2019Q3", "2020Q2") == ["2019Q3", "2019Q4", "2020Q1", "2020Q2"]
    assert label("2016Q3", "zh") == "2016年第3季度" and label("2016Q3", "en") == "2016 Q3"
