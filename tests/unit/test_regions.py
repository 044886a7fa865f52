import pandas as pd
import pytest

from geo.regions import Resolver, load_crosswalk, load_registry, normalize_code


@pytest.fixture(scope="module")
def resolver():
    return Resolver(load_registry(), load_crosswalk())


def test_registry_levels_and_parents():
    reg = load_registry()
    assert reg.level.value_counts().to_dict() == {"county": 107, "city": 10, "province": 1}
    assert reg.code.str.fullmatch(r"\d{6}").all() and reg.code.is_unique
    counties = reg[reg.level == "county"]
    assert counties.parent_code.isin(reg[reg.level == "city"].code).all()
    # ministry codes replace the boundary package's stale ones; geometry keeps the package code
    by_code = reg.set_index("code")
    assert by_code.loc["610305", ["name", "geometry_code"]].tolist() == ["凤翔区", "610322"]
    assert by_code.loc["610981", ["name", "geometry_code"]].tolist() == ["旬阳市", "610928"]
    assert "610322" not in by_code.index and "610928" not in by_code.index
    # 杨凌示范区 is a statistical unit beside the cities, with the geometry of 杨陵区
    yl = by_code.loc["610403"]
    assert (yl.stat_name, yl.parent_code, yl.stat_parent_code) == ("杨凌示范区", "610400", "610000")


@pytest.mark.parametrize("row", load_crosswalk().to_dict("records"), ids=lambda r: r["alias_name"])
def test_every_crosswalk_entry_resolves(resolver, row):
    if row["alias_code"]:
        assert resolver.resolve(row["alias_code"]).code == row["current_code"]
        assert resolver.resolve(int(row["alias_code"])).code == row["current_code"]
    assert resolver.resolve(row["alias_name"]).code == row["current_code"]


@pytest.mark.parametrize(
    "raw, code",
    [
        ("鄠邑区", "610118"),
        ("鄠邑", "610118"),
        ("户县", "610118"),
        (610125, "610118"),
        (610125.0, "610118"),
        ("610125.0", "610118"),
        ("610118000000", "610118"),
        ("　户 县 ", "610118"),
        ("６１０１１８", "610118"),
        ("西安市户县", "610118"),
        ("西安鄠邑区", "610118"),
        ("陕西省西安市鄠邑区", "610118"),
        ("华县", "610503"),
        ("华州", "610503"),
        ("神木", "610881"),
        ("神木县", "610881"),
        ("彬县", "610482"),
        ("杨凌示范区", "610403"),
        ("杨凌", "610403"),
        ("杨陵区", "610403"),
        ("西安", "610100"),
        ("西安市", "610100"),
        ("宝鸡市凤翔区", "610305"),
        ("凤县", "610330"),
        ("韩城", "610581"),
        ("紫阳县", "610924"),
        # code and name typed into one cell
        ("610118 鄠邑区", "610118"),
        ("610118鄠邑区", "610118"),
        ("610118-鄠邑区", "610118"),
        ("610125 户县", "610118"),
        ("610118000000 鄠邑区", "610118"),
        # and the name first, the code after it or in brackets
        ("鄠邑区（610118）", "610118"),
        ("鄠邑区(610118)", "610118"),
        ("鄠邑区【610118】", "610118"),
        ("鄠邑区 [610118000000]", "610118"),
        ("户县 610125", "610118"),
        ("鄠邑区-610118", "610118"),
        ("西安市鄠邑区（610118）", "610118"),
    ],
)
def test_resolver_variants(resolver, raw, code):
    res = resolver.resolve(raw)
    assert res.ok and res.code == code, res


@pytest.mark.parametrize(
    "raw", ["610118 王益区", "610202 户县", "999999 王益区", "王益区（610118）", "户县 610202"]
)
def test_code_and_name_in_one_cell_must_agree(resolver, raw):
    res = resolver.resolve(raw)
    assert not res.ok and res.note == f"code and name disagree: {raw}"


def test_unknown_values_are_reported(resolver):
    results, missing = resolver.resolve_many(["户县", "不存在县", 999999, ""])
    assert missing == ["不存在县", "999999", ""]
    assert results[1].note == "unknown region name 不存在县"
    assert results[2].note == "unknown region code 999999"


def test_level_restriction(resolver):
    assert resolver.resolve("西安", level="county").code is None
    assert resolver.resolve("610100", level="county").code is None


def test_crosswalk_entries_that_match_nothing_are_reported():
    cw = load_crosswalk()
    extra = pd.DataFrame([{**cw.iloc[0].to_dict(), "alias_name": "某县", "current_code": "619999"}])
    r = Resolver(load_registry(), pd.concat([cw, extra], ignore_index=True))
    assert r.unmatched_crosswalk().current_code.tolist() == ["619999"]
    assert Resolver(load_registry(), cw).unmatched_crosswalk().empty


@pytest.mark.parametrize("raw", [None, float("nan"), "61011", "abc", "6101180"])
def test_normalize_code_rejects(raw):
    assert normalize_code(raw) is None


@pytest.mark.parametrize(
    "text,codes",
    [
        ("蓝田县2023年第二季度农业转移人口落户情况", {"610122"}),
        ("西安市蓝田县2023年落户情况", {"610122"}),  # the county, not its city too
        ("填报单位：蓝田县", {"610122"}),
        ("西安市2023年第二季度", {"610100"}),
        ("蓝田县、周至县", {"610122", "610124"}),
        ("2023年第二季度落户情况", set()),
        ("陕西省2023年第二季度", set()),  # the province is no single region's table
        ("户县", set()),  # two characters: too short to be told from a word
    ],
)
def test_the_regions_a_free_text_names(resolver, text, codes):
    assert resolver.named_in(text) == codes
