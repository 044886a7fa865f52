"""The targets Shaanxi published, with their source, and the rules every caller shares about
them: the settlement baseline (cumulative settlement counts from 2014Q1, the first quarter of
the 2014 reform) and the indicators a target may be set on. Loaded into the store by
``urbdash init``; admins add or replace targets there (``urbdash target-set``)."""

from __future__ import annotations

import pandas as pd

from geo.regions import PROVINCE_CODE

# cumulative settlement is counted from this quarter unless a target names its own baseline
SETTLEMENT_BASELINE = "2014Q1"
TARGET_INDICATORS = ("settled_cumulative", "urbanization_rate")


def baseline_of(stated: object) -> str:
    """A target's baseline period: the one it states, else ``SETTLEMENT_BASELINE`` (the
    plan's: settlements are counted from 2014Q1)."""
    return stated if isinstance(stated, str) else SETTLEMENT_BASELINE


PLAN_SOURCE = "《陕西省新型城镇化规划（2014—2020年）》（2014-09-23）"
# the published target sets: name, source (an admin adds more: urbdash target-set --set NAME)
TARGET_SETS = (
    ("plan-2015", PLAN_SOURCE + "：2015年中期目标"),
    ("plan-2020", PLAN_SOURCE + "：2020年目标"),
)
PUBLISHED_TARGETS = (
    # indicator, value, unit, period, baseline, source (the set: plan-YEAR of the period)
    (
        "settled_cumulative",
        6_000_000,
        "人",
        "2015Q4",
        SETTLEMENT_BASELINE,
        PLAN_SOURCE + "：到2015年累计600万人在城镇落户",
    ),
    (
        "settled_cumulative",
        10_000_000,
        "人",
        "2020Q4",
        SETTLEMENT_BASELINE,
        PLAN_SOURCE + "：到2020年累计1000万人在城镇落户",
    ),
    (
        "urbanization_rate",
        55.0,
        "%",
        "2015Q4",
        None,
        PLAN_SOURCE + "：到2015年常住人口城镇化率达到55%以上",
    ),
    (
        "urbanization_rate",
        62.0,
        "%",
        "2020Q4",
        None,
        PLAN_SOURCE + "：到2020年常住人口城镇化率达到62%",
    ),
)


# National references: drawn beside the province's figures with their source, never as a
# provincial target (Shaanxi's own post-2020 urbanization target was not found in a readable
# source; an admin enters one with its source when it is).
NATIONAL_REFERENCES = (
    {
        "indicator": "urbanization_rate",
        "value": 70.0,
        "year": 2029,
        "approximate": True,  # 接近70%: "close to", not "at least"
        "source": "国务院《深入实施以人为本的新型城镇化战略五年行动计划》（2024-07-31公布）："
        "经过5年的努力，常住人口城镇化率提升至接近70%",
    },
)


def published_set(period: str) -> str:
    """The published set a published target belongs to: plan-2015 or plan-2020."""
    return f"plan-{period[:4]}"


def published_targets() -> pd.DataFrame:
    """The published targets as the store's target table holds them (province, no ids)."""
    rows = [
        {
            "id": None,
            "indicator": indicator,
            "region_code": PROVINCE_CODE,
            "value": float(value),
            "unit": unit,
            "period": period,
            "baseline_period": baseline,
            "source": source,
            "set_name": published_set(period),
        }
        for indicator, value, unit, period, baseline, source in PUBLISHED_TARGETS
    ]
    return pd.DataFrame(rows)
