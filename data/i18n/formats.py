"""Formatters for people: counts of persons, target values and periods, in Chinese or English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from data.i18n.messages import t
from data.reference.periods import is_quarter


def first_of(items, most: int, sep: str = "、") -> str:
    """The first ``most`` of ``items`` joined by ``sep``, with " …" when there are more: how a
    refusal names what it is about without listing hundreds."""
    items = list(items)
    return sep.join(items[:most]) + (" …" if len(items) > most else "")


def format_target_value(value: float, unit: str, lang: str = "zh") -> str:
    """A target's value in its unit: persons as 1,000万 / 10.0 million, rates as 62.00%."""
    return format_persons(value, lang) if unit == "人" else f"{value:.2f}%"


def format_persons(value: float, lang: str = "zh", compact: bool = False) -> str:
    """Counts of persons the way each language reads them: 1,000万 / 10.0 million; ``compact``
    for a narrow table cell: 65.4万 / 654k, 1.0m (Chinese is already short)."""
    if value != value:  # NaN
        return t("missing", lang)
    if lang == "zh":
        if abs(value) >= 1e4:
            wan = value / 1e4
            return f"{wan:,.0f}万" if abs(wan) >= 100 else f"{wan:,.1f}万"
        return f"{value:,.0f}"
    million, thousand = ("m", "k") if compact else (" million", " thousand")
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.{2 if compact else 1}f}{million}"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.{0 if compact else 1}f}{thousand}"
    return f"{value:,.0f}"


def period_label(period: str, lang: str = "zh") -> str:
    """Human label: ``2016年第3季度`` / ``2016 Q3``."""
    if is_quarter(period):
        return (
            f"{period[:4]}年第{period[-1]}季度" if lang == "zh" else f"{period[:4]} Q{period[-1]}"
        )
    return f"{period}年" if lang == "zh" else period


BEIJING = timezone(timedelta(hours=8), "CST")  # China Standard Time: no daylight saving


def local_time(at: datetime | None) -> str:
    """A stored moment (UTC; a naive one is UTC too, as SQLite returns it) in Beijing time,
    to the minute; "—" when there is none."""
    if at is None:
        return "—"
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
