"""Indicator catalogue: the quarterly-return data elements and the indicators derived from them.

``kind`` says how values combine: a *flow* is summed over quarters and regions, a *stock* is
taken at the end of the period and summed over regions, a *ratio* is recomputed from its
numerator and denominator stocks (never averaged).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    unit_en: str
    kind: str  # flow / stock / ratio
    min_value: float | None = 0.0
    max_value: float | None = None
    reported: bool = True
    numerator: str | None = None
    denominator: str | None = None
    not_above: str | None = None  # stock that this stock may not exceed
    definition_zh: str = ""
    definition_en: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def as_dict(self) -> dict:
        return asdict(self)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "settled_rural",
        "本季农业转移人口城镇落户人数",
        "Agricultural-transfer residents settled in towns this quarter",
        "人",
        "persons",
        "flow",
        max_value=2_000_000,
        definition_zh="本季度内由农业户口或农村地区迁入城镇并登记常住户口的人数。",
        definition_en="Persons of agricultural origin who registered a permanent urban hukou in the quarter.",
    ),
    Indicator(
        "settled_other",
        "本季其他常住人口城镇落户人数",
        "Other permanent residents settled in towns this quarter",
        "人",
        "persons",
        "flow",
        max_value=2_000_000,
        definition_zh="本季度内农业转移人口以外的常住人口在城镇登记常住户口的人数。",
        definition_en="Other permanent residents who registered an urban hukou in the quarter.",
    ),
    Indicator(
        "residence_permits",
        "本季居住证发放数",
        "Residence permits issued this quarter",
        "张",
        "permits",
        "flow",
        max_value=2_000_000,
        definition_zh="本季度内公安机关发放的居住证张数。",
        definition_en="Residence permits issued by public security in the quarter.",
    ),
    Indicator(
        "resident_pop",
        "季末常住人口",
        "Resident population at quarter end",
        "人",
        "persons",
        "stock",
        min_value=1.0,
        max_value=20_000_000,
        definition_zh="季末在本地居住半年以上的人口。",
        definition_en="Persons living in the area for six months or more, at quarter end.",
    ),
    Indicator(
        "urban_resident_pop",
        "季末城镇常住人口",
        "Urban resident population at quarter end",
        "人",
        "persons",
        "stock",
        max_value=20_000_000,
        not_above="resident_pop",
        definition_zh="季末居住在城镇地区的常住人口。",
        definition_en="Resident population living in urban areas, at quarter end.",
    ),
    Indicator(
        "registered_pop",
        "季末户籍人口",
        "Registered (hukou) population at quarter end",
        "人",
        "persons",
        "stock",
        min_value=1.0,
        max_value=20_000_000,
        definition_zh="季末在本地登记常住户口的人口。",
        definition_en="Persons holding a permanent hukou of the area, at quarter end.",
    ),
    Indicator(
        "urban_registered_pop",
        "季末城镇户籍人口",
        "Urban registered population at quarter end",
        "人",
        "persons",
        "stock",
        max_value=20_000_000,
        not_above="registered_pop",
        definition_zh="季末登记为城镇户口（或居住在城镇的户籍人口）的人数。",
        definition_en="Registered population with an urban hukou, at quarter end.",
    ),
    # Derived indicators (never reported).
    Indicator(
        "settled_total",
        "本季城镇落户人数",
        "Settled in towns this quarter",
        "人",
        "persons",
        "flow",
        reported=False,
    ),
    Indicator(
        "urbanization_rate",
        "常住人口城镇化率",
        "Urbanization rate (resident population)",
        "%",
        "%",
        "ratio",
        max_value=100.0,
        reported=False,
        numerator="urban_resident_pop",
        denominator="resident_pop",
    ),
    Indicator(
        "hukou_urbanization_rate",
        "户籍人口城镇化率",
        "Urbanization rate (registered population)",
        "%",
        "%",
        "ratio",
        max_value=100.0,
        reported=False,
        numerator="urban_registered_pop",
        denominator="registered_pop",
    ),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
REPORTED: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.reported)
REPORTED_CODES: tuple[str, ...] = tuple(i.code for i in REPORTED)
# the columns of a return that are not indicators, as the template names them (zh, en)
KEY_FIELDS: dict[str, tuple[str, str]] = {
    "region_code": ("区划代码", "Region code"),
    "region_name": ("地区名称", "Region name"),
    "period": ("统计期", "Period"),
    "year": ("年份", "Year"),
    "quarter": ("季度", "Quarter"),
    # a long table: one row per region, period and indicator
    "indicator": ("指标名称", "Indicator"),
    "value": ("数值", "Value"),
    "unit": ("计量单位", "Unit"),
}

# Chinese names and units -> English, for messages whose parameters carry the Chinese ones
ENGLISH: dict[str, str] = (
    {i.name_zh: i.name_en for i in INDICATORS}
    | {i.unit: i.unit_en for i in INDICATORS}
    | {zh: en for zh, en in KEY_FIELDS.values()}
)


def field_name(code: str, lang: str = "zh") -> str:
    """The name of a return's column (an indicator or a key field) in ``lang``."""
    if code in KEY_FIELDS:
        return KEY_FIELDS[code][0 if lang == "zh" else 1]
    return get(code).name(lang)


def get(code: str) -> Indicator:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown indicator {code!r}; known: {', '.join(BY_CODE)}") from None


# groups of reported indicators that offices send together: the public-security bureau the
# settlement counts (and permits) each quarter, the statistics bureau the population stocks
GROUPS: dict[str, tuple[str, ...]] = {
    "settlement": ("settled_rural", "settled_other"),
    "flows": tuple(i.code for i in REPORTED if i.kind == "flow"),
    "stocks": tuple(i.code for i in REPORTED if i.kind == "stock"),
}


def select_indicators(spec: str | None) -> tuple[str, ...] | None:
    """Reported indicators named by ``spec``: a group (settlement, flows, stocks), indicator
    codes separated by commas, or None / ``all`` for any indicator (None). Raises ValueError
    naming what is unknown."""
    if spec is None or spec.strip() in ("", "all", "any"):
        return None
    if spec in GROUPS:
        return GROUPS[spec]
    codes = tuple(c.strip() for c in spec.split(",") if c.strip())
    unknown = [c for c in codes if c not in REPORTED_CODES]
    if unknown or not codes:
        raise ValueError(
            f"unknown indicator {', '.join(unknown) or spec!r}; use a group "
            f"({', '.join(GROUPS)}) or codes of {', '.join(REPORTED_CODES)}"
        )
    return codes
