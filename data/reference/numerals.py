"""Chinese numerals, the one parser: task numbers of the plan (十七 → 17), quarters (三 → 3) and
years written digit by digit (二〇一六 → 2016). ASCII and full-width digits are read too."""

from __future__ import annotations

import re
import unicodedata

DIGITS = {
    "〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
# Chinese digits, for patterns that find a number written with them
DIGIT_CLASS = "".join(DIGITS)
_YEAR = re.compile(rf"[{DIGIT_CLASS}]{{4}}(?=\s*年)")  # 二〇一六年


def zh_number(text: str) -> int:
    """The value of a number in Chinese numerals up to 99 (一 → 1, 十 → 10, 十七 → 17,
    三十七 → 37), written digit by digit (二〇一六 → 2016), or in (full-width) digits.

    Raises ValueError for anything else."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in DIGITS and c != "十" for c in text) or text.count("十") > 1:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if "十" not in text:
        return int("".join(str(DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def years_to_digits(text: str) -> str:
    """``text`` with every year written in Chinese digits before 年 in ASCII digits."""
    return _YEAR.sub(lambda m: str(zh_number(m.group(0))), text)
