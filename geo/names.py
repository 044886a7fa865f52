"""English names of regions, made by rule: the name's stem romanised with pypinyin (Hanyu
Pinyin, syllables joined, an apostrophe before a syllable that begins with a, o or e, as in
Xi'an), then the English of its suffix for its level. The suffixes, whole-name exceptions and
stems that pypinyin reads wrongly in a place name (长武 Changwu, not Zhangwu) are data, in
``names_en.csv``; nothing here knows a particular place."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

NAMES_EN = Path(__file__).resolve().parent / "names_en.csv"


@lru_cache(maxsize=1)
def _rules() -> tuple[dict, dict, dict]:
    table = pd.read_csv(NAMES_EN, dtype=str, keep_default_na=False)
    suffixes: dict[str, list[tuple[str, str]]] = {}
    for r in table[table.kind == "suffix"].itertuples():
        suffixes.setdefault(r.level, []).append((r.zh, r.en))
    for level in suffixes:  # the longest suffix first (示范区 before 区)
        suffixes[level].sort(key=lambda t: -len(t[0]))
    names = dict(table.loc[table.kind == "name", ["zh", "en"]].itertuples(index=False))
    stems = dict(table.loc[table.kind == "stem", ["zh", "en"]].itertuples(index=False))
    return suffixes, names, stems


def romanise(text: str) -> str:
    """Hanyu Pinyin of ``text`` without tones, capitalised, syllables joined with an apostrophe
    before a, o or e (安康 Ankang, 西安 Xi'an); ü kept (略阳 Lüeyang)."""
    from pypinyin import Style, lazy_pinyin  # here: its dictionaries take 56 MB once loaded

    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    word = syllables[0] + "".join(("'" if s[:1] in "aoe" else "") + s for s in syllables[1:])
    return word[:1].upper() + word[1:]


def english_name(name: str, level: str) -> str:
    """The English name of a region called ``name`` (Chinese) at ``level`` (province, city,
    county): 渭南市 city → Weinan, 户县 county → Hu County, 韩城市 county → Hancheng City."""
    suffixes, names, stems = _rules()
    if name in names:
        return names[name]
    for zh, en in suffixes.get(level, []):
        if name.endswith(zh) and len(name) > len(zh):
            stem = name[: -len(zh)]
            word = stems.get(stem) or romanise(stem)
            return f"{word} {en}".strip()
    return stems.get(name) or romanise(name)


def without_suffix(name_en: str) -> str:
    """An English name without the English of its level's suffix, as the cities are named
    (Yangling Demonstration Zone → Yangling, Hu County → Hu): for a narrow table cell."""
    suffixes, _, _ = _rules()
    for en in sorted({en for pairs in suffixes.values() for _, en in pairs if en}, key=len)[::-1]:
        if name_en.endswith(" " + en):
            return name_en[: -len(en) - 1]
    return name_en


def search_key(text: str) -> str:
    """An English name as typed in a search box: lower case, accents, spaces, apostrophes and
    hyphens dropped (“Xi'an” and “xian”, “Lüeyang” and “lueyang” meet)."""
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\s'’\-]+", "", plain).lower()


def english_names(registry: pd.DataFrame) -> pd.DataFrame:
    """``name_en`` and ``stat_name_en`` (for a statistical unit such as 杨凌示范区) per region."""
    out = pd.DataFrame(index=registry.index)
    out["name_en"] = [
        english_name(n, lvl) for n, lvl in zip(registry.name, registry.level, strict=True)
    ]
    # object, as the registry's own column: None (not NaN) where a region has no stat name
    out["stat_name_en"] = pd.Series(
        [
            english_name(s, lvl) if isinstance(s, str) else None
            for s, lvl in zip(registry.stat_name, registry.level, strict=True)
        ],
        index=registry.index,
        dtype=object,
    )
    return out


def localized(registry: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The registry with ``name`` and ``stat_name`` in ``lang`` (English by rule for "en")."""
    if lang == "zh":
        return registry
    en = english_names(registry)
    return registry.assign(name=en.name_en, stat_name=en.stat_name_en)
