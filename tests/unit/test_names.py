"""English region names by rule (pypinyin plus the suffix data file) and searches that accept
them: every region has one, none is left in Chinese, and each is found again as typed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.names import NAMES_EN, english_name, english_names, localized, romanise, search_key
from geo.regions import default_resolver, load_registry

ROOT = Path(__file__).resolve().parents[2]

REG = load_registry()
EN = pd.concat([REG, english_names(REG)], axis=1)
CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_region_has_an_english_name_and_none_is_chinese():
    assert EN.name_en.map(lambda n: bool(n) and not CJK.search(n)).all()
    assert localized(REG, "en").name.map(lambda n: not CJK.search(n)).all()
    assert localized(REG, "zh").name.equals(REG.name)
    # no stat name stays None (not NaN), as in the registry: ``stat_name or name`` holds
    en = localized(REG, "en")
    assert en.stat_name.map(lambda s: s is None or isinstance(s, str)).all()
    assert en.stat_name.dropna().tolist() == ["Yangling Demonstration Zone"]
    # one name per region within a level: nothing on a map or in a list is told apart by code
    for _, part in EN.groupby("level"):
        assert part.name_en.is_unique


@pytest.mark.parametrize(
    "level,suffix",
    [("county", ("District", "County", "City")), ("city", None), ("province", None)],
)
def test_suffix_by_level(level, suffix):
    names = EN[EN.level == level].name_en
    if suffix:
        assert names.map(lambda n: n.endswith(suffix)).all()
    else:  # a prefecture city and the province are named alone: Weinan, Shaanxi
        assert not names.str.contains(" ").any()


@pytest.mark.parametrize(
    "zh,level,en",
    [
        ("渭南市", "city", "Weinan"),
        ("西安市", "city", "Xi'an"),
        ("延安市", "city", "Yan'an"),
        ("长安区", "county", "Chang'an District"),
        ("镇安县", "county", "Zhen'an County"),
        ("安康市", "city", "Ankang"),
        ("户县", "county", "Hu County"),
        ("韩城市", "county", "Hancheng City"),
        ("略阳县", "county", "Lüeyang County"),
        ("鄠邑区", "county", "Huyi District"),
        ("杨凌示范区", "county", "Yangling Demonstration Zone"),
    ],
)
def test_rule(zh, level, en):
    assert english_name(zh, level) == en


def test_the_data_file_corrects_what_pypinyin_reads_wrongly_in_place_names():
    table = pd.read_csv(NAMES_EN, dtype=str, keep_default_na=False)
    for r in table[table.kind == "stem"].itertuples():
        assert romanise(r.zh) != r.en  # the exception is needed ...
        hit = EN[EN.name.str.startswith(r.zh)]
        assert len(hit) == 1 and hit.name_en.iloc[0].startswith(r.en)  # ... and applied
    assert english_name("陕西省", "province") == "Shaanxi"


VARIANTS = [
    lambda n: n,
    str.lower,
    str.upper,
    lambda n: n.replace("'", ""),
    lambda n: n.replace(" ", ""),
    lambda n: f"  {n} ",
]


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_every_region_is_found_by_its_english_name_as_typed(variant):
    resolver = default_resolver()
    for r in EN.itertuples():
        typed = VARIANTS[variant](r.name_en)
        res = resolver.resolve(typed, level=r.level if r.level != "province" else None)
        assert res.ok and res.code == r.code, (typed, res.note)


@pytest.mark.parametrize(
    "typed,code",
    [("Weinan", "610500"), ("Hu County", "610118"), ("hu county", "610118"), ("Xian", "610100"),
     ("Lueyang", "610727"), ("Bin County", "610482"), ("Hancheng", "610581")],
)  # fmt: skip
def test_searches_accept_english_and_former_names(typed, code):
    assert default_resolver().resolve(typed).code == code


def test_an_unknown_english_name_is_not_guessed():
    res = default_resolver().resolve("Foo County")
    assert not res.ok and res.note == "unknown region name Foo County"
    assert search_key("Xi’an") == search_key("xian")


def test_a_return_in_chinese_never_loads_pypinyin():
    """Romanising loads pypinyin's dictionaries (56 MB, which took the 100,000-row ingest past
    its 400 MB budget): the resolver makes its English names only when a name is not found in
    Chinese. Run in a fresh interpreter, where nothing else has imported pypinyin yet."""
    code = """
import sys
from geo.regions import Resolver
r = Resolver.default()
found = [r.resolve(v).code for v in ("西安市", "610122", "户县", "长安区")]
before = "pypinyin" in sys.modules
english = r.resolve("Hu County").code
print(found, before, english, "pypinyin" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split("\n")[-2]
    assert out == "['610100', '610122', '610118', '610116'] False 610118 True"


def test_a_short_name_drops_the_level_suffix_as_cities_are_named():
    from geo.names import without_suffix

    assert without_suffix("Yangling Demonstration Zone") == "Yangling"
    assert without_suffix("Hu County") == "Hu"
    assert without_suffix("Hancheng City") == "Hancheng"
    assert without_suffix("Xi'an") == "Xi'an"
