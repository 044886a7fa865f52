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

PLAN_SOURCE = "《陕西省新型城镇化规划（2014—2020年）》（2014-09-23）"
PUBLISHED_TARGETS = (
    # indicator, value, unit, period, baseline, source
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
        }
        for indicator, value, unit, period, baseline, source in PUBLISHED_TARGETS
    ]
    return pd.DataFrame(rows)
