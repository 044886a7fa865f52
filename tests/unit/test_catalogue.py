import pytest

from data.i18n import formats, messages
from data.reference import indicators
from data.reference.official import (
    basis_breaks,
    headline,
    load_meta,
    load_official_series,
    province_series,
)
from geo.regions import load_registry


@pytest.mark.parametrize("ind", indicators.INDICATORS, ids=lambda i: i.code)
def test_indicator_complete(ind):
    assert ind.name_zh and ind.name_en and ind.unit and ind.unit_en
    assert ind.kind in {"flow", "stock", "ratio"}
    if ind.kind == "ratio":
        assert ind.numerator in indicators.BY_CODE and ind.denominator in indicators.BY_CODE
    if ind.reported:
        assert ind.definition_zh and ind.definition_en
    if ind.not_above:
        assert indicators.get(ind.not_above).kind == "stock"


def test_reported_set_matches_design():
    assert set(indicators.REPORTED_CODES) == {
        "settled_rural",
        "settled_other",
        "residence_permits",
        "resident_pop",
        "urban_resident_pop",
        "registered_pop",
        "urban_registered_pop",
    }
    with pytest.raises(KeyError, match="unknown indicator 'nope'"):
        indicators.get("nope")


def test_every_message_has_both_languages():
    for key, texts in messages.MESSAGES.items():
        assert set(texts) == set(messages.LANGS), key
        assert all(texts[lang].strip() for lang in messages.LANGS), key


def test_number_formatting():
    assert formats.format_persons(10_000_000, "zh") == "1,000万"
    assert formats.format_persons(10_000_000, "en") == "10.0 million"
    assert formats.format_persons(245_000, "zh") == "24.5万"
    # a narrow table cell (the overview's rankings)
    assert formats.format_persons(654_400, "en", compact=True) == "654k"
    assert formats.format_persons(1_404_000, "en", compact=True) == "1.40m"
    assert formats.format_persons(654_400, "zh", compact=True) == "65.4万"


def test_official_series_carries_sources_and_flags():
    frame = headline(load_official_series())
    assert frame.value.notna().all()
    assert (frame.source_title.str.len() > 0).all()
    assert frame.flag.isin({"published", "derived", "unconfirmed"}).all()
    assert frame.basis.isin({"census2010", "census2020"}).all()
    assert set(frame.region_code) <= set(load_registry().code)
    assert (frame.unit != "").all()
    # derived values keep their flag; gaps stay gaps
    rate = province_series("urbanization_rate", frame).set_index("year")
    assert rate.at[2010, "flag"] == "derived" and rate.at[2023, "flag"] == "derived"
    assert 2014 not in rate.index and 2018 not in rate.index
    assert rate.at[2019, "value"] == 59.43 and rate.at[2020, "value"] == 62.66
    assert basis_breaks(rate.reset_index()) == [2020]
    assert load_meta()["licence"]


def test_city_census_figures_sum_to_province():
    frame = headline(load_official_series())
    pop20 = frame[(frame.year == 2020) & (frame.indicator == "resident_pop")]
    cities = pop20[pop20.region_code != "610000"].value.sum()
    assert cities == pytest.approx(pop20[pop20.region_code == "610000"].value.iloc[0], abs=1e-3)
    # the province, the ten cities and 杨凌示范区, each with its census count
    units = {"610000", "610403", *(f"61{n:02d}00" for n in range(1, 11))}
    assert set(pop20.region_code) == units and len(pop20) == 12


def test_every_key_used_in_code_is_in_the_catalogue():
    """Literal keys passed to tr()/t() anywhere in the app exist (in both languages, above)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [root / "app.py", *root.glob("pages/*.py")]
    for package in ("ui", "cli", "analytics", "data"):
        files += root.glob(f"{package}/**/*.py")
    used = set()
    for f in files:
        used |= set(re.findall(r"""\b(?:tr|t)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", f.read_text()))
    assert len(used) > 100
    missing = sorted(k for k in used if k not in messages.MESSAGES and not k.endswith("."))
    assert not missing, missing
