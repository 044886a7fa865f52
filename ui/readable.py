"""Stored records in words a person reads: the audit trail's before / after / detail values
(JSON in the store) with their keys named in the page's language, region codes as names, roles
as role names, yes / no, and an observation key (region indicator period) as its names."""

from __future__ import annotations

import re

from data.accounts.policy import ROLE_NAMES
from data.i18n.messages import MESSAGES, t
from data.reference import indicators

__all__ = ["audit_text"]

OBSERVATION_KEY = re.compile(r"^(\d{6}) ([a-z_]+) (\d{4}(?:Q[1-4])?)$")


def _scalar(value, lang: str, names: dict) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return t("audit.yes" if value else "audit.no", lang)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value)
    if text in names:
        return names[text]
    for kind in ("returns.sub_status", "task.status", "audit.value"):  # committed; in_progress…
        if f"{kind}.{text}" in MESSAGES:
            return t(f"{kind}.{text}", lang)
    if f"audit.rule.{text}" in MESSAGES:  # a warning's rule (outlier, unit slip, …)
        return t(f"audit.rule.{text}", lang)
    if text in ROLE_NAMES:
        return ROLE_NAMES[text][0 if lang == "zh" else 1]
    return text


def _key(key: str, lang: str, names: dict) -> str:
    if m := OBSERVATION_KEY.match(key):
        code, indicator, period = m.groups()
        try:
            what = indicators.get(indicator).name(lang)
        except KeyError:
            what = indicator
        return f"{names.get(code, code)} {what} {period}"
    label = f"audit.key.{key}"
    return t(label, lang) if label in MESSAGES else key


def audit_text(value, lang: str = "zh", names: dict | None = None) -> str:
    """One stored value (a dict, list or scalar, as the audit trail keeps it) as text."""
    names = names or {}
    sep = t("list.enum", lang)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            shown = audit_text(v, lang, names) if isinstance(v, dict | list) else None
            shown = shown if shown is not None else _scalar(v, lang, names)
            parts.append(f"{_key(str(k), lang, names)}{t('audit.colon', lang)}{shown or '—'}")
        return t("audit.parts_sep", lang).join(parts)
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):  # rows: a confirmed warning each
            return t("list.semi", lang).join(
                " ".join(_scalar(x, lang, names) for x in row) for row in value
            )
        return sep.join(_scalar(v, lang, names) for v in value) if value else "—"
    return _scalar(value, lang, names)
